import {
  AppsV1Api,
  HttpMethod,
  KubeConfig,
  Observable,
  PatchStrategy,
  RequestContext,
  ResponseContext,
  setHeaderOptions,
  type HttpLibrary,
} from '@kubernetes/client-node';
import { describe, expect, it } from 'vitest';
import {
  DEFAULT_RETRY_POLICY,
  onAnswers,
  parseRetryAfter,
  retryAfterDelay,
  retryingApiClient,
  retryingHttpLibrary,
  type Answer,
} from '../../../main/kube/request-retry';
import { toClusterError } from '../../../main/kube/cluster-errors';

interface Sent {
  method: string;
  url: string;
  body: unknown;
}

type ScriptedAnswer = { status: number; headers?: Record<string, string>; body?: unknown } | Error;

/** An http library answering from a script, one answer per request, recording what was sent. */
function scripted(answers: ScriptedAnswer[]) {
  const sent: Sent[] = [];
  const library: HttpLibrary = {
    send(request: RequestContext) {
      sent.push({
        method: request.getHttpMethod(),
        url: request.getUrl(),
        body: request.getBody(),
      });
      const answer = answers.shift();
      if (!answer) throw new Error('no answer scripted');
      if (answer instanceof Error) return new Observable(Promise.reject(answer));
      const text = JSON.stringify(answer.body ?? {});
      return new Observable(
        Promise.resolve(
          new ResponseContext(
            answer.status,
            { 'content-type': 'application/json', ...(answer.headers ?? {}) },
            { text: async () => text, binary: async () => Buffer.from(text) },
          ),
        ),
      );
    },
  };
  return { library, sent };
}

const scale = (replicas: number, resourceVersion: string) => ({
  apiVersion: 'autoscaling/v1',
  kind: 'Scale',
  metadata: { name: 'web', namespace: 'shop', resourceVersion },
  spec: { replicas },
});

const throttled = (retryAfter?: string): ScriptedAnswer => ({
  status: 429,
  headers: retryAfter === undefined ? {} : { 'retry-after': retryAfter },
  body: { kind: 'Status', code: 429, reason: 'TooManyRequests', message: 'slow down' },
});

function kubeConfig(): KubeConfig {
  const kc = new KubeConfig();
  kc.loadFromOptions({
    clusters: [{ name: 'c', server: 'https://k8s.example.com', skipTLSVerify: false }],
    users: [{ name: 'u', token: 'secret-token' }],
    contexts: [{ name: 'ctx', cluster: 'c', user: 'u' }],
    currentContext: 'ctx',
  });
  return kc;
}

function client(answers: Parameters<typeof scripted>[0], waits: number[] = []) {
  const kc = kubeConfig();
  const { library, sent } = scripted(answers);
  const heard: Answer[] = [];
  onAnswers(kc, (answer) => heard.push(answer));
  const apps = retryingApiClient(kc, AppsV1Api, {
    inner: library,
    sleep: async (ms) => {
      waits.push(ms);
    },
    random: () => 0,
  });
  return { apps, sent, heard, waits };
}

const mergePatch = setHeaderOptions('Content-Type', PatchStrategy.MergePatch);

function patchScale(apps: AppsV1Api) {
  return apps.patchNamespacedDeploymentScale(
    {
      name: 'web',
      namespace: 'shop',
      body: { metadata: { resourceVersion: '41' }, spec: { replicas: 3 } },
    },
    mergePatch,
  );
}

