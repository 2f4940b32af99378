import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { UserInfo } from './authorization';

/**
 * The sandbox's exec credential plugin, as kubelogin or aws-iam-authenticator are on a real
 * cluster: a small node script written next to the kubeconfig, which the context `sandbox-exec`
 * runs (client.authentication.k8s.io/v1 ExecCredential). It reads what to do from a control file
 * beside it, so a test (through the sandbox handle) or a person (through the CLI's stdin) can
 * make it fail as an expired login does, hand out short-lived tokens, or tokens without an expiry;
 * it appends one line per run to a runs file, so tests can count how often it was spawned.
 *
 * Its tokens are signed with a secret only the control file and the server know, and carry
 * when they were issued and when they expire, so the API server can refuse an expired token
 * (401) without any state shared with the plugin's process.
 */

export const EXEC_CONTEXT = 'sandbox-exec';
export const EXEC_USER = 'exec-plugin';

/** What the plugin does on its next runs. */
export type ExecPluginMode =
  | { kind: 'tokens'; ttlSeconds: number }
  | { kind: 'no-expiry' }
  | { kind: 'fail'; message: string };

export const EXPIRED_LOGIN_MESSAGE = 'error: the login has expired; run `sandbox-login`';

interface ControlFile {
  secret: string;
  mode: ExecPluginMode;
}

export interface ExecPlugin {
  /** The script the kubeconfig's exec user runs. */
  readonly scriptPath: string;
  /** Tells the plugin what to do from its next run on. */
  set(mode: ExecPluginMode): void;
  /** How many times the plugin has run since start (or since resetRuns). */
  runs(): number;
  resetRuns(): void;
  /**
   * Refuses (401) every token handed out until `issuedUpTo` (default now), as a revoked session
   * is; a time ahead refuses the next ones too, 0 refuses none.
   */
  revokeTokens(issuedUpTo?: number): void;
  /** The user behind a plugin token; 'expired' where it was one but no longer is. */
  authenticate(token: string): UserInfo | 'expired' | undefined;
}

const TOKEN_PREFIX = 'sandbox-exec.';

/**
 * The script. Plain node with no dependency, so it runs wherever the sandbox does; the shebang
 * names this very node binary where there is one (not inside Electron, whose binary would open a
 * window), else the node on PATH.
 */
function scriptText(controlPath: string, runsPath: string): string {
  const node = process.versions.electron ? '/usr/bin/env node' : process.execPath;
  return `#!${node}
'use strict';
const fs = require('node:fs');
const crypto = require('node:crypto');
fs.appendFileSync(${JSON.stringify(runsPath)}, new Date().toISOString() + '\\n');
const control = JSON.parse(fs.readFileSync(${JSON.stringify(controlPath)}, 'utf8'));
const mode = control.mode;
if (mode.kind === 'fail') {
  process.stderr.write(mode.message + '\\n');
  process.exit(1);
}
const issued = Date.now();
const expires = mode.kind === 'tokens' ? issued + mode.ttlSeconds * 1000 : 0;
const payload = issued + '.' + expires + '.' + crypto.randomBytes(8).toString('hex');
const signature = crypto.createHmac('sha256', control.secret).update(payload).digest('hex');
const status = { token: ${JSON.stringify(TOKEN_PREFIX)} + payload + '.' + signature };
if (expires > 0) status.expirationTimestamp = new Date(expires).toISOString();
process.stdout.write(JSON.stringify({
  apiVersion: 'client.authentication.k8s.io/v1',
  kind: 'ExecCredential',
  status,
}));
`;
}

/** The plugin's user has the admin's rights: it stands for an admin's own login. */
const EXEC_USER_INFO: UserInfo = {
  name: 'admin',
  uid: 'sandbox-exec-plugin',
  groups: ['system:masters', 'system:authenticated'],
};

