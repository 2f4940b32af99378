import { z } from 'zod';

/**
 * Every failure that crosses the boundary between main and the renderer (IPC or HTTP) is one of
 * these codes. The renderer decides what to show from the code, never from the message text.
 */
export const errorCodes = [
  'INVALID_INPUT', // the input failed its schema; nothing was sent to the cluster
  'SENDER_REFUSED', // the IPC sender is not the app's own frame
  'NOT_FOUND', // app, process, context or namespace does not exist
  'CONFLICT', // someone else changed the object since it was read (stale version)
  'FORBIDDEN', // 403: the user may not do this (details: verb, resource, namespace)
  'UNAUTHORIZED', // 401: credentials missing or expired
  'UNREACHABLE', // the cluster did not answer (connection refused, DNS, timeout)
  'THROTTLED', // 429: the cluster asks to slow down (details: retryAfterSeconds where it said)
  'TLS', // the cluster answered but its certificate was not trusted
  'QUOTA_EXCEEDED', // the change would pass the namespace pod quota or the nodes' room
  'KUBECONFIG', // the kubeconfig file is unreadable or malformed
  'INVALID', // 422 from the cluster: the object was rejected
  'ROLLOUT_FAILED', // the change was written but the rollout did not complete
  'NOT_CONNECTED', // no cluster connection yet
  'INTERNAL', // a bug: anything unexpected
] as const;

export const ErrorCodeSchema = z.enum(errorCodes);
export type ErrorCode = z.infer<typeof ErrorCodeSchema>;

export const ContractErrorSchema = z.object({
  code: ErrorCodeSchema,
  message: z.string(),
  details: z.record(z.string(), z.unknown()).optional(),
});
export type ContractError = z.infer<typeof ContractErrorSchema>;

/** A typed error main throws; serialised to {@link ContractError} at the boundary. */
export class ScaleDeskError extends Error {
  readonly code: ErrorCode;
  readonly details: Record<string, unknown> | undefined;

  constructor(code: ErrorCode, message: string, details?: Record<string, unknown>) {
    super(message);
    this.name = 'ScaleDeskError';
    this.code = code;
    this.details = details;
  }

  toContract(): ContractError {
    return this.details === undefined
      ? { code: this.code, message: this.message }
      : { code: this.code, message: this.message, details: this.details };
  }

  static fromContract(error: ContractError): ScaleDeskError {
    return new ScaleDeskError(error.code, error.message, error.details);
  }
}

/** Anything thrown in main becomes a contract error; unknown throws become INTERNAL. */
export function toContractError(error: unknown): ContractError {
  if (error instanceof ScaleDeskError) return error.toContract();
  const parsed = ContractErrorSchema.safeParse(error);
  if (parsed.success) return parsed.data;
  const message = error instanceof Error ? error.message : String(error);
  return { code: 'INTERNAL', message: `Unexpected error: ${message}` };
}

/** What an operation returns across the boundary: the value, or the typed error. */
export type Result<T> = { ok: true; value: T } | { ok: false; error: ContractError };