describe('retrying http library', () => {
  it('sends a throttled write again, the same body with its resourceVersion guard, after Retry-After', async () => {
    const waits: number[] = [];
    const { apps, sent, heard } = client(
      [throttled('2'), { status: 200, body: scale(3, '42') }],
      waits,
    );
    const result = await patchScale(apps);
    expect(result.spec?.replicas).toBe(3);
    expect(sent).toHaveLength(2);
    expect(sent[1]).toEqual(sent[0]);
    expect(JSON.parse(String(sent[1]?.body))).toEqual({
      metadata: { resourceVersion: '41' },
      spec: { replicas: 3 },
    });
    expect(waits).toEqual([2000]);
    expect(heard).toEqual(['throttled', 'passed']);
  });

  it('hands a 409 after a retry back as a conflict, for the write guard to judge', async () => {
    const { apps, sent } = client([
      throttled('1'),
      { status: 409, body: { kind: 'Status', code: 409, reason: 'Conflict', message: 'changed' } },
    ]);
    const error = await patchScale(apps).catch((e: unknown) => e);
    expect(sent).toHaveLength(2);
    expect(toClusterError(error, { verb: 'patch', resource: 'deployments/scale' }).code).toBe(
      'CONFLICT',
    );
  });

  it('honours a 503 that says Retry-After, but not one that does not', async () => {
    const retried = client([
      { status: 503, headers: { 'retry-after': '3' }, body: {} },
      { status: 200, body: scale(3, '42') },
    ]);
    await patchScale(retried.apps);
    expect(retried.sent).toHaveLength(2);
    expect(retried.waits).toEqual([3000]);

    const failing = client([{ status: 503, body: { kind: 'Status', code: 503, message: 'down' } }]);
    const error = await patchScale(failing.apps).catch((e: unknown) => e);
    expect(failing.sent).toHaveLength(1);
    expect((error as { code?: number }).code).toBe(503);
  });

  it('waits 1 s where a 429 says no Retry-After, and caps a long Retry-After at 10 s', async () => {
    const { apps, waits } = client([
      throttled(),
      throttled('3600'),
      { status: 200, body: scale(3, '42') },
    ]);
    await patchScale(apps);
    expect(waits).toEqual([1000, 10_000]);
  });

  it('gives up after its bounded retries with the THROTTLED error, naming the wait asked', async () => {
    const answers = Array.from({ length: DEFAULT_RETRY_POLICY.maxRetries + 1 }, () =>
      throttled('1'),
    );
    const { apps, sent } = client(answers);
    const error = await patchScale(apps).catch((e: unknown) => e);
    expect(sent).toHaveLength(DEFAULT_RETRY_POLICY.maxRetries + 1);
    const mapped = toClusterError(error, { verb: 'patch', resource: 'deployments/scale' });
    expect(mapped.code).toBe('THROTTLED');
    expect(mapped.details?.['retryAfterSeconds']).toBe(1);
  });

  it('stops retrying once the waits would pass its budget, before callers time out', async () => {
    const { apps, sent, waits } = client([throttled('10'), throttled('10'), throttled('10')]);
    const error = await patchScale(apps).catch((e: unknown) => e);
    expect((error as { code?: number }).code).toBe(429);
    expect(waits.reduce((a, b) => a + b, 0)).toBeLessThanOrEqual(DEFAULT_RETRY_POLICY.budgetMs);
    expect(sent).toHaveLength(3);
  });

  it('does not send a write again after a network error: whether it landed is unknown', async () => {
    const reset = Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' });
    const { apps, sent } = client([reset, { status: 200, body: scale(3, '42') }]);
    await expect(patchScale(apps)).rejects.toThrow('socket hang up');
    expect(sent).toHaveLength(1);
  });

  it('sends everything else through unchanged, once', async () => {
    const { library, sent } = scripted([{ status: 200, body: { ok: true } }]);
    const retrying = retryingHttpLibrary({ inner: library });
    const request = new RequestContext('https://k8s.example.com/version', HttpMethod.GET);
    const response = await retrying.send(request).toPromise();
    expect(response.httpStatusCode).toBe(200);
    expect(sent).toHaveLength(1);
  });
});

describe('Retry-After', () => {
  it('reads seconds and HTTP dates', () => {
    const now = Date.parse('2026-11-30T06:00:00Z');
    expect(parseRetryAfter('5', now)).toBe(5);
    expect(parseRetryAfter('Mon, 30 Nov 2026 06:00:07 GMT', now)).toBe(7);
    expect(parseRetryAfter('soon', now)).toBeNull();
    expect(parseRetryAfter(undefined, now)).toBeNull();
  });

  it('waits what was asked plus up to a quarter more at random', () => {
    expect(retryAfterDelay(2, DEFAULT_RETRY_POLICY, () => 0)).toBe(2000);
    expect(retryAfterDelay(2, DEFAULT_RETRY_POLICY, () => 1)).toBe(2500);
    expect(retryAfterDelay(null, DEFAULT_RETRY_POLICY, () => 0)).toBe(1000);
  });
});