/** Writes the script and its control file next to the kubeconfig; tokens without expiry first. */
export function createExecPlugin(kubeconfigPath: string): ExecPlugin {
  const dir = dirname(kubeconfigPath);
  mkdirSync(dir, { recursive: true });
  const scriptPath = join(dir, 'sandbox-exec-plugin.cjs');
  const controlPath = join(dir, 'sandbox-exec-plugin.json');
  const runsPath = join(dir, 'sandbox-exec-plugin.runs');
  const secret = randomBytes(24).toString('hex');
  let revokedBefore = 0;

  const writeControl = (mode: ExecPluginMode) => {
    const control: ControlFile = { secret, mode };
    writeFileSync(controlPath, JSON.stringify(control), { mode: 0o600 });
  };
  writeControl({ kind: 'no-expiry' });
  writeFileSync(runsPath, '', { mode: 0o600 });
  writeFileSync(scriptPath, scriptText(controlPath, runsPath), { mode: 0o700 });
  chmodSync(scriptPath, 0o700);

  return {
    scriptPath,
    set: writeControl,
    runs() {
      if (!existsSync(runsPath)) return 0;
      return readFileSync(runsPath, 'utf8').split('\n').filter(Boolean).length;
    },
    resetRuns() {
      writeFileSync(runsPath, '', { mode: 0o600 });
    },
    revokeTokens(issuedUpTo = Date.now()) {
      revokedBefore = issuedUpTo;
    },
    authenticate(token) {
      if (!token.startsWith(TOKEN_PREFIX)) return undefined;
      const [issued = '', expires = '', nonce = '', signature = ''] = token
        .slice(TOKEN_PREFIX.length)
        .split('.');
      const payload = `${issued}.${expires}.${nonce}`;
      const expected = createHmac('sha256', secret).update(payload).digest('hex');
      const given = Buffer.from(signature);
      if (given.length !== expected.length || !timingSafeEqual(given, Buffer.from(expected))) {
        return undefined;
      }
      const expiresAt = Number(expires);
      if (Number(issued) <= revokedBefore) return 'expired';
      if (expiresAt > 0 && expiresAt <= Date.now()) return 'expired';
      return EXEC_USER_INFO;
    },
  };
}

/** The kubeconfig's user that runs the plugin (as client-node's exportConfig writes it). */
export function execPluginUser(scriptPath: string): object {
  return {
    name: EXEC_USER,
    user: {
      exec: {
        apiVersion: 'client.authentication.k8s.io/v1',
        command: scriptPath,
        args: [],
        interactiveMode: 'Never',
        provideClusterInfo: false,
      },
    },
  };
}

/** The API server's check: the user behind a bearer token the plugin handed out, still valid. */
export function execPluginUserOf(
  header: string | undefined,
  plugin: ExecPlugin | undefined,
): UserInfo | undefined {
  const m = /^Bearer\s+(\S+)\s*$/i.exec(header ?? '');
  if (!m || !plugin) return undefined;
  const user = plugin.authenticate(m[1] ?? '');
  return user === 'expired' ? undefined : user;
}

/** The CLI's `exec-plugin ...` command (fault-commands.ts): resolves to what to print. */
export function execPluginCommand(plugin: ExecPlugin, args: readonly string[]): string {
  const [what, ...rest] = args;
  switch (what) {
    case 'fail': {
      const message = rest.length > 0 ? rest.join(' ') : EXPIRED_LOGIN_MESSAGE;
      plugin.set({ kind: 'fail', message });
      return `exec plugin: fails with "${message}"`;
    }
    case 'ttl': {
      const text = rest[0] ?? '';
      if (rest.length !== 1 || !/^\d+$/.test(text) || Number(text) === 0) {
        throw new Error(`usage: exec-plugin ttl SECONDS (a whole number above 0), got "${text}"`);
      }
      plugin.set({ kind: 'tokens', ttlSeconds: Number(text) });
      return `exec plugin: tokens that expire ${text} s after they are handed out`;
    }
    case 'no-expiry':
      plugin.set({ kind: 'no-expiry' });
      return 'exec plugin: tokens without an expiry';
    case 'revoke':
      plugin.revokeTokens();
      return 'exec plugin: every token handed out until now is refused (401)';
    case 'runs':
      return `exec plugin: ${plugin.runs()} run(s)`;
    default:
      throw new Error(
        'usage: exec-plugin fail [MESSAGE] | ttl SECONDS | no-expiry | revoke | runs',
      );
  }
}
