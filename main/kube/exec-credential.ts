import { spawn } from 'node:child_process';
import type { User } from '@kubernetes/client-node';
import { markCredentialPluginFailure } from './cluster-errors';

/**
 * Running an exec credential plugin (kubelogin, aws, gke-gcloud-auth-plugin) once, as kubectl
 * does: its `env` added to a copy of ScaleDesk's environment (client-node's ExecAuth writes them
 * into process.env itself, for every later child to inherit), no terminal to prompt on, a time
 * limit, and the ExecCredential it prints read for its token or client certificate and expiry.
 */

/** What a credential plugin or OIDC provider handed out, and until when it is good. */
export interface Credential {
  token?: string;
  /** PEM, as the ExecCredential carries them. */
  clientCertificateData?: string;
  clientKeyData?: string;
  /** Epoch ms; null: the plugin said nothing, so it is good until the server refuses it. */
  expiresAt: number | null;
}

export interface ExecConfig {
  apiVersion: string;
  command: string;
  args?: string[];
  env?: { name: string; value: string }[];
}

/** How long a plugin may take: kubelogin waiting on a browser login would otherwise hang every request. */
const PLUGIN_TIMEOUT_MS = 60_000;

/** The exec section of a user, where it has one (`exec`, or the older auth-provider form). */
export function execConfigOf(user: User): ExecConfig | null {
  const provider = user.authProvider as { config?: { exec?: unknown } } | undefined;
  const exec: unknown = user.exec ?? provider?.config?.exec;
  if (typeof exec !== 'object' || exec === null) return null;
  const { apiVersion, command, args, env } = exec as {
    apiVersion?: unknown;
    command?: unknown;
    args?: unknown;
    env?: unknown;
  };
  if (typeof command !== 'string' || command.length === 0) return null;
  return {
    apiVersion: typeof apiVersion === 'string' ? apiVersion : 'client.authentication.k8s.io/v1',
    command,
    args: Array.isArray(args) ? args.map(String) : [],
    env: Array.isArray(env)
      ? env
          .filter((e): e is { name: string; value: string } => typeof e?.name === 'string')
          .map((e) => ({ name: e.name, value: String(e.value ?? '') }))
      : [],
  };
}

function pluginFailure(message: string): Error {
  const error = new Error(message);
  markCredentialPluginFailure(error);
  return error;
}

/** Reads the ExecCredential a plugin printed; throws (marked as the plugin's) where it is not one. */
export function parseExecCredential(stdout: string): Credential {
  let parsed: unknown;
  try {
    parsed = JSON.parse(stdout);
  } catch (error) {
    // A SyntaxError, which cluster-errors.ts words without quoting the output (a token may be in it).
    markCredentialPluginFailure(error);
    throw error;
  }
  const status = (parsed as { status?: unknown } | null)?.status;
  if (typeof status !== 'object' || status === null) {
    throw pluginFailure('its output is an ExecCredential without a status');
  }
  const s = status as Record<string, unknown>;
  const text = (key: string) =>
    typeof s[key] === 'string' && s[key] ? (s[key] as string) : undefined;
  const token = text('token');
  const cert = text('clientCertificateData');
  const key = text('clientKeyData');
  if (!token && !(cert && key)) {
    throw pluginFailure(
      'its ExecCredential holds neither a token nor a client certificate and key',
    );
  }
  const expiry = text('expirationTimestamp');
  const expiresAt = expiry ? Date.parse(expiry) : NaN;
  const credential: Credential = { expiresAt: Number.isNaN(expiresAt) ? null : expiresAt };
  if (token) credential.token = token;
  if (cert) credential.clientCertificateData = cert;
  if (key) credential.clientKeyData = key;
  return credential;
}

/**
 * Runs the plugin once. A failure to start it rejects with the spawn error (cluster-errors.ts
 * says "could not run"); a non-zero exit rejects with what it wrote to stderr, marked as the
 * plugin's so only its first line, redacted, is ever shown.
 */
export function runExecPlugin(
  exec: ExecConfig,
  timeoutMs = PLUGIN_TIMEOUT_MS,
): Promise<Credential> {
  const env = { ...process.env };
  // As kubectl: plugins of the v1 and v1beta1 APIs read it to know there is no terminal to prompt on.
  env['KUBERNETES_EXEC_INFO'] = JSON.stringify({
    apiVersion: exec.apiVersion,
    kind: 'ExecCredential',
    spec: { interactive: false },
  });
  for (const { name, value } of exec.env ?? []) env[name] = value;
  return new Promise((resolve, reject) => {
    const child = spawn(exec.command, exec.args ?? [], {
      env,
      stdio: ['ignore', 'pipe', 'pipe'],
      timeout: timeoutMs,
    });
    let stdout = '';
    let stderr = '';
    let spawnError: Error | undefined;
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    child.on('error', (error) => (spawnError = error));
    child.on('close', (code, signal) => {
      if (spawnError) return reject(spawnError);
      if (code !== 0) {
        const said =
          stderr.trim() || `it exited with ${signal ? `signal ${signal}` : `code ${code}`}`;
        return reject(
          pluginFailure(
            signal === 'SIGTERM' && !stderr.trim() ? 'it did not finish in time' : said,
          ),
        );
      }
      try {
        resolve(parseExecCredential(stdout));
      } catch (error) {
        reject(error);
      }
    });
  });
}
