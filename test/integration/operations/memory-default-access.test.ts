import { describe, expect, it } from 'vitest';
import { GIB } from '../../../shared/app-model';
import { NS, errorOf, useHarness, valueOf } from '../../fixtures/operations-harness';

/**
 * The namespace default memory limit by who may change it, in the harness's `ops` namespace
 * (no LimitRange; shop, ledger and portal set limits of their own): a viewer is told before
 * anything is sent; an admin's default is a new LimitRange, as kubectl sees it.
 */

const h = useHarness();

describe('the namespace default memory limit, by permission', () => {
  it('tells a viewer they may not create limitranges, and refuses their change before sending it', async () => {
    const defaults = valueOf(
      await h.call('namespace.memoryDefaults', { namespace: NS }, h.viewerOps),
    );
    expect(defaults).toMatchObject({ limitRange: null, defaultBytes: null, appsOnDefault: [] });
    expect(defaults.permission.state).toBe('denied');
    expect(defaults.permission.reason).toContain('create limitranges');

    const refused = errorOf(
      await h.call('namespace.setMemoryDefault', { namespace: NS, limit: '12Gi' }, h.viewerOps),
    );
    expect(refused.code).toBe('FORBIDDEN');
    expect(await h.kubectl('get', 'limitranges', '-o', 'name')).toBe('');
    expect(valueOf(await h.call('activity.list', {}, h.viewerOps))).toEqual([]);
  });

  it("refuses what Kubernetes' quantity parser does not read as whole bytes above 0, and nothing is logged", async () => {
    for (const limit of ['0', '0.5', '12 GB']) {
      const error = errorOf(await h.call('namespace.setMemoryDefault', { namespace: NS, limit }));
      expect(['INVALID', 'INVALID_INPUT']).toContain(error.code);
    }
    expect(await h.kubectl('get', 'limitranges', '-o', 'name')).toBe('');
    expect(valueOf(await h.call('activity.list', {}))).toEqual([]);
  });

  it("creates an admin's default as the LimitRange scaledesk-defaults, as kubectl sees it", async () => {
    const saved = valueOf(
      await h.call('namespace.setMemoryDefault', {
        namespace: NS,
        limit: '4Gi',
        request: '1Gi',
        expectedDefaultBytes: null,
      }),
    );
    expect(saved.activity).toMatchObject({ kind: 'memory-default', from: null, to: '4Gi' });
    const jsonpath = '{.spec.limits[0].default.memory} {.spec.limits[0].defaultRequest.memory}';
    expect(
      await h.kubectl('get', 'limitrange', 'scaledesk-defaults', '-o', `jsonpath=${jsonpath}`),
    ).toBe('4Gi 1Gi');
    const now = valueOf(await h.call('namespace.memoryDefaults', { namespace: NS }));
    expect(now).toMatchObject({
      limitRange: 'scaledesk-defaults',
      defaultBytes: 4 * GIB,
      defaultRequestBytes: 1 * GIB,
    });
    expect(now.permission.state).toBe('allowed');
    // No default before: Undo cannot go back to one, and says how to remove it.
    const undo = errorOf(await h.call('activity.undo', { id: saved.activity.id }));
    expect(undo.code).toBe('INVALID_INPUT');
    expect(undo.message).toContain('kubectl delete limitrange scaledesk-defaults');
  });
});
