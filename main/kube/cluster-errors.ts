import { ScaleDeskError } from '../../shared/errors';
import { redactText, withoutUserinfo } from '../transport/redaction';

/**
 * Turns what client-node throws (ApiException from the typed API, the status errors of `Watch`
 * and `Metrics`, node-fetch's FetchError for network and TLS failures) into the typed errors of
 * the contract, with a message an admin can act on. The request being made is named so a 403
 * says which verb on which resource in which namespace was refused.
 */

export interface ClusterRequest {
  /** `list`, `watch`, `patch`, `get`, `create`. */
  verb: string;
  /** `deployments`, `deployments/scale`, `pods`, `pods.metrics.k8s.io`, ... */
  resource: string;
  /** null: all namespaces; undefined: a cluster-scoped resource. */
  namespace?: string | null;
  name?: string;
  context?: string;
  server?: string;
}

/** A request that did not answer in time; thrown by {@link withTimeout}. */
export class RequestTimeoutError extends Error {
  readonly code = 'ETIMEDOUT';
  constructor(readonly timeoutMs: number) {
    super(`no answer within ${Math.round(timeoutMs / 1000)} s`);
    this.name = 'RequestTimeoutError';
  }
}

/**
 * Races a request against a timer. client-node's typed API takes no signal, so a request to a
 * black-holed server would otherwise never settle; the socket is left to the OS to close.
 */
export async function withTimeout<T>(promise: Promise<T>, timeoutMs: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new RequestTimeoutError(timeoutMs)), timeoutMs);
  });
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/**
 * Errors thrown while an exec credential plugin (kubelogin, aws, gke-gcloud-auth-plugin) was run
 * for a request: client-node rejects with a bare Error whose message is all the plugin wrote to
 * stderr, which may be a token, a dump of its config or a stack trace. kubeconfig.ts marks them
 * where it applies the credentials; {@link toClusterError} keeps only the first line.
 */
const credentialPluginFailures = new WeakSet<object>();

export function markCredentialPluginFailure(error: unknown): void {
  if (typeof error === 'object' && error !== null) credentialPluginFailures.add(error);
}

const MAX_PLUGIN_LINE = 300;

/**
 * What a plugin said, as much as may be shown: redacted, then its first line that is not blank,
 * cut short. Output that is not JSON is not quoted at all: JSON.parse quotes the start of it,
 * which is where a plugin prints its credential.
 */
function pluginSaid(error: unknown): string {
  if (error instanceof SyntaxError) return 'its output is not the JSON of an ExecCredential';
  const text = error instanceof Error ? error.message : String(error);
  const line =
    redactText(text)
      .split(/\r?\n/)
      .map((l) => l.trim())
      .find((l) => l.length > 0) ?? '';
  return line.length > MAX_PLUGIN_LINE ? `${line.slice(0, MAX_PLUGIN_LINE)}…` : line;
}

const NETWORK_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ENOTFOUND',
  'EAI_AGAIN',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'EPIPE',
  'ECONNABORTED',
  'UND_ERR_SOCKET',
  'UND_ERR_CONNECT_TIMEOUT',
]);

const TLS_CODES = new Set([
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'UNABLE_TO_GET_ISSUER_CERT',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'CERT_HAS_EXPIRED',
  'CERT_NOT_YET_VALID',
  'CERT_UNTRUSTED',
  'CERT_REJECTED',
  'CERT_SIGNATURE_FAILURE',
  'ERR_TLS_CERT_ALTNAME_INVALID',
  'EPROTO',
]);

/** What the cluster said, where it answered with a Kubernetes `Status`. */
interface StatusBody {
  message?: string;
  reason?: string;
  code?: number;
  details?: { causes?: { field?: string; message?: string }[]; retryAfterSeconds?: unknown };
}

function statusCodeOf(error: unknown): number | null {
  if (typeof error !== 'object' || error === null) return null;
  const e = error as { code?: unknown; statusCode?: unknown; status?: unknown };
  // ApiException carries the HTTP status in `code`; Watch sets `statusCode`.
  for (const value of [e.statusCode, e.code, e.status]) {
    if (typeof value === 'number' && value >= 100 && value < 600) return value;
  }
  return null;
}

function bodyOf(error: unknown): StatusBody | null {
  if (typeof error !== 'object' || error === null) return null;
  let body = (error as { body?: unknown }).body;
  if (typeof body === 'string') {
    const text = body.trim();
    try {
      body = JSON.parse(text) as unknown;
    } catch {
      return text ? { message: text } : null;
    }
  }
  return typeof body === 'object' && body !== null ? (body as StatusBody) : null;
}

