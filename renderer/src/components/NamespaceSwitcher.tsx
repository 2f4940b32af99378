import { useStore } from '../state/StoreContext';
import { useOperation } from '../state/useOperation';
import { ErrorNotice } from './ErrorNotice';

const ALL = '';

/** One namespace, or all the user may list. */
export function NamespaceSwitcher() {
  const namespaces = useStore((state) => state.namespaces);
  const connection = useStore((state) => state.connection);
  const connect = useOperation('cluster.connect');
  const context = connection?.context ?? null;
  const current = connection?.namespace ?? ALL;

  const choose = (namespace: string) => {
    if (context === null) return;
    void connect.run({ context, namespace: namespace === ALL ? null : namespace });
  };

  return (
    <div className="sidebar__field">
      <label className="field-label" htmlFor="namespace-switcher">
        Namespace
      </label>
      <select
        id="namespace-switcher"
        className="select sidebar__select"
        value={current}
        disabled={connect.pending || context === null}
        aria-busy={connect.pending}
        onChange={(event) => choose(event.target.value)}
      >
        <option value={ALL}>All namespaces</option>
        {current !== ALL && !namespaces.includes(current) && (
          <option value={current}>{current}</option>
        )}
        {namespaces.map((namespace) => (
          <option key={namespace} value={namespace}>
            {namespace}
          </option>
        ))}
      </select>
      {connect.error && <ErrorNotice error={connect.error} onDismiss={connect.clear} />}
    </div>
  );
}
