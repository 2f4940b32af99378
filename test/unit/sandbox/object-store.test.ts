import { describe, expect, it } from 'vitest';
import { ObjectStore } from '../../../main/sandbox/object-store';
import { TYPES } from '../../../main/sandbox/resource-types';

const ns = (name: string) => ({ metadata: { name } });

describe('the object store', () => {
  it('gives every write a new resourceVersion and refuses a stale update with 409', () => {
    const store = new ObjectStore();
    const a = store.create(TYPES.namespaces, ns('a'));
    const b = store.update(
      TYPES.namespaces,
      { ...a, metadata: { ...a.metadata, labels: { x: '1' } } },
      a.metadata.resourceVersion,
    );
    expect(Number(b.metadata.resourceVersion)).toBeGreaterThan(Number(a.metadata.resourceVersion));
    expect(() => store.update(TYPES.namespaces, a, a.metadata.resourceVersion)).toThrow(
      expect.objectContaining({ code: 409, reason: 'Conflict' }),
    );
    expect(() => store.create(TYPES.namespaces, ns('a'))).toThrow(
      expect.objectContaining({ code: 409, reason: 'AlreadyExists' }),
    );
  });

  it('replays changes after a version, and expires versions older than its history', () => {
    const store = new ObjectStore({ historySize: 3 });
    const first = store.create(TYPES.namespaces, ns('a'));
    store.create(TYPES.namespaces, ns('b'));
    const changes = store.changesSince(Number(first.metadata.resourceVersion));
    expect(changes).not.toBe('expired');
    expect(
      (changes as { object: { metadata: { name?: string } } }[]).map((c) => c.object.metadata.name),
    ).toEqual(['b']);
    for (const name of ['c', 'd', 'e']) store.create(TYPES.namespaces, ns(name));
    expect(store.changesSince(Number(first.metadata.resourceVersion))).toBe('expired');
  });

  it('delivers changes made by a listener after the change that caused them', () => {
    const store = new ObjectStore();
    const seen: string[] = [];
    store.subscribe((e) => {
      if (e.object.metadata.name === 'a') store.create(TYPES.namespaces, ns('caused-by-a'));
    });
    store.subscribe((e) => seen.push(e.object.metadata.name ?? ''));
    store.create(TYPES.namespaces, ns('a'));
    expect(seen).toEqual(['a', 'caused-by-a']);
  });
});
