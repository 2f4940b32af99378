import { describe, expect, it } from 'vitest';
import { quantityToScalar } from '../../../main/kube/client-node';
import { isValidQuantity, parseQuantity } from '../../../main/sandbox/quantity';

describe('sandbox quantities', () => {
  it('reads every quantity client-node reads to the same value, as ScaleDesk reads a limit', () => {
    const quantities = [
      '0',
      '1',
      '0.1',
      '+5',
      '8Gi',
      '512Mi',
      '-2Gi',
      '1Ki',
      '5Ti',
      '2Pi',
      '1Ei',
      '2k',
      '1M',
      '3G',
      '1T',
      '2P',
      '1E',
      '250m',
      '100m',
      '1m',
      '7u',
      '3n',
      '1e3',
      '1.5e-3',
      '2E6',
    ];
    for (const quantity of quantities) {
      expect([quantity, parseQuantity(quantity)]).toEqual([
        quantity,
        Number(quantityToScalar(quantity)),
      ]);
    }
  });

  it('reads decimals with a suffix, which client-node cannot', () => {
    expect(parseQuantity('1.5Gi')).toBe(1.5 * 1024 ** 3);
    expect(parseQuantity('.5k')).toBe(500);
  });

  it('refuses what the API server refuses', () => {
    for (const text of ['8 gigs', '8GB', 'Gi', '', '1.2.3', '5mi']) {
      expect([text, isValidQuantity(text), parseQuantity(text)]).toEqual([text, false, undefined]);
    }
    expect(parseQuantity(Number.NaN)).toBeUndefined();
    expect(parseQuantity(3)).toBe(3);
  });
});
