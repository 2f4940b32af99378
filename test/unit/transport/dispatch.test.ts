import { describe, expect, it, vi } from 'vitest';
import { z } from 'zod';
import { ScaleDeskError } from '../../../shared/errors';
import { dispatch, invalidInput, showValue } from '../../../main/transport/dispatch';
import { fakeHandlers } from '../../fixtures/handlers';

const shop = { namespace: 'shop', app: 'shop', process: 'web' };

async function refusal(input: unknown, operation = 'process.setReplicas') {
  const handlers = fakeHandlers();
  const result = await dispatch(handlers, operation, input);
  if (result.ok) throw new Error(`expected a refusal, got ${JSON.stringify(result.value)}`);
  expect(handlers['process.setReplicas']).not.toHaveBeenCalled();
  return result.error;
}

describe('input errors through dispatch, with the contract', () => {
  it.each([
    ['null', null, 'null'],
    ['true', true, 'true'],
    ['[]', [], '[]'],
    // What `1e999` in a JSON body parses to.
    ['1e999', JSON.parse('1e999'), 'Infinity'],
    ['"2.5"', '2.5', '"2.5"'],
    ['-1', -1, '-1'],
    ['2.5', 2.5, '2.5'],
    ['101', 101, '101'],
    ['a missing value', undefined, 'nothing'],
  ])(
    'refuses replicas %s naming the field, the rule and the value',
    async (_label, replicas, got) => {
      const error = await refusal({ ...shop, replicas });
      expect(error.code).toBe('INVALID_INPUT');
      expect(error.message).toBe(`replicas must be a whole number from 0 to 100; got ${got}`);
      expect(error.details).toMatchObject({
        operation: 'process.setReplicas',
        issues: [{ path: 'replicas', expected: 'a whole number from 0 to 100', received: got }],
      });
    },
  );

  it("lets 11 through to the operation, which checks the admin's own maximum", async () => {
    // The schema's ceiling is REPLICAS_CEILING (100); the maximum set in Settings (10 by
    // default) is known only to the operation (shared/replica-plan.ts).
    const handlers = fakeHandlers();
    await dispatch(handlers, 'process.setReplicas', { ...shop, replicas: 11 });
    expect(handlers['process.setReplicas']).toHaveBeenCalledWith({ ...shop, replicas: 11 });
  });

  it('describes the other kinds of field the contract has', async () => {
    expect((await refusal({ ...shop, replicas: 2, force: 'yes' })).message).toBe(
      'force must be true or false; got "yes"',
    );
    expect((await refusal({ id: '' }, 'activity.undo')).message).toBe(
      'id must be text of 1 to 128 characters; got ""',
    );
    expect(
      (await refusal({ namespace: 'shop', app: 'shop', window: '2h' }, 'apps.history')).message,
    ).toBe('window must be one of "15m", "1h", "all"; got "2h"');
    expect((await refusal({ latencyThresholdMs: 0 }, 'settings.set')).message).toBe(
      'latencyThresholdMs must be a number above 0; got 0',
    );
    expect(
      (await refusal({ ...shop, workers: 2, expectedWorkers: -1 }, 'process.setWorkers')).message,
    ).toBe('expectedWorkers must be a whole number of 0 or more, or null; got -1');
    expect((await refusal(5, 'settings.get')).message).toBe('the input must be an object; got 5');
  });

  it("falls back to the schema's own rule where it cannot be described, still with the value", async () => {
    const error = await refusal({ appUrls: { 'shop/web': 'ftp://x' } }, 'settings.set');
    expect(error.message).toBe(
      'appUrls["shop/web"]: An app URL must be an http:// or https:// address; got "ftp://x"',
    );
  });

  it('names an unknown field and the fields the operation takes', async () => {
    const error = await refusal({ ...shop, replicas: 2, replica: 3 });
    expect(error.message).toBe(
      'process.setReplicas has no field "replica"; it takes namespace, app, process, replicas, expectedReplicas, force',
    );
  });

  it('says every problem of the input, one after the other', async () => {
    const error = await refusal({ ...shop, replicas: null, force: 'yes' });
    expect(error.message).toBe(
      'replicas must be a whole number from 0 to 100; got null. force must be true or false; got "yes"',
    );
  });

  it('escapes control characters and bidi marks in the input it echoes', async () => {
    const error = await refusal({ ...shop, replicas: '4\u202E\n2' });
    expect(error.message).toBe(
      'replicas must be a whole number from 0 to 100; got "4\\u{202E}\\n2"',
    );
    const field = await refusal({ ...shop, replicas: 2, ['x\u2066y']: 1 });
    expect(field.message).toContain('has no field "x\\u{2066}y"');
    const unknown = await dispatch(fakeHandlers(), 'apps.\u202Elist', {});
    expect(unknown).toEqual({
      ok: false,
      error: { code: 'INVALID_INPUT', message: 'Unknown operation "apps.\\u{202E}list".' },
    });
  });

  it('cuts long input short in the message', async () => {
    const error = await refusal({ ...shop, replicas: 'x'.repeat(5000) });
    expect(error.message).toBe(
      `replicas must be a whole number from 0 to 100; got "${'x'.repeat(40)}…" (5000 characters)`,
    );
  });
});

