import {
  createConfiguration,
  IsomorphicFetchHttpLibrary,
  ServerConfiguration,
  wrapHttpLibrary,
  type ApiConstructor,
  type ApiType,
  type HttpLibrary,
  type KubeConfig,
  type RequestContext,
  type ResponseContext,
} from '@kubernetes/client-node';

/**
 * A throttling cluster honoured in one place: every request of client-node's typed API goes
 * through this http library (kubeconfig.ts makes every API client with it), which answers a
 * 429, or a 503 that says Retry-After, by waiting what the server asked (capped, with jitter)
 * and sending the very same request again, a bounded number of times, as client-go does (its
 * default is 10 retries). Only then is the throttled answer handed back, and client-node turns
 * it into the ApiException that cluster-errors.ts reads as THROTTLED.
 *
 * Why resending is safe even for writes: a 429 or 503 means the server did not act on the
 * request, and the same request is sent again (same body, so a guarded write keeps its
 * resourceVersion precondition). A network error after sending is NOT retried here: whether the
 * server acted is unknown, and that stays for the callers to judge as before.
 *
 * client-node's `Watch` and `Metrics` use fetch directly, not this library: ResourceWatch waits
 * out a refused watch with {@link retryAfterDelay} itself, and reports what it saw through
 * {@link reportAnswer}, so the throttling tracker hears about watches too.
 */

export interface RetryPolicy {
  /** Retries after the first attempt (client-go: 10). */
  maxRetries: number;
  /** The longest single wait, whatever Retry-After says. */
  maxWaitMs: number;
  /** The wait for a 429 that says no Retry-After (client-go waits 1 s too). */
  defaultWaitMs: number;
  /**
   * The most waited over all retries of one request: stays under the callers' own request
   * timeouts (30 s), so a request is not abandoned by its caller while a retry is still to come.
   */
  budgetMs: number;
  /** Up to this share of each wait is added at random, so throttled clients do not return together. */
  jitter: number;
}

export const DEFAULT_RETRY_POLICY: RetryPolicy = {
  maxRetries: 10,
  maxWaitMs: 10_000,
  defaultWaitMs: 1_000,
  budgetMs: 20_000,
  jitter: 0.25,
};

/** What a request's answer said of throttling: the server throttled it, or it went through. */
export type Answer = 'throttled' | 'passed';
type AnswerListener = (answer: Answer) => void;

/**
 * Listeners per KubeConfig: a session's KubeConfig is its own (kubeConfigForContext), so the
 * answers heard are that session's requests, whichever module made them.
 */
const answerListeners = new WeakMap<KubeConfig, Set<AnswerListener>>();

/** Hears every answer to a request made with this KubeConfig; returns the unsubscribe. */
export function onAnswers(kubeConfig: KubeConfig, listener: AnswerListener): () => void {
  let listeners = answerListeners.get(kubeConfig);
  if (!listeners) {
    listeners = new Set();
    answerListeners.set(kubeConfig, listeners);
  }
  listeners.add(listener);
  return () => listeners.delete(listener);
}

export function reportAnswer(kubeConfig: KubeConfig, answer: Answer): void {
  for (const listener of answerListeners.get(kubeConfig) ?? []) listener(answer);
}

/**
 * Seconds from a Retry-After value: delay-seconds or an HTTP date; null where it says neither.
 */
export function parseRetryAfter(value: string | undefined, now = Date.now()): number | null {
  if (value === undefined) return null;
  const text = value.trim();
  if (/^\d+$/.test(text)) return Number(text);
  const at = Date.parse(text);
  return Number.isNaN(at) ? null : Math.max(0, Math.ceil((at - now) / 1000));
}

/** The wait before asking again after a throttled answer: Retry-After (or 1 s), capped, jittered. */
export function retryAfterDelay(
  retryAfterSeconds: number | null,
  policy: RetryPolicy = DEFAULT_RETRY_POLICY,
  random = Math.random,
): number {
  const asked = retryAfterSeconds === null ? policy.defaultWaitMs : retryAfterSeconds * 1000;
  const wait = Math.min(policy.maxWaitMs, asked);
  return Math.round(wait * (1 + random() * policy.jitter));
}

/**
 * Whether an answer asks to send the same request again later, and after how many seconds
 * (null: it did not say); null where it does not: a 503 without Retry-After is a failure, not
 * a request to come back.
 */
export function throttleOf(
  status: number,
  headers: Record<string, string>,
): { retryAfterSeconds: number | null } | null {
  const retryAfterSeconds = parseRetryAfter(headers['retry-after']);
  if (status === 429) return { retryAfterSeconds };
  if (status === 503 && retryAfterSeconds !== null) return { retryAfterSeconds };
  return null;
}

/** A body that can be sent twice: none, text or bytes (not a stream or a form). */
function resendable(request: RequestContext): boolean {
  const body = request.getBody();
  return body === undefined || typeof body === 'string' || Buffer.isBuffer(body);
}

export interface RetryingOptions {
  kubeConfig?: KubeConfig;
  policy?: RetryPolicy;
  /** The library that sends; client-node's own by default. */
  inner?: HttpLibrary;
  sleep?: (ms: number) => Promise<void>;
  random?: () => number;
}

/** An http library that sends through `inner` and honours 429 and 503 with Retry-After. */
export function retryingHttpLibrary(options: RetryingOptions = {}): HttpLibrary {
  const inner = options.inner ?? new IsomorphicFetchHttpLibrary();
  const policy = options.policy ?? DEFAULT_RETRY_POLICY;
  const sleep =
    options.sleep ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)));
  const random = options.random ?? Math.random;
  const report = (answer: Answer) => {
    if (options.kubeConfig) reportAnswer(options.kubeConfig, answer);
  };
  return wrapHttpLibrary({
    async send(request: RequestContext): Promise<ResponseContext> {
      let waited = 0;
      for (let retries = 0; ; retries++) {
        const response = await inner.send(request).toPromise();
        const throttle = throttleOf(response.httpStatusCode, response.headers);
        if (!throttle) {
          report('passed');
          return response;
        }
        report('throttled');
        const delay = retryAfterDelay(throttle.retryAfterSeconds, policy, random);
        if (
          retries >= policy.maxRetries ||
          waited + delay > policy.budgetMs ||
          !resendable(request)
        ) {
          return response;
        }
        // Read to its end, so the connection goes back to the pool for the retry.
        await response.body.text().catch(() => '');
        waited += delay;
        await sleep(delay);
      }
    },
  });
}

/**
 * An API client as `KubeConfig.makeApiClient` makes it (the current cluster, the kubeconfig's
 * credentials), sending through {@link retryingHttpLibrary}.
 */
export function retryingApiClient<T extends ApiType>(
  kubeConfig: KubeConfig,
  apiClientType: ApiConstructor<T>,
  options: Omit<RetryingOptions, 'kubeConfig'> = {},
): T {
  const cluster = kubeConfig.getCurrentCluster();
  if (!cluster) throw new Error('No active cluster!');
  return new apiClientType(
    createConfiguration({
      baseServer: new ServerConfiguration(cluster.server, {}),
      authMethods: { default: kubeConfig },
      httpApi: retryingHttpLibrary({ ...options, kubeConfig }),
    }),
  );
}
