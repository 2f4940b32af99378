// `npm start`: build the renderer (Vite) and main + preload (esbuild), then open the desktop
// app. The Electron binary is fetched here, on the first start, not by `npm install`: npm
// does not run electron's install script (package.json allowScripts), so an install never
// fails where Electron's download host cannot be reached. Where the binary is still missing
// (ELECTRON_SKIP_BINARY_DOWNLOAD=1, or the download failed), say so in one line and point to
// browser mode; no stack trace.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

/**
 * The Electron executable, or null with the reason. Not `require('electron')`: where the binary
 * is missing, that starts a download from the network and throws with a stack.
 */
export function findElectronBinary() {
  let packageDir;
  try {
    const require = createRequire(path.join(root, 'package.json'));
    packageDir = path.dirname(require.resolve('electron/package.json'));
  } catch {
    return { binary: null, reason: 'the electron package is not installed' };
  }
  const pathFile = path.join(packageDir, 'path.txt');
  if (!existsSync(pathFile)) {
    return {
      binary: null,
      reason: 'its download was skipped, as with ELECTRON_SKIP_BINARY_DOWNLOAD=1, or failed',
    };
  }
  const relative = readFileSync(pathFile, 'utf8').trim();
  const distDir = process.env.ELECTRON_OVERRIDE_DIST_PATH ?? path.join(packageDir, 'dist');
  const binary = path.join(distDir, relative);
  return existsSync(binary)
    ? { binary, reason: null }
    : { binary: null, reason: `${binary} does not exist` };
}

/**
 * Runs electron's own downloader (it honours electron's mirror and cache settings) once, where
 * the package is there without its binary. Its output is kept: a failure is summed up in one
 * line by the caller.
 */
function downloadElectronBinary() {
  if (process.env.ELECTRON_SKIP_BINARY_DOWNLOAD) return 'ELECTRON_SKIP_BINARY_DOWNLOAD is set';
  let installer;
  try {
    const require = createRequire(path.join(root, 'package.json'));
    installer = path.join(path.dirname(require.resolve('electron/package.json')), 'install.js');
  } catch {
    return 'the electron package is not installed';
  }
  if (!existsSync(installer)) return 'the electron package has no downloader';
  console.error('ScaleDesk: downloading the Electron binary (first start only)...');
  const result = spawnSync(process.execPath, [installer], { encoding: 'utf8', timeout: 300_000 });
  if (result.status === 0) return null;
  const output = `${result.stderr ?? ''}\n${result.stdout ?? ''}`;
  const cause =
    output.match(/\b(E[A-Z]+\b[^\n]*)/)?.[1] ?? `the downloader exited with ${result.status}`;
  return `its download failed: ${cause.trim()}`;
}

async function main() {
  let { binary, reason } = findElectronBinary();
  if (!binary) {
    const failure = downloadElectronBinary();
    ({ binary, reason } = findElectronBinary());
    if (!binary && failure) reason = failure;
  }
  if (!binary) {
    console.error(
      `ScaleDesk: the Electron binary is not installed (${reason}); ` +
        'run "npm run web" to use ScaleDesk in a browser.',
    );
    process.exit(1);
  }
  const { build } = await import('vite');
  await build({ configFile: path.join(root, 'vite.config.ts'), logLevel: 'warn' });
  const { buildMain } = await import('./build-main.mjs');
  await buildMain({ production: false });

  // Inherited, this would make Electron run as plain Node and never open a window.
  const env = { ...process.env };
  delete env.ELECTRON_RUN_AS_NODE;
  const child = spawn(binary, [root, ...process.argv.slice(2)], { stdio: 'inherit', env });
  for (const signal of ['SIGINT', 'SIGTERM']) {
    process.on(signal, () => child.kill(signal));
  }
  child.on('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  main().catch((error) => {
    console.error(`ScaleDesk: ${error instanceof Error ? error.message : String(error)}`);
    process.exit(1);
  });
}
