import { describe, expect, it } from 'vitest';
import { boolParam, intParam, optionBool } from '../../../main/sandbox/query-params';

describe('query booleans, read as the real API server reads request options', () => {
  it.each(['1', 't', 'T', 'TRUE', 'true', 'True', 'yes', ''])('reads %j as true', (text) => {
    expect(optionBool(text)).toBe(true);
    expect(boolParam(new URLSearchParams({ watch: text }), 'watch')).toBe(true);
  });

  it.each(['0', 'false', 'False', 'FALSE', 'fAlSe'])('reads %j as false', (text) => {
    expect(optionBool(text)).toBe(false);
    expect(boolParam(new URLSearchParams({ previous: text }), 'previous')).toBe(false);
  });

  it('reads an absent parameter as false', () => {
    expect(boolParam(new URLSearchParams(), 'allowWatchBookmarks')).toBe(false);
  });
});

describe('query integers', () => {
  it('reads digits and refuses anything else with 400 naming the parameter', () => {
    expect(intParam('500', 'limit')).toBe(500);
    expect(intParam(null, 'limit')).toBeUndefined();
    expect(() => intParam('5x', 'limit')).toThrow(
      expect.objectContaining({ code: 400, message: 'invalid value for limit: 5x' }),
    );
  });
});
