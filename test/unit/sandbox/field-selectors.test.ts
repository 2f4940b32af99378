import { describe, expect, it } from 'vitest';
import { fieldSelectorMatcher, selectableFields } from '../../../main/sandbox/field-selectors';
import type { KubeObject } from '../../../main/sandbox/kube-types';
import { TYPES } from '../../../main/sandbox/resource-types';

const pod = (name: string, extra: Record<string, unknown> = {}): KubeObject => ({
  metadata: { name, namespace: 'demo' },
  spec: { nodeName: 'node-1', containers: [] },
  status: { phase: 'Running', podIPs: [{ ip: '10.0.0.7' }] },
  ...extra,
});

describe('field selectors, per resource as the API server allows them', () => {
  it('selects pods on the fields pods have', () => {
    const match = fieldSelectorMatcher(TYPES.pods, 'spec.nodeName=node-1,status.phase!=Pending');
    expect(match?.(pod('a'))).toBe(true);
    expect(match?.(pod('b', { status: { phase: 'Pending' } }))).toBe(false);
    expect(fieldSelectorMatcher(TYPES.pods, 'status.podIP=10.0.0.7')?.(pod('a'))).toBe(true);
    expect(fieldSelectorMatcher(TYPES.pods, 'spec.hostNetwork=false')?.(pod('a'))).toBe(true);
  });

  it('selects every resource on metadata.name and metadata.namespace', () => {
    const match = fieldSelectorMatcher(
      TYPES.deployments,
      'metadata.name==web,metadata.namespace=demo',
    );
    expect(match?.({ metadata: { name: 'web', namespace: 'demo' } })).toBe(true);
    expect(match?.({ metadata: { name: 'api', namespace: 'demo' } })).toBe(false);
  });

  it('selects events on involvedObject fields, source and type', () => {
    const event: KubeObject = {
      metadata: { name: 'e', namespace: 'demo' },
      involvedObject: { kind: 'Pod', name: 'web-1' },
      source: { component: 'kubelet' },
      type: 'Warning',
    };
    const match = fieldSelectorMatcher(
      TYPES.events,
      'involvedObject.kind=Pod,involvedObject.name=web-1,source=kubelet,type=Warning',
    );
    expect(match?.(event)).toBe(true);
  });

  it('refuses a label the resource does not support with 400 naming it', () => {
    expect(() => fieldSelectorMatcher(TYPES.deployments, 'spec.replicas=2')).toThrow(
      expect.objectContaining({ code: 400, message: 'field label not supported: spec.replicas' }),
    );
    expect(() => fieldSelectorMatcher(TYPES.pods, 'spec.containers=x')).toThrow(
      expect.objectContaining({ message: 'field label not supported: spec.containers' }),
    );
    expect(selectableFields(TYPES.replicasets)).toContain('status.replicas');
    expect(selectableFields(TYPES.deployments)).toEqual(['metadata.name', 'metadata.namespace']);
  });

  it('accepts only the equality operators', () => {
    expect(() => fieldSelectorMatcher(TYPES.pods, 'status.phase>Running')).toThrow(
      expect.objectContaining({ code: 400 }),
    );
    expect(() => fieldSelectorMatcher(TYPES.pods, 'status.phase in (Running)')).toThrow(
      expect.objectContaining({ code: 400 }),
    );
  });
});
