import { describe, expect, it } from 'vitest';
import { containerMemoryPatch } from '../../../main/operations/cluster-writes';

const base = '/spec/template/spec/containers/1';
const nameTest = { op: 'test', path: `${base}/name`, value: 'web' };

describe("the patch of a memory limit touches that container's memory and nothing else", () => {
  it('replaces the limit where the container has one, guarded by the resourceVersion', () => {
    const container = {
      name: 'web',
      resources: { limits: { memory: '8Gi', cpu: '2' }, requests: { memory: '4Gi' } },
    };
    expect(containerMemoryPatch(1, container, { limit: '12Gi' }, '42')).toEqual([
      { op: 'replace', path: '/metadata/resourceVersion', value: '42' },
      nameTest,
      { op: 'replace', path: `${base}/resources/limits/memory`, value: '12Gi' },
    ]);
  });

  it('adds the resources where the container has none', () => {
    expect(containerMemoryPatch(1, { name: 'web' }, { limit: '12Gi' }, null)).toEqual([
      nameTest,
      { op: 'add', path: `${base}/resources`, value: { limits: { memory: '12Gi' } } },
    ]);
  });

  it('adds the memory key beside a CPU limit, and lowers the request with it', () => {
    const container = {
      name: 'web',
      resources: { limits: { cpu: '1' }, requests: { memory: '8Gi' } },
    };
    expect(containerMemoryPatch(1, container, { limit: '4Gi', request: '4Gi' }, null)).toEqual([
      nameTest,
      { op: 'add', path: `${base}/resources/limits/memory`, value: '4Gi' },
      { op: 'replace', path: `${base}/resources/requests/memory`, value: '4Gi' },
    ]);
  });

  it('adds the limits map where only requests exist', () => {
    const container = { name: 'web', resources: { requests: { memory: '1Gi' } } };
    expect(containerMemoryPatch(1, container, { limit: '2Gi' }, null)).toEqual([
      nameTest,
      { op: 'add', path: `${base}/resources/limits`, value: { memory: '2Gi' } },
    ]);
  });

  it('removes the limit for an Undo back to the namespace default, only where it is set', () => {
    const container = { name: 'web', resources: { limits: { memory: '12Gi' } } };
    expect(containerMemoryPatch(1, container, { limit: null, request: null }, null)).toEqual([
      nameTest,
      { op: 'remove', path: `${base}/resources/limits/memory` },
    ]);
  });
});
