import { describe, expect, it } from 'vitest';
import { HOLDS_A_SLOT } from '../../../main/session/node-placements';
import { SHOP_WEB, useHarness, valueOf } from '../../fixtures/operations-harness';
import { recordSandboxRequests } from '../../fixtures/sandbox-requests';

/**
 * The harness's session watches one namespace, so the other namespaces' pods (which take node
 * slots too) are not watched: a replica change reads where they sit first, and is judged by free
 * node slots at most 30 s old.
 */

const h = useHarness();

describe('a replica change in a one-namespace session', () => {
  it('reads the free node slots before the change, once within 30 s', async () => {
    const recorder = recordSandboxRequests(h.sandbox.port);
    try {
      valueOf(await h.call('process.setReplicas', { ...SHOP_WEB, replicas: 3 }));
      const asked = recorder.requests.map((r) =>
        r.path === '/api/v1/pods' && r.query.get('fieldSelector') === HOLDS_A_SLOT
          ? 'placements'
          : r.method === 'PATCH'
            ? 'patch'
            : null,
      );
      expect(asked.filter((a) => a !== null)).toEqual(['placements', 'patch']);
      expect(h.app('shop').podRoom.nodesFree).toEqual(expect.any(Number));

      valueOf(await h.call('process.setReplicas', { ...SHOP_WEB, replicas: 2 }));
      expect(
        recorder.requests.filter((r) => r.path === '/api/v1/pods' && r.query.get('watch') === null),
      ).toHaveLength(1);
    } finally {
      recorder.stop();
    }
  });
});
