import {
  KubeConfig,
  Observable,
  ResponseContext,
  type HttpLibrary,
  type RequestContext,
} from '@kubernetes/client-node';
import { describe, expect, it } from 'vitest';
import { toClusterError } from '../../../main/kube/cluster-errors';
import { listBody, RawListApi } from '../../../main/kube/raw-list';
import { retryingApiClient } from '../../../main/kube/request-retry';

function kubeConfig(): KubeConfig {
  const kc = new KubeConfig();
  kc.loadFromOptions({
    clusters: [{ name: 'c', server: 'https://127.0.0.1:6443' }],
    users: [{ name: 'u', token: 'secret-token' }],
    contexts: [{ name: 'ctx', cluster: 'c', user: 'u' }],
    currentContext: 'ctx',
  });
  return kc;
}

type Answer = { status: number; headers?: Record<string, string>; text: string };

/** An http library answering from a script, recording each request's URL and headers. */
function scripted(answers: Answer[]) {
  const sent: { url: string; headers: Record<string, string> }[] = [];
  const library: HttpLibrary = {
    send(request: RequestContext) {
      sent.push({ url: request.getUrl(), headers: request.getHeaders() });
      const answer = answers.shift();
      if (!answer) throw new Error('no answer scripted');
      return new Observable(
        Promise.resolve(
          new ResponseContext(
            answer.status,
            { 'content-type': 'application/json', ...(answer.headers ?? {}) },
            {
              text: async () => answer.text,
              binary: async () => Buffer.from(answer.text),
            },
          ),
        ),
      );
    },
  };
  return { library, sent };
}

const podList = JSON.stringify({
  kind: 'PodList',
  apiVersion: 'v1',
  metadata: { resourceVersion: '42', continue: 'next-token', remainingItemCount: 3 },
  items: [{ metadata: { name: 'web-1', namespace: 'shop' } }],
});

function api(answers: Answer[]) {
  const { library, sent } = scripted(answers);
  const raw = retryingApiClient(kubeConfig(), RawListApi, {
    inner: library,
    sleep: async () => {},
  });
  return { raw, sent };
}

describe('a list page read as JSON', () => {
  it('asks for the page with its limit, continue token and the kubeconfig credentials', async () => {
    const { raw, sent } = api([{ status: 200, text: podList }]);
    await raw.page('/api/v1/pods', { limit: 500, _continue: 'abc' });
    const url = new URL(sent[0]!.url);
    expect(url.pathname).toBe('/api/v1/pods');
    expect(url.searchParams.get('limit')).toBe('500');
    expect(url.searchParams.get('continue')).toBe('abc');
    expect(sent[0]!.headers['Authorization']).toBe('Bearer secret-token');
  });

  it('answers the list metadata and the items as the server wrote them', async () => {
    const { raw } = api([{ status: 200, text: podList }]);
    const page = await raw.page('/api/v1/pods', { limit: 500 });
    expect(page.metadata).toEqual({
      resourceVersion: '42',
      _continue: 'next-token',
      remainingItemCount: 3,
    });
    expect(typeof page.items === 'function' ? page.items() : page.items).toEqual([
      { metadata: { name: 'web-1', namespace: 'shop' } },
    ]);
  });

  it('sends a throttled page again after its Retry-After', async () => {
    const { raw, sent } = api([
      { status: 429, headers: { 'retry-after': '1' }, text: '{}' },
      { status: 200, text: podList },
    ]);
    const page = await raw.page('/api/v1/pods', { limit: 500 });
    expect(sent).toHaveLength(2);
    expect(page.metadata?.resourceVersion).toBe('42');
  });

  it('fails as the typed API does: an expired continue is a 410 with its Status', async () => {
    const status = {
      kind: 'Status',
      status: 'Failure',
      reason: 'Expired',
      message: 'The provided continue parameter is too old',
      code: 410,
    };
    const { raw } = api([{ status: 410, text: JSON.stringify(status) }]);
    const error: unknown = await raw.page('/api/v1/pods', { limit: 500, _continue: 'old' }).then(
      () => null,
      (e: unknown) => e,
    );
    // paged-list.ts starts again on the code; the Status body goes along, as the typed API's.
    expect(error).toMatchObject({ code: 410 });
    expect(String((error as { body?: unknown }).body)).toContain('"reason":"Expired"');
  });

  it('reads a refused list as FORBIDDEN, naming the resource', async () => {
    const status = { kind: 'Status', reason: 'Forbidden', message: 'pods is forbidden', code: 403 };
    const { raw } = api([{ status: 403, text: JSON.stringify(status) }]);
    const error: unknown = await raw.page('/api/v1/pods', { limit: 500 }).catch((e: unknown) => e);
    expect(toClusterError(error, { verb: 'list', resource: 'pods' }).code).toBe('FORBIDDEN');
  });
});

describe('a list body', () => {
  it('reads the metadata from the head of the body without parsing the items', () => {
    // Items that are not JSON: parsing them would throw, and only items() parses them.
    const text = `{"kind":"PodList","metadata":{"resourceVersion":"7","continue":"t"},"items":[not json]}`;
    const page = listBody(text);
    expect(page.metadata).toEqual({ resourceVersion: '7', _continue: 't' });
    expect(() => (typeof page.items === 'function' ? page.items() : page.items)).toThrow();
  });

  it('finds the metadata where the server writes it after the items', () => {
    const text = JSON.stringify({
      items: [{ metadata: { name: 'web-1', resourceVersion: '3' } }],
      metadata: { resourceVersion: '9' },
    });
    const page = listBody(text);
    expect(page.metadata).toEqual({ resourceVersion: '9' });
    expect(typeof page.items === 'function' ? page.items() : page.items).toHaveLength(1);
  });

  it('reads an empty continue token as the last page', () => {
    const page = listBody('{"metadata":{"resourceVersion":"5","continue":""},"items":[]}');
    expect(page.metadata?._continue).toBeUndefined();
  });
});
