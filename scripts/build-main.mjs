// Bundles the Electron main process and the preload with esbuild:
//   main/electron/main.ts    -> dist/main/main.cjs     (everything but electron inlined, so a
//                                                        package needs no node_modules)
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

/** `outDir` is relative to the repository root or absolute (tests build into a temp folder). */
export async function buildMain({ production = true, outDir = 'dist/main' } = {}) {
  await Promise.all([
    build({
      ...common,
      entryPoints: ['main/electron/main.ts'],
      outfile: path.resolve(root, outDir, 'main.cjs'),
      // Native speed-ups that ws and others load only if present.
      external: [...common.external, 'bufferutil', 'utf-8-validate'],
      // ESM-only packages (conf, electron-store) read import.meta.url; in the CJS bundle it
      // is this file's URL.
      define: { 'import.meta.url': 'importMetaUrl' },
      banner: { js: "const importMetaUrl = require('node:url').pathToFileURL(__filename).href;" },
      minify: production,
      keepNames: true,
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
