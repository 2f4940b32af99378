import { describe, expect, it } from 'vitest';
import { forbidden } from '../../../main/sandbox/authorization';
import { parseQuantity } from '../../../main/sandbox/quantity';
import { humanDuration } from '../../../main/sandbox/table';
import { podTemplateHash } from '../../../main/sandbox/deployment-controller';

describe('what clients read', () => {
  it('prints ages as kubectl does', () => {
    expect(humanDuration(5_000)).toBe('5s');
    expect(humanDuration(150_000)).toBe('2m30s');
    expect(humanDuration(3 * 3600_000 + 5 * 60_000)).toBe('3h5m');
    expect(humanDuration(3 * 86400_000)).toBe('3d');
    expect(humanDuration(400 * 86400_000)).toBe('400d');
  });

  it('parses quantities, including decimals with binary suffixes, and refuses malformed ones', () => {
    expect(parseQuantity('8Gi')).toBe(8 * 1024 ** 3);
    expect(parseQuantity('1.5Gi')).toBe(1.5 * 1024 ** 3);
    expect(parseQuantity('250m')).toBe(0.25);
    expect(parseQuantity('8 gigs')).toBeUndefined();
  });

  it('words a 403 as the API server does', () => {
    const error = forbidden(
      { name: 'viewer', uid: 'v', groups: [] },
      {
        verb: 'patch',
        group: 'apps',
        resource: 'deployments',
        subresource: 'scale',
        namespace: 'demo',
        name: 'web',
      },
    );
    expect(error.message).toBe(
      'deployments.apps "web" is forbidden: User "viewer" cannot patch resource "deployments/scale" in API group "apps" in the namespace "demo"',
    );
  });

  it('hashes a pod template independent of key order', () => {
    const a = podTemplateHash({
      metadata: { labels: { a: '1' } },
      spec: { containers: [{ name: 'w', image: 'x' }] },
    });
    const b = podTemplateHash({
      spec: { containers: [{ image: 'x', name: 'w' }] },
      metadata: { labels: { a: '1' } },
    });
    expect(a).toBe(b);
    expect(a).toMatch(/^[bcdfghjklmnpqrstvwxz2456789]+$/);
  });
});
