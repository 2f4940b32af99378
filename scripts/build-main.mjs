// Bundles the Electron main process and the preload with esbuild:
//   main/electron/main.ts    -> dist/main/main.cjs     (everything but electron and the sandbox
//                                                        inlined, so a package needs no
//                                                        node_modules)
//   main/sandbox/index.ts    -> dist/main/sandbox.cjs  (the simulated cluster, ~40 % of main's
//                                                        code: main.cjs requires it only when it
//                                                        starts one, where there is no kubeconfig)
//   main/electron/preload.ts -> dist/main/preload.cjs  (a sandboxed preload can require only
//                                                        electron: it must be one file)
// Usable as a script (`npm run build:main`) and as a module (scripts/start.mjs).
import { build } from 'esbuild';
import { fileURLToPath } from 'node:url';
import path from 'node:path';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

const common = {
  bundle: true,
  platform: 'node',
  format: 'cjs',
  target: 'node22',
  external: ['electron'],
  sourcemap: 'linked',
  logLevel: 'warning',
  absWorkingDir: root,
};

/** What main.cjs and sandbox.cjs share: both run in Electron's main process. */
const mainProcess = {
  ...common,
  // Native speed-ups that ws and others load only if present.
  external: [...common.external, 'bufferutil', 'utf-8-validate'],
  // ESM-only packages (conf, electron-store) read import.meta.url; in the CJS bundle it
  // is this file's URL.
  define: { 'import.meta.url': 'importMetaUrl' },
  banner: { js: "const importMetaUrl = require('node:url').pathToFileURL(__filename).href;" },
  keepNames: true,
};

const sandboxEntry = path.join(root, 'main', 'sandbox', 'index.ts');

/**
 * Keeps the sandbox out of main.cjs: an import of its entry (main/services.ts imports it
 * dynamically, only to start it) becomes a require of ./sandbox.cjs, the file beside main.cjs.
 * Any other module of the sandbox imported from main would be inlined: the lint rule and the
 * bundle test (test/unit/electron/bundle.test.ts) see to it that none is.
 */
const sandboxApart = {
  name: 'sandbox-apart',
  setup(build) {
    build.onResolve({ filter: /sandbox/ }, async (args) => {
      if (args.pluginData?.sandboxApart) return undefined;
      const resolved = await build.resolve(args.path, {
        kind: args.kind,
        importer: args.importer,
        resolveDir: args.resolveDir,
        pluginData: { sandboxApart: true },
      });
      return resolved.path === sandboxEntry ? { path: './sandbox.cjs', external: true } : undefined;
    });
  },
};

/** `outDir` is relative to the repository root or absolute (tests build into a temp folder). */
export async function buildMain({ production = true, outDir = 'dist/main' } = {}) {
  await Promise.all([
    build({
      ...mainProcess,
      entryPoints: ['main/electron/main.ts'],
      outfile: path.resolve(root, outDir, 'main.cjs'),
      plugins: [sandboxApart],
      // The sandbox's `import()` becomes a plain require, which Electron resolves inside the
      // asar archive as any other (and which loads a .cjs as one, not through the ESM loader).
      supported: { 'dynamic-import': false },
      minify: production,
    }),
    build({
      ...mainProcess,
      entryPoints: [sandboxEntry],
      outfile: path.resolve(root, outDir, 'sandbox.cjs'),
      minify: production,
    }),
    build({
      ...common,
      entryPoints: ['main/electron/preload.ts'],
      outfile: path.resolve(root, outDir, 'preload.cjs'),
      minify: production,
    }),
  ]);
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  await buildMain();
}