/** The system or TLS error code, also where Metrics folded it into its message. */
function networkCodeOf(error: unknown): string | null {
  if (typeof error !== 'object' || error === null) return null;
  const e = error as { code?: unknown; errno?: unknown; cause?: unknown; message?: unknown };
  for (const value of [e.code, e.errno]) {
    if (typeof value === 'string' && (NETWORK_CODES.has(value) || TLS_CODES.has(value))) {
      return value;
    }
  }
  if (e.cause) {
    const inner = networkCodeOf(e.cause);
    if (inner) return inner;
  }
  if (typeof e.message === 'string') {
    for (const code of [...NETWORK_CODES, ...TLS_CODES]) {
      if (e.message.includes(code)) return code;
    }
    if (/self[- ]signed certificate|unable to verify the first certificate/i.test(e.message)) {
      return 'SELF_SIGNED_CERT_IN_CHAIN';
    }
    if (/socket hang up|network timeout/i.test(e.message)) return 'ECONNRESET';
  }
  return null;
}

function where(request: ClusterRequest): string {
  if (request.namespace === undefined) return 'cluster-wide';
  if (request.namespace === null) return 'in all namespaces';
  return `in namespace "${request.namespace}"`;
}

function target(request: ClusterRequest): string {
  return request.name ? `${request.resource} "${request.name}"` : request.resource;
}

function cluster(request: ClusterRequest): string {
  // A user and password in the server URL are credentials, not part of the address to show.
  const server = request.server ? withoutUserinfo(request.server) : '';
  if (request.context && server) return `the cluster of context "${request.context}" (${server})`;
  if (request.context) return `the cluster of context "${request.context}"`;
  if (server) return `the cluster at ${server}`;
  return 'the cluster';
}

/**
 * How long a 429 asked to wait, in whole seconds: its Retry-After header (seconds or an HTTP
 * date; client-node's ApiException keeps the headers, lower-cased), else the Status's
 * `details.retryAfterSeconds` (what the API server's priority and fairness sends). Null where
 * it said neither, as a watch's refusal (client-node's Watch keeps only the status code).
 */
function retryAfterSecondsOf(error: unknown, body: StatusBody | null): number | null {
  const headers = (error as { headers?: unknown } | null)?.headers;
  if (typeof headers === 'object' && headers !== null) {
    for (const [name, value] of Object.entries(headers)) {
      if (name.toLowerCase() !== 'retry-after' || typeof value !== 'string') continue;
      const text = value.trim();
      if (/^\d+$/.test(text)) return Number(text);
      const at = Date.parse(text);
      if (!Number.isNaN(at)) return Math.max(0, Math.ceil((at - Date.now()) / 1000));
    }
  }
  const fromStatus = body?.details?.retryAfterSeconds;
  return typeof fromStatus === 'number' && Number.isInteger(fromStatus) && fromStatus >= 0
    ? fromStatus
    : null;
}

/**
 * A 429 in its own words: the cluster answered, it is not unreachable. Lists and watches are
 * what the session asks again by itself (its watches, the metrics loop), so their wording says
 * it is retrying; any other request (a write, a read before one) is the admin's to try again.
 */
function throttled(
  error: unknown,
  body: StatusBody | null,
  request: ClusterRequest,
  details: Record<string, unknown>,
): ScaleDeskError {
  const seconds = retryAfterSecondsOf(error, body);
  const when = seconds === null ? 'shortly' : `after ${seconds} s`;
  const next = request.verb === 'list' || request.verb === 'watch' ? 'retrying' : 'try again';
  return new ScaleDeskError(
    'THROTTLED',
    `The cluster is throttling requests (429 Too Many Requests); ${next} ${when}.`,
    { ...details, retryAfterSeconds: seconds },
  );
}

/**
 * The cluster did not answer, failed on its side or asked to wait: the same request may well
 * succeed later without anyone changing anything (unlike a refusal, 403, or a rejection, 422).
 */
export function isTransient(error: ScaleDeskError): boolean {
  return error.code === 'UNREACHABLE' || error.code === 'THROTTLED';
}

function detailsOf(
  request: ClusterRequest,
  extra: Record<string, unknown>,
): Record<string, unknown> {
  const details: Record<string, unknown> = {
    verb: request.verb,
    resource: request.resource,
    namespace: request.namespace ?? null,
    ...extra,
  };
  if (request.name) details['name'] = request.name;
  if (request.context) details['context'] = request.context;
  return details;
}

