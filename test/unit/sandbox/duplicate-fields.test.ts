import { describe, expect, it } from 'vitest';
import { duplicateFields } from '../../../main/sandbox/duplicate-fields';

describe('duplicate fields in a JSON body', () => {
  it('names each duplicate key by its path, array indexes included', () => {
    const text =
      '{"spec":{"replicas":1,"replicas":2,"template":{"spec":{"containers":[{"name":"a"},{"name":"b","name":"c"}]}}}}';
    expect(duplicateFields(text)).toEqual([
      'spec.replicas',
      'spec.template.spec.containers[1].name',
    ]);
  });

  it('finds none where keys repeat only in different objects or inside strings', () => {
    const text = ' { "a" : {"x": "\\"x\\": 1, \\"x\\""}, "b": {"x": [1, true, null]} } ';
    expect(duplicateFields(text)).toEqual([]);
  });
});
