import { KubeConfig, type V1ListMeta, type V1Pod } from '@kubernetes/client-node';
import { describe, expect, it } from 'vitest';
import { slimPod } from '../../../main/kube/object-slimming';
import { LIST_PAGE_SIZE, listAllPages, type ListPage } from '../../../main/kube/paged-list';
import { ResourceWatch } from '../../../main/kube/resource-watch';

/** A kubeconfig whose server refuses at once: these tests are about the list, not the watch. */
function nowhere(): KubeConfig {
  const kc = new KubeConfig();
  kc.loadFromOptions({
    clusters: [{ name: 'c', server: 'https://127.0.0.1:1', skipTLSVerify: false }],
    users: [{ name: 'u', token: 't' }],
    contexts: [{ name: 'ctx', cluster: 'c', user: 'u' }],
    currentContext: 'ctx',
  });
  return kc;
}

const pod = (name: string): V1Pod => ({
  metadata: { name, namespace: 'shop', resourceVersion: name.slice(4) },
});

type Page = { metadata?: V1ListMeta; items: V1Pod[] };

/** Lists once through `list`, then stops; resolves with the names held and the pages asked. */
async function listOnce(list: (page: ListPage) => Promise<Page>, pageSize?: number) {
  const asked: ListPage[] = [];
  let synced: () => void = () => {};
  const listed = new Promise<void>((resolve) => (synced = resolve));
  const watch = new ResourceWatch<V1Pod>({
    kubeConfig: nowhere(),
    path: '/api/v1/namespaces/shop/pods',
    type: 'V1Pod',
    list: (page) => {
      asked.push(page);
      return list(page);
    },
    request: { resource: 'pods', namespace: 'shop' },
    onEvent: () => {},
    onSynced: () => synced(),
    ...(pageSize ? { pageSize } : {}),
  });
  watch.start();
  await listed;
  await watch.stop();
  return { names: [...watch.items.values()].map((p) => p.metadata?.name), asked, watch };
}

describe('paged lists', () => {
  it('asks in pages of 500 and follows continue to the last page', async () => {
    const pages: Page[] = [
      { metadata: { resourceVersion: '100', _continue: 'a' }, items: [pod('pod-1'), pod('pod-2')] },
      { metadata: { resourceVersion: '100', _continue: 'b' }, items: [pod('pod-3')] },
      { metadata: { resourceVersion: '100' }, items: [pod('pod-4')] },
    ];
    const { names, asked } = await listOnce(async () => pages.shift()!);
    expect(names).toEqual(['pod-1', 'pod-2', 'pod-3', 'pod-4']);
    expect(asked).toEqual([
      { limit: LIST_PAGE_SIZE },
      { limit: LIST_PAGE_SIZE, _continue: 'a' },
      { limit: LIST_PAGE_SIZE, _continue: 'b' },
    ]);
  });

  it("watches from the first page's resourceVersion, not a later page's", async () => {
    const pages: Page[] = [
      { metadata: { resourceVersion: '100', _continue: 'a' }, items: [pod('pod-1')] },
      { metadata: { resourceVersion: '107' }, items: [pod('pod-2')] },
    ];
    const { watch } = await listOnce(async () => pages.shift()!, 1);
    expect((watch as unknown as { resourceVersion: string }).resourceVersion).toBe('100');
  });

  it('starts the list again from its first page where a continue token expired (410)', async () => {
    let calls = 0;
    const { names, asked } = await listOnce(async (page) => {
      calls++;
      if (calls === 1)
        return { metadata: { resourceVersion: '100', _continue: 'old' }, items: [pod('pod-1')] };
      if (calls === 2) throw Object.assign(new Error('Expired'), { code: 410 });
      if (page._continue === undefined) {
        return { metadata: { resourceVersion: '200', _continue: 'new' }, items: [pod('pod-1')] };
      }
      return { metadata: { resourceVersion: '200' }, items: [pod('pod-9')] };
    }, 1);
    expect(asked.map((p) => p._continue ?? null)).toEqual([null, 'old', null, 'new']);
    expect(names).toEqual(['pod-1', 'pod-9']);
  });

  it("asks for the next page before decoding this page's items", async () => {
    const log: string[] = [];
    const list = await listAllPages<string>(
      async (page) => {
        log.push(`ask ${page._continue ?? 'first'}`);
        const n = page._continue === undefined ? 1 : 2;
        return {
          metadata: { resourceVersion: '1', ...(n === 1 ? { _continue: 'a' } : {}) },
          items: () => {
            log.push(`decode ${n}`);
            return [`item-${n}`];
          },
        };
      },
      { timeoutMs: 1000 },
    );
    expect(list?.items).toEqual(['item-1', 'item-2']);
    expect(log).toEqual(['ask first', 'ask a', 'decode 1', 'decode 2']);
  });

  it('fails the list where the page asked ahead fails, after the page before was decoded', async () => {
    let decoded = 0;
    const failing = listAllPages<string>(
      async (page) => {
        if (page._continue !== undefined)
          throw Object.assign(new Error('gone away'), { code: 500 });
        return {
          metadata: { resourceVersion: '1', _continue: 'a' },
          items: () => {
            decoded++;
            return ['item-1'];
          },
        };
      },
      { timeoutMs: 1000 },
    );
    await expect(failing).rejects.toThrow('gone away');
    expect(decoded).toBe(1);
  });

  it('keeps each listed object as its decode reads the JSON', async () => {
    let synced: () => void = () => {};
    const listed = new Promise<void>((resolve) => (synced = resolve));
    const watch = new ResourceWatch<V1Pod>({
      kubeConfig: nowhere(),
      path: '/api/v1/namespaces/shop/pods',
      type: 'V1Pod',
      list: async () => ({
        metadata: { resourceVersion: '1' },
        items: () => [
          {
            metadata: {
              name: 'web-1',
              namespace: 'shop',
              creationTimestamp: '2026-11-27T06:24:38Z',
              managedFields: [{ manager: 'kubelet' }],
            },
            spec: { containers: [{ name: 'web' }], volumes: [{ name: 'token' }] },
          },
        ],
      }),
      decode: slimPod,
      request: { resource: 'pods', namespace: 'shop' },
      onEvent: () => {},
      onSynced: () => synced(),
    });
    watch.start();
    await listed;
    await watch.stop();
    const pod = watch.items.get('shop/web-1');
    expect(pod?.metadata?.creationTimestamp).toEqual(new Date('2026-11-27T06:24:38Z'));
    expect(pod?.metadata?.managedFields).toBeUndefined();
    expect(pod?.spec?.volumes).toBeUndefined();
  });
});
