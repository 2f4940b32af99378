import { useEffect, useId, useState } from 'react';
import { GIB } from '../../../shared/app-model';
import { MemoryQuantitySchema } from '../../../shared/contract';
import { formatBytes, plural } from '../../../shared/format';
import { useOperation } from '../state/useOperation';
import { ErrorNotice } from './ErrorNotice';
import { KubectlCommand } from './KubectlCommand';
import { PermissionNote } from './PermissionNote';
import './NamespaceDefaultEditor.css';

const MIB = 1024 ** 2;

/** A byte count as a quantity to start editing from: `8Gi`, `1536Mi`, else bytes. */
function quantityOf(bytes: number | null): string {
  if (bytes === null) return '';
  if (bytes % GIB === 0) return `${bytes / GIB}Gi`;
  if (bytes % MIB === 0) return `${bytes / MIB}Mi`;
  return String(bytes);
}

/**
 * The namespace's default memory limit (its LimitRange), for a user allowed to update it. Before
 * saving it lists the apps running on the default: they take the new value only when their pods
 * are replaced (Restart, or Start for a stopped app); after saving, those apps say so themselves.
 */
export function NamespaceDefaultEditor({
  namespace,
  onClose,
}: {
  namespace: string;
  onClose: () => void;
}) {
  const read = useOperation('namespace.memoryDefaults');
  const save = useOperation('namespace.setMemoryDefault');
  const undo = useOperation('activity.undo');
  const [text, setText] = useState<string | null>(null);
  const inputId = useId();
  const reasonId = useId();
  const { run: load } = read;

  useEffect(() => {
    void load({ namespace });
  }, [load, namespace]);

  const defaults = read.value;
  const value = text ?? quantityOf(defaults?.defaultBytes ?? null);
  const parsed = MemoryQuantitySchema.safeParse(value);
  const invalid = value !== '' && !parsed.success ? parsed.error.issues[0]?.message : null;
  const permission = defaults?.permission ?? null;
  const saved = save.value;

  const send = () => {
    if (!defaults || !parsed.success) return;
    void save
      .run({ namespace, limit: parsed.data, expectedDefaultBytes: defaults.defaultBytes })
      .then((result) => {
        if (result.ok) void load({ namespace });
      });
  };

  return (
    <section
      className="editor-panel namespace-default-editor"
      aria-label={`Default memory limit of ${namespace}`}
    >
      <h4 className="namespace-default-editor__title">Namespace default memory limit</h4>
      {read.pending && !defaults && <p className="muted">Reading the namespace's LimitRange…</p>}
      {read.error && (
        <ErrorNotice
          error={read.error}
          onDismiss={read.clear}
          onRetry={() => void load({ namespace })}
        />
      )}
      {defaults && (
        <>
          <p className="namespace-default-editor__now">
            {defaults.defaultBytes === null
              ? `No LimitRange in ${namespace} sets a default: containers without a limit run with the built-in 8 GiB. Saving creates the LimitRange scaledesk-defaults.`
              : `Now ${formatBytes(defaults.defaultBytes)} per container (LimitRange ${defaults.limitRange ?? ''}${defaults.defaultRequestBytes !== null ? `, request ${formatBytes(defaults.defaultRequestBytes)}` : ''}).`}
          </p>
          <div className="namespace-default-editor__row">
            <label htmlFor={inputId}>New default</label>
            <input
              id={inputId}
              className="input namespace-default-editor__input"
              value={value}
              onChange={(event) => setText(event.target.value)}
              aria-invalid={invalid ? true : undefined}
              aria-describedby={permission?.state === 'allowed' ? undefined : reasonId}
              placeholder="12Gi"
              spellCheck={false}
            />
            <span className="muted namespace-default-editor__hint">Gi, Mi (binary) or G, M</span>
          </div>
          {invalid && <p className="namespace-default-editor__invalid">{invalid}</p>}
          {permission && <PermissionNote id={reasonId} permission={permission} />}
          {defaults.appsOnDefault.length > 0 ? (
            <div className="namespace-default-editor__apps">
              <p>
                {plural(defaults.appsOnDefault.length, 'app')}{' '}
                {defaults.appsOnDefault.length === 1 ? 'runs' : 'run'} on the default and will take
                the new value only when {defaults.appsOnDefault.length === 1 ? 'its' : 'their'} pods
                are replaced (Restart, or Start for a stopped app):
              </p>
              <ul>
                {defaults.appsOnDefault.map((app) => (
                  <li key={app.app}>
                    <strong>{app.app}</strong> ({app.processes.join(', ')}) runs{' '}
                    {formatBytes(app.runningBytes)}
                  </li>
                ))}
              </ul>
            </div>
          ) : (
            <p className="muted">No app of {namespace} runs on the default now.</p>
          )}
          {save.error && <ErrorNotice error={save.error} onDismiss={save.clear} onRetry={send} />}
          {saved && (
            <div className="namespace-default-editor__saved" role="status">
              <p>{saved.activity.message ?? 'Saved.'}</p>
              {saved.warnings.map((warning) => (
                <p key={warning} className="muted">
                  {warning}
                </p>
              ))}
              <KubectlCommand command={saved.activity.command} label="Done as" />
              {undo.error && <ErrorNotice error={undo.error} onDismiss={undo.clear} />}
              {saved.activity.from !== null && !undo.value && (
                <button
                  type="button"
                  className="button button--small"
                  disabled={undo.pending}
                  onClick={() =>
                    void undo.run({ id: saved.activity.id }).then((result) => {
                      if (result.ok) void load({ namespace });
                    })
                  }
                >
                  Undo (back to {saved.activity.from})
                </button>
              )}
            </div>
          )}
          <div className="namespace-default-editor__actions">
            <button type="button" className="button" onClick={onClose}>
              Close
            </button>
            <button
              type="button"
              className="button button--primary"
              onClick={send}
              disabled={
                !parsed.success ||
                save.pending ||
                permission?.state === 'denied' ||
                parsed.data === quantityOf(defaults.defaultBytes)
              }
              aria-busy={save.pending}
            >
              {save.pending && <span className="spinner" aria-hidden="true" />}
              Save default
            </button>
          </div>
        </>
      )}
    </section>
  );
}
