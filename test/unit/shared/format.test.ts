import { describe, expect, it } from 'vitest';
import { GIB } from '../../../shared/app-model';
import { formatBytes, plural } from '../../../shared/format';

const MIB = 1024 ** 2;

describe('formatBytes', () => {
  it('says GiB from 1 GiB up, with one decimal only where it is not a whole number', () => {
    expect(formatBytes(8 * GIB)).toBe('8 GiB');
    expect(formatBytes(1536 * MIB)).toBe('1.5 GiB');
    expect(formatBytes(1.02 * GIB)).toBe('1 GiB');
  });

  it('says MiB below 1 GiB, KiB below 1 MiB, and a dash where nothing is known', () => {
    expect(formatBytes(512 * MIB)).toBe('512 MiB');
    expect(formatBytes(300 * 1024)).toBe('300 KiB');
    expect(formatBytes(0)).toBe('0 GiB');
    expect(formatBytes(null)).toBe('—');
    expect(formatBytes(Number.NaN)).toBe('—');
  });
});

describe('plural', () => {
  it('counts with the singular for one and the plural otherwise', () => {
    expect(plural(1, 'replica')).toBe('1 replica');
    expect(plural(0, 'replica')).toBe('0 replicas');
    expect(plural(3, 'process', 'processes')).toBe('3 processes');
  });
});
