import {
  isOperationName,
  operations,
  type OperationName,
  type OperationOutput,
  type ParsedInput,
} from '../../shared/contract';
import { z } from 'zod';
import { ScaleDeskError, toContractError, type Result } from '../../shared/errors';
import { outboundResult } from './redaction';

/** One implementation per operation of the contract, taking input already validated. */
export type Handlers = {
  [N in OperationName]: (input: ParsedInput<N>) => Promise<OperationOutput<N>>;
};

/** Where an input was refused, with the schema it failed and the value as it was sent. */
export interface InputSource {
  schema: z.core.$ZodType;
  input: unknown;
  /** Names the input where a problem is with the whole of it (an unknown field). */
  name?: string;
}

/** One refused field: where, what it needs, what it got, and the sentence saying so. */
export interface InputIssue {
  path: string;
  message: string;
  expected?: string;
  received?: string;
}

const MAX_SHOWN = 40;

/**
 * What was sent, short enough for a sentence, so an admin sees why it was refused: `null`,
 * `true`, `[]`, `"2.5"` (text, quoted), `Infinity` (what `1e999` becomes in JSON). Long text and
 * big values are cut; control characters are escaped on the way out (see redaction.ts).
 */
export function showValue(value: unknown): string {
  if (value === undefined) return 'nothing';
  if (value === null) return 'null';
  switch (typeof value) {
    case 'boolean':
      return String(value);
    case 'number':
      return Object.is(value, -0) ? '0' : String(value);
    case 'bigint':
      return `${value}n`;
    case 'string': {
      const chars = Array.from(value);
      if (chars.length <= MAX_SHOWN) return JSON.stringify(value);
      const cut = JSON.stringify(chars.slice(0, MAX_SHOWN).join('') + '…');
      return `${cut} (${chars.length} characters)`;
    }
    case 'object': {
      let text: string | undefined;
      try {
        text = JSON.stringify(value);
      } catch {
        // A cycle (structured clone allows them) or a bigint inside: say what it is instead.
      }
      const kind = Array.isArray(value) ? `a list of ${value.length}` : 'an object';
      if (text === undefined) return kind;
      return Array.from(text).length <= MAX_SHOWN ? text : kind;
    }
    default:
      return `a ${typeof value}`;
  }
}

/** `replicas`, `appUrls["shop/web"]`, `items[2]`: a path as the sender wrote the field. */
function fieldName(path: readonly PropertyKey[]): string {
  let out = '';
  for (const key of path) {
    if (typeof key === 'number') out += `[${key}]`;
    else if (typeof key === 'string' && /^[A-Za-z_$][\w$]*$/.test(key))
      out += out ? `.${key}` : key;
    else out += `[${JSON.stringify(String(key))}]`;
  }
  return out;
}

function valueAt(input: unknown, path: readonly PropertyKey[]): unknown {
  let value = input;
  for (const key of path) {
    if (typeof value !== 'object' || value === null) return undefined;
    value = (value as Record<PropertyKey, unknown>)[key];
  }
  return value;
}

/** The schema that checks the value at `path`, through objects, records, lists and wrappers. */
function schemaAt(schema: z.core.$ZodType, path: readonly PropertyKey[]): z.core.$ZodType | null {
  let current: z.core.$ZodType = schema;
  for (const key of path) {
    current = unwrapped(current);
    if (current instanceof z.ZodObject && typeof key === 'string') {
      const field: z.core.$ZodType | undefined = current.shape[key];
      if (!field) return null;
      current = field;
    } else if (current instanceof z.ZodRecord) {
      current = current.valueType;
    } else if (current instanceof z.ZodArray) {
      current = current.element;
    } else {
      return null;
    }
  }
  return current;
}

/** Without optional and default, which change what may be left out, not what a value must be. */
function unwrapped(schema: z.core.$ZodType): z.core.$ZodType {
  let current = schema;
  while (current instanceof z.ZodOptional || current instanceof z.ZodDefault) {
    current = current.unwrap();
  }
  return current;
}

interface Bound {
  value: number;
  inclusive: boolean;
}

/** The number's bounds, from its checks: `.positive()` is above 0, `.min(0)` is 0 or more. */
function boundsOf(schema: z.ZodNumber): { lower: Bound | null; upper: Bound | null } {
  let lower: Bound | null = null;
  let upper: Bound | null = null;
  for (const check of schema.def.checks ?? []) {
    const def = check._zod.def as { check: string; value?: unknown; inclusive?: unknown };
    if (typeof def.value !== 'number') continue;
    const bound = { value: def.value, inclusive: def.inclusive === true };
    if (def.check === 'greater_than' && (!lower || bound.value >= lower.value)) lower = bound;
    if (def.check === 'less_than' && (!upper || bound.value <= upper.value)) upper = bound;
  }
  return { lower, upper };
}

function numberExpectation(schema: z.ZodNumber): string {
  const kind = schema.isInt ? 'a whole number' : 'a number';
  const { lower, upper } = boundsOf(schema);
  if (lower?.inclusive && upper?.inclusive) return `${kind} from ${lower.value} to ${upper.value}`;
  const parts: string[] = [];
  if (lower) parts.push(lower.inclusive ? `of ${lower.value} or more` : `above ${lower.value}`);
  if (upper) parts.push(upper.inclusive ? `of at most ${upper.value}` : `below ${upper.value}`);
  return parts.length > 0 ? `${kind} ${parts.join(' and ')}` : kind;
}

