import { KubectlCommand } from './KubectlCommand';
import './MetricsServerHelp.css';

/** The install most admins use: the release manifest of kubernetes-sigs/metrics-server. */
export const METRICS_SERVER_INSTALL =
  'kubectl apply -f https://github.com/kubernetes-sigs/metrics-server/releases/latest/download/components.yaml';

/**
 * Where the cluster has no metrics-server: memory in use cannot be shown, and how it is usually
 * added, as a command to copy. ScaleDesk asks again every 5 minutes (and at once on reconnect),
 * so the figures appear by themselves once it answers.
 */
export function MetricsServerHelp({ height }: { height?: number }) {
  return (
    <div className="metrics-server-help" style={{ minHeight: height }} role="note">
      <p className="metrics-server-help__title">This cluster has no metrics-server</p>
      <p className="muted">
        Memory in use comes from the metrics API, which metrics-server serves. Admins usually add it
        with:
      </p>
      <KubectlCommand command={METRICS_SERVER_INSTALL} label="Install" />
      <p className="muted">
        or with its Helm chart (<code>metrics-server/metrics-server</code>); many managed clusters
        offer it as an add-on. Figures appear within 5 minutes of it answering, or at once on
        reconnecting.
      </p>
    </div>
  );
}
