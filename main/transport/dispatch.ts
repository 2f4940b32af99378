import {
  isOperationName,
  operations,
  type OperationName,
  type OperationOutput,
  type ParsedInput,
} from '../../shared/contract';
import type { z } from 'zod';
import { ScaleDeskError, toContractError, type Result } from '../../shared/errors';

/** One implementation per operation of the contract, taking input already validated. */
export type Handlers = {
  [N in OperationName]: (input: ParsedInput<N>) => Promise<OperationOutput<N>>;
};

/** INVALID_INPUT for input that failed its schema: every issue, each led by its path. */
export function invalidInput(
  error: z.ZodError,
  details: Record<string, unknown> = {},
): ScaleDeskError {
  const issues = error.issues.map((issue) => ({
    path: issue.path.join('.'),
    message: issue.message,
  }));
  return new ScaleDeskError(
    'INVALID_INPUT',
    issues.map((i) => (i.path ? `${i.path}: ${i.message}` : i.message)).join(' '),
    { ...details, issues },
  );
}

/**
 * The single entry point for both transports (IPC and HTTP): checks the operation name and the
 * input against the contract before any handler runs, and turns every failure into a typed
 * error. Nothing reaches a service that failed its schema.
 */
export async function dispatch(
  handlers: Handlers,
  operation: unknown,
  rawInput: unknown,
): Promise<Result<unknown>> {
  if (!isOperationName(operation)) {
    return {
      ok: false,
      error: { code: 'INVALID_INPUT', message: `Unknown operation "${String(operation)}".` },
    };
  }
  const parsed = operations[operation].input.safeParse(rawInput ?? {});
  if (!parsed.success) {
    return { ok: false, error: invalidInput(parsed.error, { operation }).toContract() };
  }
  try {
    const handler = handlers[operation] as (input: unknown) => Promise<unknown>;
    return { ok: true, value: await handler(parsed.data) };
  } catch (error) {
    if (!(error instanceof ScaleDeskError)) console.error(`scaledesk: ${operation} failed`, error);
    return { ok: false, error: toContractError(error) };
  }
}
