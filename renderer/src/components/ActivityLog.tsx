import { useEffect, useMemo, useState } from 'react';
import type { App } from '../../../shared/app-model';
import type { ActivityEntry } from '../../../shared/contract';
import { useStore, useStoreInstance } from '../state/StoreContext';
import type { Store } from '../state/store';
import { useOperation } from '../state/useOperation';
import { formatClock, formatFull } from '../format/time';
import { ErrorNotice } from './ErrorNotice';
import { KubectlCommand } from './KubectlCommand';
import { UndoQuestion, undoQuestion, type UndoAsk } from './UndoQuestion';
import { isUndoableKind, undoableOutcome } from '../../../shared/undo-offer';
import './ActivityLog.css';

const SHOWN = 20;

/** The cluster each store's activity was last listed for (context and server). */
const listedFor = new WeakMap<Store, string>();

/**
 * Main lists the connected cluster's changes only, and none before a cluster is connected; the
 * store lists them once, at start, which may be before. So once connected, and after each switch
 * to another context (or to the same name on another server), they are listed again: once per
 * store, however many logs are shown.
 */
function useActivityOfConnectedCluster(): string | null {
  const store = useStoreInstance();
  const context = useStore((state) => state.connection?.context ?? null);
  const server = useStore((state) => state.connection?.server ?? null);
  const live = useStore((state) => state.connection?.state === 'live');
  useEffect(() => {
    if (!live || context === null) return;
    const key = `${context}\n${server ?? ''}`;
    if (listedFor.get(store) === key) return;
    listedFor.set(store, key);
    void store.loadActivity();
  }, [store, context, server, live]);
  return context;
}

/** Changes made from here to this app, newest first, with Undo for the last change of replicas,
 * workers, a memory limit or an autoscaler (asked first where it redeploys). */
export function ActivityLog({ app }: { app: App }) {
  const all = useStore((state) => state.activity);
  const context = useActivityOfConnectedCluster();
  const entries = useMemo(
    () =>
      all.filter(
        (entry) =>
          entry.namespace === app.namespace &&
          // A namespace default's change (app '') concerns every app of the namespace.
          (entry.app === app.name || entry.kind === 'memory-default') &&
          // Another context's app of the same name is another app.
          (context === null || entry.context === null || entry.context === context),
      ),
    [all, app.namespace, app.name, context],
  );
  const undoable = useMemo(() => lastUndoable(entries), [entries]);
  const undo = useOperation('activity.undo');
  /** The redeploy an Undo would make, while the admin is asked about it. */
  const [asking, setAsking] = useState<{ id: string; ask: UndoAsk } | null>(null);
  const requestUndo = (entry: ActivityEntry) => {
    const ask = undoQuestion(entry, app);
    if (ask === null) void undo.run({ id: entry.id });
    else setAsking({ id: entry.id, ask });
  };

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
                          onClick={() => requestUndo(entry)}
                          disabled={undo.pending || permission.state === 'denied'}
                          aria-busy={undo.pending}
                          title={
                            permission.state !== 'denied'
                              ? `Back to ${valueText(entry, entry.from)}`
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
                    {entry.message && entry.result === 'superseded' && (
                      <p className="activity-log__message activity-log__message--note">
                        {entry.message}
                      </p>
                    )}
                    <KubectlCommand command={entry.command} label="kubectl" />
                  </div>
                </li>
              );
            })}
          </ol>
        )}
        {asking !== null && (
          <UndoQuestion
            ask={asking.ask}
            onCancel={() => setAsking(null)}
            onConfirm={() => {
              setAsking(null);
              void undo.run({ id: asking.id });
            }}
          />
        )}
      </div>
    </section>
  );
}

/**
 * The newest change that can be undone, where it went through (or failed by an OOMKill after it:
 * going back is the way out) and is not undone yet. A worker count that was not known before
 * (a variable without a value) has nothing to go back to.
 */
function lastUndoable(entries: readonly ActivityEntry[]): ActivityEntry | null {
  const undone = new Set(entries.map((entry) => entry.undoOf).filter((id) => id !== null));
  const last = entries.find((entry) => isUndoableKind(entry.kind));
  if (!last || !undoableOutcome(last) || last.undoOf !== null || undone.has(last.id)) return null;
  if (last.kind === 'workers' && typeof last.from === 'string') return null;
  return last;
}

/** A value of an entry as the log says it: a worker count not set reads as such. */
function valueText(entry: ActivityEntry, value: ActivityEntry['from']): string {
  if (value !== null) return String(value);
  return entry.kind === 'workers' ? 'unset' : '?';
}

function describe(entry: ActivityEntry): string {
  const who = entry.process ? `${entry.process} ` : '';
  const undo = entry.undoOf ? 'Undo: ' : '';
  switch (entry.kind) {
    case 'replicas':
      return `${undo}${who}replicas ${entry.from ?? '?'} → ${entry.to ?? '?'}`;
    case 'workers':
      return `${undo}${who}workers ${valueText(entry, entry.from)} → ${valueText(entry, entry.to)} (redeploy)`;
    case 'restart':
      return entry.process ? `Restarted ${entry.process}` : 'Restarted the app';
    case 'start':
      return 'Started the app';
    case 'autoscaler':
      return `${undo}${who}autoscaler ${entry.from ?? '?'} → ${entry.to ?? '?'}`;
    case 'memory-limit':
      return `${undo}${who}memory limit ${entry.from ?? '?'} → ${entry.to ?? '?'} (redeploy)`;
    case 'memory-default':
      return `${undo}Namespace default memory ${entry.from ?? 'none'} → ${entry.to ?? '?'}`;
  }
}

const RESULT_LABELS: Record<ActivityEntry['result'], string> = {
  pending: 'In progress',
  done: 'Done',
  failed: 'Failed',
  // What it set was replaced by a later change before or after it rolled out: not a failure.
  superseded: 'Superseded',
};

function ResultChip({ entry }: { entry: ActivityEntry }) {
  const label = RESULT_LABELS[entry.result];
  return (
    <span className={`activity-log__result activity-log__result--${entry.result}`}>{label}</span>
  );
}