function stringExpectation(schema: z.ZodString): string {
  const min = schema.minLength ?? 0;
  const max = schema.maxLength;
  if (max !== null && min > 0) return `text of ${min} to ${max} characters`;
  if (max !== null) return `text of at most ${max} characters`;
  if (min === 1) return 'text, not empty';
  if (min > 1) return `text of at least ${min} characters`;
  return 'text';
}

/**
 * All that a value must be, said once: `a whole number from 0 to 100`, not the one check that
 * failed, so the sender learns the rule at the first refusal. Null where the schema is not
 * one of the kinds the contract uses; the issue's own message says it then.
 */
function expectationOf(schema: z.core.$ZodType): string | null {
  const inner = unwrapped(schema);
  if (inner instanceof z.ZodNullable) {
    const what = expectationOf(inner.unwrap());
    return what === null ? null : `${what}, or null`;
  }
  if (inner instanceof z.ZodNumber) return numberExpectation(inner);
  if (inner instanceof z.ZodString) return stringExpectation(inner);
  if (inner instanceof z.ZodBoolean) return 'true or false';
  if (inner instanceof z.ZodEnum) {
    return `one of ${inner.options.map((option) => JSON.stringify(option)).join(', ')}`;
  }
  if (inner instanceof z.ZodObject || inner instanceof z.ZodRecord) return 'an object';
  if (inner instanceof z.ZodArray) return 'a list';
  return null;
}

function describeIssue(issue: z.core.$ZodIssue, source: InputSource | undefined): InputIssue {
  const path = fieldName(issue.path);
  if (!source) return { path, message: path ? `${path}: ${issue.message}` : issue.message };
  if (issue.code === 'unrecognized_keys') {
    const owner = path || source.name || 'the input';
    const shape = unwrapped(schemaAt(source.schema, issue.path) ?? source.schema);
    const fields = shape instanceof z.ZodObject ? Object.keys(shape.shape) : [];
    const keys = issue.keys.map((key) => showValue(key)).join(', ');
    const noun = issue.keys.length === 1 ? 'field' : 'fields';
    const takes = fields.length > 0 ? `; it takes ${fields.join(', ')}` : '';
    return {
      path,
      message: `${owner} has no ${noun} ${keys}${takes}`,
      received: keys,
      ...(fields.length > 0 ? { expected: fields.join(', ') } : {}),
    };
  }
  const subject = path || 'the input';
  const schema = schemaAt(source.schema, issue.path);
  // A pattern's rule (a memory quantity's syntax) is in its message, not in the text's length.
  const expected = schema && issue.code !== 'invalid_format' ? expectationOf(schema) : null;
  const received = showValue(valueAt(source.input, issue.path));
  if (expected === null) {
    // A rule the schema states only in its message (an http(s) URL): that message, and the value.
    const rule = issue.message.replace(/\.$/, '');
    return { path, message: `${subject}: ${rule}; got ${received}`, received };
  }
  return { path, message: `${subject} must be ${expected}; got ${received}`, expected, received };
}

/**
 * INVALID_INPUT for input that failed its schema: for every issue, the field, what it must be
 * and what was sent (`replicas must be a whole number from 0 to 100; got null`). Without the
 * source, each issue's own message, led by its path.
 */
export function invalidInput(
  error: z.ZodError,
  details: Record<string, unknown> = {},
  source?: InputSource,
): ScaleDeskError {
  const issues = error.issues.map((issue) => describeIssue(issue, source));
  return new ScaleDeskError('INVALID_INPUT', issues.map((i) => i.message).join('. '), {
    ...details,
    issues,
  });
}

async function settle(
  handlers: Handlers,
  operation: unknown,
  rawInput: unknown,
): Promise<Result<unknown>> {
  if (!isOperationName(operation)) {
    return {
      ok: false,
      error: { code: 'INVALID_INPUT', message: `Unknown operation ${showValue(operation)}.` },
    };
  }
  const input = rawInput ?? {};
  const schema = operations[operation].input;
  const parsed = schema.safeParse(input);
  if (!parsed.success) {
    const source = { schema, input, name: operation };
    return { ok: false, error: invalidInput(parsed.error, { operation }, source).toContract() };
  }
  try {
    const handler = handlers[operation] as (input: unknown) => Promise<unknown>;
    return { ok: true, value: await handler(parsed.data) };
  } catch (error) {
    if (!(error instanceof ScaleDeskError)) console.error(`scaledesk: ${operation} failed`, error);
    return { ok: false, error: toContractError(error) };
  }
}

/**
 * The single entry point for both transports (IPC and HTTP): checks the operation name and the
 * input against the contract before any handler runs, and turns every failure into a typed
 * error. Nothing reaches a service that failed its schema, and nothing leaves without passing
 * the redaction of secrets and the escaping of echoed input (redaction.ts).
 */
export async function dispatch(
  handlers: Handlers,
  operation: unknown,
  rawInput: unknown,
): Promise<Result<unknown>> {
  return outboundResult(await settle(handlers, operation, rawInput));
}
