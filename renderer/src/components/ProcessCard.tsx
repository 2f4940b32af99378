import { memo, useEffect, useState } from 'react';
import type { App, Process } from '../../../shared/app-model';
import type { OperationResult } from '../../../shared/contract';
import { useMemoryAsOf, useStore, useStoreInstance } from '../state/StoreContext';
import { formatClock } from '../format/time';
import { formatBytes } from '../../../shared/format';
import { processState } from '../format/process-state';
import { AutoscalerEditor } from './AutoscalerEditor';
import { AutoscalerNote } from './AutoscalerNote';
import { KubectlCommand } from './KubectlCommand';
import { runsOnNamespaceDefault } from '../../../shared/namespace-memory-defaults';
import { MemoryLimitEditor } from './MemoryLimitEditor';
import { MemoryLimitFigure, NextLimitNote } from './MemoryLimitFigure';
import { NamespaceDefaultEditor } from './NamespaceDefaultEditor';
import { OperationStatus } from './OperationStatus';
import { PermissionNote } from './PermissionNote';
import { ReplicaEditor } from './ReplicaEditor';
import { ReplicaList } from './ReplicaList';
import { AtRiskBadge } from './StatusBadge';
import { processRisk } from '../../../shared/memory-risk';
import { WorkerSlider } from './WorkerSlider';
import './ProcessCard.css';

interface SentChange {
  result: OperationResult;
  label: string;
}

/** One process type of the app: its Procfile line, replicas and where they run, and the
 * controls to scale it. A region named after the process type. */
