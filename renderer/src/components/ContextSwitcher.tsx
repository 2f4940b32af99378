import { useStore } from '../state/StoreContext';
import { useOperation } from '../state/useOperation';
import { ErrorNotice } from './ErrorNotice';

/** The kubeconfig context to work in; switching reconnects and the app list follows. */
export function ContextSwitcher() {
  const contexts = useStore((state) => state.contexts);
  const connection = useStore((state) => state.connection);
  const connect = useOperation('cluster.connect');
  const current = connection?.context ?? '';

  const choose = (name: string) => {
    const context = contexts.find((candidate) => candidate.name === name);
    void connect.run({ context: name, namespace: context?.namespace ?? null });
  };

  return (
    <div className="sidebar__field">
      <label className="field-label" htmlFor="context-switcher">
        Context
      </label>
      <select
        id="context-switcher"
        className="select sidebar__select"
        value={current}
        disabled={connect.pending || contexts.length === 0}
        aria-busy={connect.pending}
        onChange={(event) => choose(event.target.value)}
      >
        {current !== '' && !contexts.some((context) => context.name === current) && (
          <option value={current}>{current}</option>
        )}
        {current === '' && <option value="">No context</option>}
        {contexts.map((context) => (
          <option key={context.name} value={context.name}>
            {context.name}
          </option>
        ))}
      </select>
      {connection?.source === 'sandbox' && (
        <p className="sidebar__hint">No kubeconfig found: showing the sandbox cluster.</p>
      )}
      {connect.error && (
        <ErrorNotice
          error={connect.error}
          onDismiss={connect.clear}
          onRetry={current ? () => choose(current) : undefined}
        />
      )}
    </div>
  );
}
