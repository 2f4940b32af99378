import type { ReactNode } from 'react';
import type { ContractError, ErrorCode } from '../../../shared/errors';
import './ErrorNotice.css';

const TITLES: Record<ErrorCode, string> = {
  INVALID_INPUT: 'Not accepted',
  SENDER_REFUSED: 'Refused',
  NOT_FOUND: 'Not found',
  CONFLICT: 'Changed by someone else',
  FORBIDDEN: 'Not allowed',
  UNAUTHORIZED: 'Credentials expired or missing',
  UNREACHABLE: 'Cluster unreachable',
  THROTTLED: 'Cluster throttling requests',
  TLS: 'Cluster certificate not trusted',
  QUOTA_EXCEEDED: 'Over the pod limit',
  KUBECONFIG: 'Kubeconfig problem',
  INVALID: 'Rejected by the cluster',
  ROLLOUT_FAILED: 'Rollout did not complete',
  NOT_CONNECTED: 'Not connected',
  INTERNAL: 'Something went wrong',
};

export interface ConflictChoice {
  /** What the value is on the cluster now, in words ("3 replicas"). */
  current: string;
  onApplyAnyway: () => void;
  onKeepTheirs: () => void;
}

interface ErrorNoticeProps {
  error: ContractError;
  /** Offered for UNREACHABLE and THROTTLED (and anything else worth trying again). */
  onRetry?: () => void;
  /** Offered for CONFLICT. */
  conflict?: ConflictChoice;
  onDismiss?: () => void;
  children?: ReactNode;
}

/**
 * An error placed next to what failed, saying what happened and what the admin can do now.
 * What to offer is decided by the code, never by the message text.
 */
export function ErrorNotice({ error, onRetry, conflict, onDismiss, children }: ErrorNoticeProps) {
  const tone = error.code === 'CONFLICT' || error.code === 'QUOTA_EXCEEDED' ? 'warn' : 'danger';
  return (
    <div className={`error-notice error-notice--${tone}`} role="alert" data-code={error.code}>
      <div className="error-notice__text">
        <strong className="error-notice__title">{TITLES[error.code]}</strong>
        <span>{error.message}</span>
        {error.code === 'CONFLICT' && conflict && (
          <span>
            Now on the cluster: <strong>{conflict.current}</strong>.
          </span>
        )}
        {error.code === 'FORBIDDEN' && <ForbiddenDetails details={error.details} />}
        {children}
      </div>
      <div className="error-notice__actions">
        {error.code === 'CONFLICT' && conflict && (
          <>
            <button type="button" className="button button--small" onClick={conflict.onApplyAnyway}>
              Apply anyway
            </button>
            <button type="button" className="button button--small" onClick={conflict.onKeepTheirs}>
              Keep theirs
            </button>
          </>
        )}
        {onRetry && (
          <button type="button" className="button button--small" onClick={onRetry}>
            Retry
          </button>
        )}
        {onDismiss && (
          <button
            type="button"
            className="button button--small button--quiet"
            onClick={onDismiss}
            aria-label="Dismiss"
          >
            ×
          </button>
        )}
      </div>
    </div>
  );
}

interface GuardedWriteErrorProps {
  error: ContractError;
  onDismiss: () => void;
  /** Sends the write again; `force` writes over a change made meanwhile. */
  send: (force: boolean) => void;
  /** The value as the model shows it, in words: said where the CONFLICT does not say. */
  current: string;
  /** A count in words ("3 replicas"), for the value now a CONFLICT carries. */
  describe: (value: number) => string;
  onKeepTheirs: () => void;
}

/**
 * The error of a write guarded by the value the admin saw (replicas, workers): an unreachable or
 * throttling cluster offers Retry, a change made meanwhile offers Apply anyway or Keep theirs.
 * The value now is the one main read from the cluster when it refused (the CONFLICT's
 * `current`): the model may not have caught up with the other change yet.
 */
export function GuardedWriteError({
  error,
  onDismiss,
  send,
  current,
  describe,
  onKeepTheirs,
}: GuardedWriteErrorProps) {
  const now = error.details?.['current'];
  return (
    <ErrorNotice
      error={error}
      onDismiss={onDismiss}
      onRetry={
        error.code === 'UNREACHABLE' || error.code === 'THROTTLED' ? () => send(false) : undefined
      }
      conflict={
        error.code === 'CONFLICT'
          ? {
              current: typeof now === 'number' ? describe(now) : current,
              onApplyAnyway: () => send(true),
              onKeepTheirs,
            }
          : undefined
      }
    />
  );
}

function ForbiddenDetails({ details }: { details: Record<string, unknown> | undefined }) {
  if (!details) return null;
  const { verb, resource, namespace } = details;
  if (typeof verb !== 'string' || typeof resource !== 'string') return null;
  return (
    <span className="muted">
      Missing permission: <code>{verb}</code> on <code>{resource}</code>
      {typeof namespace === 'string' ? (
        <>
          {' '}
          in <code>{namespace}</code>
        </>
      ) : null}
      .
    </span>
  );
}
