import { describe, expect, it } from 'vitest';
import { quantityToScalar } from '../../../main/kube/client-node';
import { formatQuantity, isValidQuantity, parseQuantity } from '../../../main/sandbox/quantity';

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

describe('sandbox quantities as the API server prints them', () => {
  it('prints memory in the largest binary unit that holds it whole', () => {
    expect(formatQuantity(40 * 1024 ** 3, true)).toBe('40Gi');
    expect(formatQuantity(8 * 1024 ** 3 + 256 * 1024 ** 2, true)).toBe('8448Mi');
    expect(formatQuantity(1024 ** 4, true)).toBe('1Ti');
    expect(formatQuantity(0, true)).toBe('0');
    expect(formatQuantity(1000, true)).toBe('1k');
    expect(formatQuantity(1500, true)).toBe('1500');
  });

  it('prints decimal quantities in the largest SI unit, fractions in m, u or n', () => {
    expect(formatQuantity(48e9, false)).toBe('48G');
    expect(formatQuantity(40, false)).toBe('40');
    expect(formatQuantity(0.1 + 0.2, false)).toBe('300m');
    expect(formatQuantity(1.5, false)).toBe('1500m');
    expect(formatQuantity(0.1 * 10, false)).toBe('1');
    expect(formatQuantity(0.0000025, false)).toBe('2500n');
  });

  it('prints what it parses back to the same value', () => {
    for (const text of ['12Gi', '8448Mi', '100m', '2', '3G', '1536Ki']) {
      expect(parseQuantity(formatQuantity(parseQuantity(text) ?? 0, /i$/.test(text)))).toBe(
        parseQuantity(text),
      );
    }
  });
});
