import { useEffect, useState } from 'react';
import { whyNoApps, type NamespaceSummary } from '../../../shared/namespace-summary';
import { useBridge, useStore } from '../state/StoreContext';

/** While the empty list is shown, what the namespace holds is asked again this often. */
const REFRESH_MS = 15_000;

/**
 * The app list when there is no app: what the namespace holds instead (pods of a DaemonSet, of
 * a Job, bare pods...) and why none of it is listed, so an admin who knows something runs there
 * is not left guessing. Main counts it from the pods it watches (`cluster.namespaceSummary`).
 */
export function EmptyNamespace() {
  const bridge = useBridge();
  const allNamespaces = useStore((state) => state.connection?.namespace === null);
  // Asked again when the connection moves (another context or namespace, a resync).
  const scope = useStore(
    (state) =>
      `${state.connection?.context}|${state.connection?.namespace}|${state.connection?.syncedAt}`,
  );
  const [summary, setSummary] = useState<{ scope: string; value: NamespaceSummary } | null>(null);
  // Never read: "no apps" would be a guess (the banner says what failed).
  const neverRead = useStore(
    (state) =>
      state.connection !== null &&
      state.connection.syncedAt === null &&
      (state.connection.state === 'error' || state.connection.state === 'stale'),
  );

  useEffect(() => {
    let current = true;
    const ask = () =>
      void bridge.invoke('cluster.namespaceSummary', {}).then((result) => {
        // Not connected, or the answer failed: the plain sentence is all there is to say.
        if (current && result.ok) setSummary({ scope, value: result.value });
      });
    ask();
    const timer = setInterval(ask, REFRESH_MS);
    return () => {
      current = false;
      clearInterval(timer);
    };
  }, [bridge, scope]);

  const where = allNamespaces ? 'in the namespaces you can see' : 'in this namespace';
  const known = summary?.scope === scope ? summary.value : null;
  if (neverRead) {
    return (
      <div className="sidebar__empty muted">
        <p>The apps {where} could not be read yet: the cluster has not answered (see above).</p>
      </div>
    );
  }
  return (
    <div className="sidebar__empty muted">
      <p>No apps {where}.</p>
      {known && <p className="sidebar__empty-why">{whyNoApps(known, where)}</p>}
    </div>
  );
}
