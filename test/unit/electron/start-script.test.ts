import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
// @ts-expect-error: a plain .mjs script without types
import { findElectronBinary } from '../../../scripts/start.mjs';

const root = path.resolve(__dirname, '../../..');
const hasBinary = (findElectronBinary() as { binary: string | null }).binary !== null;

describe.skipIf(hasBinary)('npm start without the Electron binary', () => {
  it('says so in one line, points to browser mode, and exits non-zero without a stack trace', () => {
    const result = spawnSync(process.execPath, [path.join(root, 'scripts/start.mjs')], {
      cwd: root,
      encoding: 'utf8',
      env: { ...process.env, ELECTRON_SKIP_BINARY_DOWNLOAD: '1' },
      timeout: 60_000,
    });
    expect(result.status).toBe(1);
    const lines = result.stderr.trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/Electron binary is not installed .*ELECTRON_SKIP_BINARY_DOWNLOAD/);
    expect(lines[0]).toMatch(/npm run web/);
    expect(result.stderr).not.toMatch(/^\s+at /m);
  });
});
