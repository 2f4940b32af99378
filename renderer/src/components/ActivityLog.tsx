import { useMemo } from 'react';
import type { App } from '../../../shared/app-model';
import type { ActivityEntry } from '../../../shared/contract';
import { useStore } from '../state/StoreContext';
import { useOperation } from '../state/useOperation';
import { formatClock, formatFull } from '../format/time';
import { ErrorNotice } from './ErrorNotice';
import { KubectlCommand } from './KubectlCommand';
import './ActivityLog.css';

const SHOWN = 20;

/** Changes made from here to this app, newest first, with Undo for the last change of replicas
 * or workers. */
export function ActivityLog({ app }: { app: App }) {
  const all = useStore((state) => state.activity);
  const entries = useMemo(
    () => all.filter((entry) => entry.namespace === app.namespace && entry.app === app.name),
    [all, app.namespace, app.name],
  );
  const undoable = useMemo(() => lastUndoable(entries), [entries]);
  const undo = useOperation('activity.undo');

  return (
    <section className="card activity-log" aria-labelledby="activity-log-title">
      <div className="card__header">
        <h2 id="activity-log-title">Activity</h2>
        <span className="muted activity-log__note">Changes made from ScaleDesk</span>
      </div>
      <div className="card__body">
        {undo.error && (
          <ErrorNotice
            error={undo.error}
            onDismiss={undo.clear}
            onRetry={undoable ? () => void undo.run({ id: undoable.id }) : undefined}
          />
        )}
        {entries.length === 0 ? (
          <p className="muted activity-log__empty">No changes yet.</p>
        ) : (
          <ol className="activity-log__list">
            {entries.slice(0, SHOWN).map((entry) => {
              const permission =
                entry.kind === 'replicas' ? app.permissions.scale : app.permissions.patch;
              return (
                <li key={entry.id} className="activity-log__entry">
                  <time
                    className="activity-log__time numeric"
                    dateTime={entry.at}
                    title={formatFull(entry.at)}
                  >
                    {formatClock(entry.at)}
                  </time>
                  <div className="activity-log__what">
                    <div className="activity-log__line">
                      <span>{describe(entry)}</span>
                      <ResultChip entry={entry} />
                      {entry.id === undoable?.id && (
                        <button
                          type="button"
                          className="button button--small"
                          onClick={() => void undo.run({ id: entry.id })}
                          disabled={undo.pending || !permission.allowed}
                          aria-busy={undo.pending}
                          title={
                            permission.allowed
                              ? `Back to ${entry.from}`
                              : (permission.reason ?? 'Not allowed')
                          }
                        >
                          {undo.pending && <span className="spinner" aria-hidden="true" />}
                          Undo
                        </button>
                      )}
                    </div>
                    {entry.message && entry.result === 'failed' && (
                      <p className="activity-log__message">{entry.message}</p>
                    )}
                    <KubectlCommand command={entry.command} label="kubectl" />
                  </div>
                </li>
              );
            })}
          </ol>
        )}
      </div>
    </section>
  );
}

/** The newest replicas or workers change that went through and has not been undone yet. */
function lastUndoable(entries: readonly ActivityEntry[]): ActivityEntry | null {
  const undone = new Set(entries.map((entry) => entry.undoOf).filter((id) => id !== null));
  const last = entries.find((entry) => entry.kind === 'replicas' || entry.kind === 'workers');
  if (!last || last.result !== 'done' || last.undoOf !== null || undone.has(last.id)) return null;
  return last;
}

function describe(entry: ActivityEntry): string {
  const who = entry.process ? `${entry.process} ` : '';
  const undo = entry.undoOf ? 'Undo: ' : '';
  switch (entry.kind) {
    case 'replicas':
      return `${undo}${who}replicas ${entry.from ?? '?'} → ${entry.to ?? '?'}`;
    case 'workers':
      return `${undo}${who}workers ${entry.from ?? '?'} → ${entry.to ?? '?'} (redeploy)`;
    case 'restart':
      return entry.process ? `Restarted ${entry.process}` : 'Restarted the app';
    case 'start':
      return 'Started the app';
  }
}

function ResultChip({ entry }: { entry: ActivityEntry }) {
  const label =
    entry.result === 'pending' ? 'In progress' : entry.result === 'done' ? 'Done' : 'Failed';
  return (
    <span className={`activity-log__result activity-log__result--${entry.result}`}>{label}</span>
  );
}