describe('what dispatch sends back', () => {
  it('redacts secrets from results and from errors, their details included', async () => {
    const handlers = fakeHandlers();
    handlers['cluster.contexts'].mockResolvedValue({
      contexts: [
        { name: 'p', cluster: 'p', server: 'https://al:pw@p:6443', user: 'u', namespace: null },
      ],
      current: 'p',
      source: 'kubeconfig',
      kubeconfigPaths: [],
    });
    handlers['cluster.connection'].mockRejectedValue(
      new ScaleDeskError('UNAUTHORIZED', 'plugin said token=SECRET-1', { cause: 'token=SECRET-1' }),
    );
    const contexts = await dispatch(handlers, 'cluster.contexts', {});
    expect(JSON.stringify(contexts)).not.toContain('al:pw');
    const connection = await dispatch(handlers, 'cluster.connection', {});
    expect(connection).toEqual({
      ok: false,
      error: {
        code: 'UNAUTHORIZED',
        message: 'plugin said token=[redacted]',
        details: { cause: 'token=[redacted]' },
      },
    });
  });

  it('redacts an unexpected failure too', async () => {
    const handlers = fakeHandlers();
    vi.spyOn(console, 'error').mockImplementation(() => undefined);
    handlers['apps.list'].mockRejectedValue(new Error('Authorization: Bearer abcdefghijk'));
    const result = await dispatch(handlers, 'apps.list', {});
    expect(result).toEqual({
      ok: false,
      error: { code: 'INTERNAL', message: 'Unexpected error: Authorization: Bearer [redacted]' },
    });
  });
});

describe('invalidInput without the input', () => {
  it("leads each issue's own message with its path, as for a service's own check", () => {
    const schema = z.object({ n: z.number({ error: 'N must be a number.' }) });
    const parsed = schema.safeParse({ n: 'x' });
    if (parsed.success) throw new Error('expected a failure');
    expect(invalidInput(parsed.error).message).toBe('n: N must be a number.');
  });
});

describe('showValue', () => {
  it('renders what was sent, short', () => {
    expect(showValue(Number.NaN)).toBe('NaN');
    expect(showValue(-Infinity)).toBe('-Infinity');
    expect(showValue({})).toBe('{}');
    expect(showValue({ a: 1 })).toBe('{"a":1}');
    expect(showValue(Array.from({ length: 50 }, (_, i) => i))).toBe('a list of 50');
    const cyclic: Record<string, unknown> = {};
    cyclic['self'] = cyclic;
    expect(showValue(cyclic)).toBe('an object');
  });
});
