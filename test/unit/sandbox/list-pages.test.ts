import { describe, expect, it } from 'vitest';
import type { KubeObject } from '../../../main/sandbox/kube-types';
import { listPage, type ListRequest } from '../../../main/sandbox/list-pages';
import { ObjectStore } from '../../../main/sandbox/object-store';
import { TYPES } from '../../../main/sandbox/resource-types';

const cm = (namespace: string, name: string, labels: Record<string, string> = {}): KubeObject => ({
  metadata: { name, namespace, labels },
  spec: { containers: [] },
});

function storeWith(...names: [string, string][]): ObjectStore {
  const store = new ObjectStore();
  for (const [ns, name] of names) store.create(TYPES.pods, cm(ns, name));
  return store;
}

const request = (extra: Partial<ListRequest> = {}): ListRequest => ({
  type: TYPES.pods,
  namespace: undefined,
  match: () => true,
  selective: false,
  limit: undefined,
  continueToken: null,
  resourceVersion: null,
  resourceVersionMatch: null,
  ...extra,
});

const names = (items: KubeObject[]) =>
  items.map((o) => `${o.metadata.namespace ?? ''}/${o.metadata.name ?? ''}`);

describe('list pages', () => {
  it('serves every page from the first page resourceVersion snapshot', () => {
    const store = storeWith(['a', 'p1'], ['a', 'p2'], ['a', 'p3'], ['a', 'p4']);
    const first = listPage(store, request({ limit: 2 }));
    expect(names(first.items)).toEqual(['a/p1', 'a/p2']);
    const p3 = store.get(TYPES.pods, 'a', 'p3') as KubeObject;
    store.update(TYPES.pods, { ...p3, metadata: { ...p3.metadata, labels: { changed: 'yes' } } });
    store.remove(TYPES.pods, 'a', 'p4');
    store.create(TYPES.pods, cm('a', 'p5'));
    const second = listPage(
      store,
      request({ limit: 2, continueToken: first.continueToken ?? null }),
    );
    expect(names(second.items)).toEqual(['a/p3', 'a/p4']);
    expect(second.items[0]?.metadata.labels).toEqual({});
    expect(second.resourceVersion).toBe(first.resourceVersion);
    expect(second.continueToken).toBeUndefined();
  });

  it('rebuilds each object as it was at the snapshot through several changes since', () => {
    const store = storeWith(['a', 'p1'], ['b', 'p2']);
    const rv = String(store.resourceVersion);
    const relabel = (name: string, ns: string, value: string) => {
      const o = store.get(TYPES.pods, ns, name) as KubeObject;
      store.update(TYPES.pods, { ...o, metadata: { ...o.metadata, labels: { v: value } } });
    };
    relabel('p1', 'a', 'one');
    relabel('p1', 'a', 'two');
    store.remove(TYPES.pods, 'a', 'p1');
    store.create(TYPES.pods, cm('a', 'p0'));
    store.create(TYPES.pods, cm('c', 'p3'));
    store.remove(TYPES.pods, 'c', 'p3');
    relabel('p2', 'b', 'three');
    const page = listPage(store, request({ resourceVersion: rv, resourceVersionMatch: 'Exact' }));
    expect(names(page.items)).toEqual(['a/p1', 'b/p2']);
    expect(page.items.map((o) => o.metadata.labels)).toEqual([{}, {}]);
  });

  it('fills each page with matching objects and counts what remains only without a selector', () => {
    const store = storeWith(['a', 'p1'], ['a', 'p2'], ['a', 'p3'], ['a', 'p4'], ['a', 'p5']);
    const odd = (o: KubeObject) => /[135]$/.test(o.metadata.name ?? '');
    const first = listPage(store, request({ limit: 2, match: odd, selective: true }));
    expect(names(first.items)).toEqual(['a/p1', 'a/p3']);
    expect(first.remaining).toBeUndefined();
    const second = listPage(
      store,
      request({
        limit: 2,
        match: odd,
        selective: true,
        continueToken: first.continueToken ?? null,
      }),
    );
    expect(names(second.items)).toEqual(['a/p5']);
    expect(second.continueToken).toBeUndefined();
    expect(listPage(store, request({ limit: 2 })).remaining).toBe(3);
  });

  it('orders by namespace then name, also where one namespace prefixes another', () => {
    const store = storeWith(['team', 'x'], ['team-b', 'a'], ['team', 'y']);
    const first = listPage(store, request({ limit: 2 }));
    const second = listPage(
      store,
      request({ limit: 2, continueToken: first.continueToken ?? null }),
    );
    expect([...names(first.items), ...names(second.items)]).toEqual([
      'team/x',
      'team/y',
      'team-b/a',
    ]);
  });

  it('answers a continue past compaction with 410 Expired and an inconsistent token', () => {
    const store = storeWith(['a', 'p1'], ['a', 'p2'], ['a', 'p3']);
    const first = listPage(store, request({ limit: 1 }));
    store.compact();
    let error: unknown;
    try {
      listPage(store, request({ limit: 1, continueToken: first.continueToken ?? null }));
    } catch (e) {
      error = e;
    }
    expect(error).toMatchObject({
      code: 410,
      reason: 'Expired',
      message: expect.stringContaining(
        'The provided continue parameter is too old to display a consistent list result.',
      ),
    });
    const token = (error as { meta: { continue?: string } }).meta.continue ?? null;
    expect(token).toBeTruthy();
    const rest = listPage(store, request({ continueToken: token }));
    expect(names(rest.items)).toEqual(['a/p2', 'a/p3']);
    expect(rest.resourceVersion).toBe(String(store.resourceVersion));
  });

  it('serves resourceVersionMatch=Exact as of that version', () => {
    const store = storeWith(['a', 'p1']);
    const rv = String(store.resourceVersion);
    store.create(TYPES.pods, cm('a', 'p2'));
    const page = listPage(store, request({ resourceVersion: rv, resourceVersionMatch: 'Exact' }));
    expect(names(page.items)).toEqual(['a/p1']);
    expect(page.resourceVersion).toBe(rv);
    store.compact();
    expect(() =>
      listPage(store, request({ resourceVersion: rv, resourceVersionMatch: 'Exact' })),
    ).toThrow(
      expect.objectContaining({
        code: 410,
        reason: 'Expired',
        message: 'The resourceVersion for the provided list is too old.',
      }),
    );
  });

  it('requires a resourceVersion for resourceVersionMatch, as ValidateListOptions does', () => {
    const store = storeWith(['a', 'p1']);
    for (const match of ['NotOlderThan', 'Exact']) {
      expect(() => listPage(store, request({ resourceVersionMatch: match }))).toThrow(
        expect.objectContaining({
          code: 422,
          message:
            'ListOptions.meta.k8s.io "" is invalid: resourceVersionMatch: Forbidden: resourceVersionMatch is forbidden unless resourceVersion is provided',
        }),
      );
    }
  });

  it('answers a resourceVersion newer than the store with 504 Too large resource version', () => {
    const store = storeWith(['a', 'p1']);
    const ahead = String(store.resourceVersion + 100);
    for (const match of [null, 'NotOlderThan', 'Exact']) {
      expect(() =>
        listPage(store, request({ resourceVersion: ahead, resourceVersionMatch: match })),
      ).toThrow(
        expect.objectContaining({
          code: 504,
          reason: 'Timeout',
          message: `Timeout: Too large resource version: ${ahead}, current: ${store.resourceVersion}`,
        }),
      );
    }
  });

  it('serves the current list for resourceVersion=0 and for NotOlderThan', () => {
    const store = storeWith(['a', 'p1']);
    const old = String(store.resourceVersion);
    store.create(TYPES.pods, cm('a', 'p2'));
    expect(names(listPage(store, request({ resourceVersion: '0' })).items)).toHaveLength(2);
    const page = listPage(
      store,
      request({ resourceVersion: old, resourceVersionMatch: 'NotOlderThan' }),
    );
    expect(names(page.items)).toHaveLength(2);
    expect(page.resourceVersion).toBe(String(store.resourceVersion));
  });

  it('does not copy the store when nothing changed after the snapshot', () => {
    const store = storeWith(['a', 'p1'], ['a', 'p2']);
    const first = listPage(store, request({ limit: 1 }));
    const second = listPage(
      store,
      request({ limit: 1, continueToken: first.continueToken ?? null }),
    );
    // The very object stored, not a reconstruction.
    expect(second.items[0]).toBe(store.get(TYPES.pods, 'a', 'p2'));
  });
});