/** Maps any failure of a request to the cluster onto a typed ScaleDeskError. */
export function toClusterError(error: unknown, request: ClusterRequest): ScaleDeskError {
  if (error instanceof ScaleDeskError) return error;
  const spawned = (error as { syscall?: unknown } | null)?.syscall;
  if (
    typeof error === 'object' &&
    error !== null &&
    credentialPluginFailures.has(error) &&
    !(typeof spawned === 'string' && spawned.startsWith('spawn'))
  ) {
    const said = pluginSaid(error);
    return new ScaleDeskError(
      'UNAUTHORIZED',
      `The credential plugin of the kubeconfig failed${said ? `: ${said}` : ''}. Log in again or fix the plugin, then reconnect.`,
      detailsOf(request, { cause: said }),
    );
  }
  const status = statusCodeOf(error);
  const body = bodyOf(error);
  const said = body?.message ? ` The cluster said: ${body.message}` : '';

  // client-node's Metrics folds a network failure into an HTTP 500 whose message names it.
  const folded = status === 500 && !body?.message ? networkCodeOf(error) : null;
  if (status !== null && folded === null) {
    const details = detailsOf(request, { status, reason: body?.reason ?? null });
    switch (status) {
      case 401:
        return new ScaleDeskError(
          'UNAUTHORIZED',
          `${cluster(request)} rejected the credentials: they are missing, expired or revoked. Log in again or refresh the kubeconfig, then reconnect.`,
          details,
        );
      case 403:
        if (/exceeded quota/i.test(body?.message ?? '')) {
          return new ScaleDeskError(
            'QUOTA_EXCEEDED',
            `The namespace quota refused it: ${body?.message ?? 'quota exceeded'}`,
            details,
          );
        }
        return new ScaleDeskError(
          'FORBIDDEN',
          `Not allowed: you may not ${request.verb} ${target(request)} ${where(request)}.${said}`,
          details,
        );
      case 404:
        return new ScaleDeskError(
          'NOT_FOUND',
          `${target(request)} was not found ${where(request)}.${said}`,
          details,
        );
      case 409:
        return new ScaleDeskError(
          'CONFLICT',
          `${target(request)} was changed by someone else meanwhile ${where(request)}.${said}`,
          details,
        );
      case 410:
        return new ScaleDeskError(
          'CONFLICT',
          `The version of ${request.resource} asked for is too old (410 Gone); it must be read again.`,
          details,
        );
      case 422: {
        const causes = (body?.details?.causes ?? [])
          .map((c) => [c.field, c.message].filter(Boolean).join(': '))
          .filter((c) => c.length > 0);
        return new ScaleDeskError(
          'INVALID',
          `The cluster rejected ${target(request)} as invalid: ${body?.message ?? 'invalid'}`,
          { ...details, causes },
        );
      }
      case 429:
        return throttled(error, body, request, details);
      default:
        if (status >= 500) {
          return new ScaleDeskError(
            'UNREACHABLE',
            `${cluster(request)} could not serve ${request.verb} ${target(request)} (HTTP ${status}).${said}`,
            details,
          );
        }
        return new ScaleDeskError(
          'INTERNAL',
          `Unexpected answer HTTP ${status} to ${request.verb} ${target(request)} ${where(request)}.${said}`,
          details,
        );
    }
  }

  const code = networkCodeOf(error);
  const message = error instanceof Error ? error.message : String(error);
  const system = (typeof error === 'object' && error !== null ? error : {}) as {
    code?: unknown;
    syscall?: unknown;
    path?: unknown;
  };
  if (typeof system.syscall === 'string' && system.syscall.startsWith('spawn')) {
    // An exec credential plugin (kubelogin, aws, gke-gcloud-auth-plugin) that could not run.
    return new ScaleDeskError(
      'UNAUTHORIZED',
      `The credential plugin of the kubeconfig could not run (${system.syscall}: ${String(system.code)}). Install it or fix its path.`,
      detailsOf(request, { cause: message }),
    );
  }
  if (system.code === 'ENOENT' && typeof system.path === 'string') {
    // A certificate or key file the kubeconfig names, read by client-node at request time.
    return new ScaleDeskError(
      'KUBECONFIG',
      `The kubeconfig names the file ${system.path}, which does not exist.`,
      detailsOf(request, { file: system.path, problem: 'file not found' }),
    );
  }
  if (code && TLS_CODES.has(code)) {
    return new ScaleDeskError(
      'TLS',
      `${cluster(request)} answered, but its certificate is not trusted (${code}). Check the certificate authority in the kubeconfig.`,
      detailsOf(request, { code, cause: message }),
    );
  }
  if (code) {
    return new ScaleDeskError(
      'UNREACHABLE',
      `${cluster(request)} did not answer (${code}). Check the network, VPN or that the cluster is up.`,
      detailsOf(request, { code, cause: message }),
    );
  }
  return new ScaleDeskError(
    'INTERNAL',
    `Unexpected failure of ${request.verb} ${target(request)} ${where(request)}: ${message}`,
    detailsOf(request, { cause: message }),
  );
}