export const ProcessCard = memo(function ProcessCard({
  app,
  process,
}: {
  app: App;
  process: Process;
}) {
  const [editing, setEditing] = useState(false);
  const [sent, setSent] = useState<SentChange | null>(null);
  const [editingDefault, setEditingDefault] = useState(false);
  const memoryAsOf = useMemoryAsOf();
  const permission = app.permissions.scale;
  const reasonId = `scale-reason-${app.id}-${process.name}`;
  const { desired, ready } = process.replicas;
  const phase = useStore((state) =>
    sent ? state.operations.get(sent.result.operationId)?.phase : undefined,
  );
  // "Raise the limit to X" elsewhere (the OOM banner, the advice) opens this card's editor filled in.
  const store = useStoreInstance();
  const [initialLimit, setInitialLimit] = useState<string | undefined>(undefined);
  const requestedLimit = useStore((state) =>
    state.resourceEditor?.appId === app.id && state.resourceEditor.process === process.name
      ? state.resourceEditor.limit
      : null,
  );
  useEffect(() => {
    if (requestedLimit === null) return;
    setInitialLimit(requestedLimit);
    setEditing(true);
    store.openResourceEditor(null);
  }, [requestedLimit, store]);
  // A recommendation fills the editor it opened, not the next one the admin opens.
  useEffect(() => {
    if (!editing) setInitialLimit(undefined);
  }, [editing]);

  // A finished change stays in view a moment, then the card is quiet again.
  useEffect(() => {
    if (phase !== 'done') return;
    const timer = setTimeout(() => setSent(null), 8000);
    return () => clearTimeout(timer);
  }, [phase]);

  const onSaved = (label: string) => (result: OperationResult) => {
    setSent({ result, label });
    setEditing(false);
  };

  const state = processState(process);
  const used = process.memoryUsedBytes;
  const limit = formatBytes(process.memoryLimit.bytes);
  const asOf = used === null ? null : memoryAsOf;
  const risk = processRisk(process, { memoryStale: memoryAsOf !== null });
  return (
    <section className="card process-card" aria-label={process.name}>
      <header className="card__header process-card__header">
        <div className="process-card__title">
          <h3 className="process-card__name">{process.name}</h3>
          <span
            className={`process-card__ready numeric${ready < desired ? ' process-card__ready--short' : desired === 0 ? ' process-card__ready--none' : ''}`}
            title="Replicas ready of desired"
          >
            {ready} of {desired} ready
          </span>
          {state.label && (
            <span
              className={`process-card__state process-card__state--${state.tone}`}
              data-state={state.kind}
              title={state.detail ?? undefined}
            >
              {state.label}
            </span>
          )}
          <AtRiskBadge risks={risk ? [risk] : []} />
        </div>
        <div className="process-card__aside">
          <span
            className={`process-card__memory muted numeric${asOf ? ' memory-figure--stale' : ''}`}
            title={
              used === null
                ? `No memory measured (no replica reports metrics); limit ${limit} per replica`
                : `Memory used of this process's limit (${limit} per replica)${asOf ? `, as of ${formatClock(asOf)}: the metrics API is not answering` : ''}`
            }
          >
            {used === null ? 'Limit ' : `${formatBytes(used)} of `}
            {desired === 0 ? '' : `${desired} × `}
            <MemoryLimitFigure limit={process.memoryLimit} perReplica={desired === 0} />
          </span>
          <button
            type="button"
            className="button process-card__edit"
            onClick={() => setEditing(true)}
            disabled={permission.state === 'denied' || editing}
            aria-describedby={permission.state === 'allowed' ? undefined : reasonId}
            aria-expanded={editing}
          >
            Edit Resources
          </button>
        </div>
      </header>
      <div className="card__body process-card__body">
        <code className="process-card__command" title="The Procfile line">
          <span className="process-card__command-type">{process.name}:</span> {process.command}
        </code>
        {(process.memoryLimit.next || runsOnNamespaceDefault(process)) && (
          <div className="memory-limit-row">
            <NextLimitNote limit={process.memoryLimit} />
            {runsOnNamespaceDefault(process) && (
              <button
                type="button"
                className="button button--small button--quiet"
                onClick={() => setEditingDefault(true)}
                aria-expanded={editingDefault}
              >
                Change the namespace default
              </button>
            )}
          </div>
        )}
        {editingDefault && (
          <NamespaceDefaultEditor
            namespace={app.namespace}
            onClose={() => setEditingDefault(false)}
          />
        )}
        {state.tone === 'danger' && state.detail && (
          <p className="process-card__problem">{state.detail}</p>
        )}
        <PermissionNote id={reasonId} permission={permission} />
        {process.autoscaler && <AutoscalerNote autoscaler={process.autoscaler} />}
        {editing &&
          (process.autoscaler ? (
            <AutoscalerEditor
              app={app}
              process={{ ...process, autoscaler: process.autoscaler }}
              onClose={() => setEditing(false)}
              onSaved={onSaved(`Changing the autoscaler of ${process.name}…`)}
            />
          ) : (
            <ReplicaEditor
              app={app}
              process={process}
              onClose={() => setEditing(false)}
              onSaved={onSaved(`Scaling ${process.name}…`)}
            />
          ))}
        {editing && (
          <MemoryLimitEditor
            app={app}
            process={process}
            initialLimit={initialLimit}
            onClose={() => setEditing(false)}
            onSaved={onSaved(`Setting the memory limit of ${process.name}…`)}
          />
        )}
        {sent && (
          <div className="process-card__sent">
            <OperationStatus operationId={sent.result.operationId} sentLabel={sent.label} />
            {sent.result.warnings.map((warning) => (
              <p key={warning} className="process-card__warning">
                {warning}
              </p>
            ))}
            <KubectlCommand command={sent.result.activity.command} label="Done as" />
          </div>
        )}
        <ReplicaList process={process} />
        {process.workers && (
          <div className="process-card__workers">
            <WorkerSlider
              app={app}
              process={process}
              onSaved={onSaved(`Redeploying ${process.name}…`)}
            />
          </div>
        )}
      </div>
    </section>
  );
}, sameCard);

/** A card redraws when its process or what its editors read of the app changed; the store keeps
 * unchanged parts of an app as the same objects, so a change elsewhere in the app skips it. */
function sameCard(before: { app: App; process: Process }, after: { app: App; process: Process }) {
  return (
    before.process === after.process &&
    before.app.id === after.app.id &&
    before.app.permissions === after.app.permissions &&
    before.app.podRoom === after.app.podRoom &&
    before.app.memory.maxBytes === after.app.memory.maxBytes
  );
}
