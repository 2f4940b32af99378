import { describe, expect, it } from 'vitest';
import { judge } from '../../../main/operations/write-guard';

describe('the write guard judges by the value the admin saw', () => {
  it('writes where what the admin saw is still there', () => {
    expect(judge(3, 3, false, undefined)).toBe('write');
    expect(judge(null, null, false, undefined)).toBe('write');
  });

  it("refuses where someone else's value is there now", () => {
    expect(judge(4, 3, false, undefined)).toBe('conflict');
    // Workers: a count set meanwhile where the admin saw none (gunicorn's default), and back.
    expect(judge(5, null, false, undefined)).toBe('conflict');
    expect(judge(null, 5, false, undefined)).toBe('conflict');
  });

  it('writes over a newer value when asked to (force)', () => {
    expect(judge(4, 3, true, undefined)).toBe('write');
  });

  it('has nothing to compare where the caller did not say what it saw', () => {
    expect(judge(4, undefined, false, undefined)).toBe('write');
  });

  it("takes ScaleDesk's own last write for what the admin saw before it", () => {
    expect(judge(4, 3, false, { from: 3, to: 4 })).toBe('write');
  });

  it('still refuses a change made after or instead of its own last write', () => {
    // ScaleDesk wrote 3 → 4; someone else then set 6.
    expect(judge(6, 3, false, { from: 3, to: 4 })).toBe('conflict');
    // The admin saw something else than what ScaleDesk's write replaced.
    expect(judge(4, 2, false, { from: 3, to: 4 })).toBe('conflict');
  });
});
