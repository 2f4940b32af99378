import type { Pod, Process } from '../../../shared/app-model';
import { formatBytes } from '../../../shared/format';
import { formatAgo, formatClock, formatFull } from '../format/time';
import { useMemoryAsOf } from '../state/StoreContext';
import { replicaRisk } from '../../../shared/memory-risk';
import './ReplicaList.css';

/** Each replica of a process: the node it runs on (so the spread is visible), state, restarts and
 * its last OOM kill. */
export function ReplicaList({ process }: { process: Process }) {
  const memoryAsOf = useMemoryAsOf();
  const pods = [...process.pods].sort((a, b) => a.name.localeCompare(b.name));
  if (pods.length === 0) {
    return <p className="replica-list__empty muted">No replicas running.</p>;
  }
  const hashes = new Set(pods.map((pod) => replicaSetHash(pod.name, process.deployment)));
  const nodes = new Set(pods.filter((pod) => !pod.terminating).map((pod) => pod.node ?? '?'));
  const spreadNote =
    pods.length > 1 && nodes.size === 1
      ? `All ${pods.length} replicas on one node: losing it stops the process.`
      : null;
  return (
    <div className="replica-list">
      <div className="replica-list__scroll">
        <table className="data-table replica-list__table">
          <caption className="visually-hidden">Replicas of {process.name}</caption>
          <thead>
            <tr>
              <th scope="col">Replica</th>
              <th scope="col">Node</th>
              <th scope="col">State</th>
              <th scope="col" className="num">
                {memoryAsOf ? `Memory, as of ${formatClock(memoryAsOf)}` : 'Memory'}
              </th>
              <th scope="col" className="num">
                Restarts
              </th>
              <th scope="col">Last OOM</th>
            </tr>
          </thead>
          <tbody>
            {pods.map((pod) => (
              <tr
                key={pod.name}
                className={pod.terminating ? 'replica-list__row--leaving' : undefined}
              >
                <td>
                  <code title={pod.name}>{shortPodName(pod.name, process.deployment, hashes)}</code>
                </td>
                <td className="replica-list__fluid" title={pod.node ?? 'Not scheduled on a node'}>
                  <NodeName node={pod.node} />
                </td>
                <td className="replica-list__state" title={podStateTitle(pod)}>
                  <PodState pod={pod} />
                </td>
                <td className={`num${memoryAsOf ? ' memory-figure--stale' : ''}`}>
                  {formatBytes(pod.memoryBytes)}
                  {replicaRisk(pod, process, { memoryStale: !!memoryAsOf })?.kind ===
                    'near-limit' && <span className="replica-list__at-risk">at risk</span>}
                </td>
                <td className={`num${pod.restarts > 0 ? ' replica-list__restarts' : ''}`}>
                  {pod.restarts}
                </td>
                <td>
                  <LastOom pod={pod} />
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      <p className="replica-list__spread muted">
        {nodes.size === 1 ? 'On 1 node' : `Spread over ${nodes.size} nodes`}
        {spreadNote && <span className="replica-list__warn"> · {spreadNote}</span>}
      </p>
    </div>
  );
}

/**
 * The node, shortened in the middle where the column is narrow: node names tend to differ at
 * their end (sandbox-node-2, gke-...-pool-1a2b3c4d-xz12), so the end stays in view.
 */
function NodeName({ node }: { node: string | null }) {
  const name = node ?? 'not scheduled';
  const tailLength = Math.min(6, Math.floor(name.length / 2));
  return (
    <span className="replica-list__node">
      <span
        className="replica-list__node-dot"
        style={{ background: nodeColour(node) }}
        aria-hidden="true"
      />
      <span className="replica-list__node-head">{name.slice(0, name.length - tailLength)}</span>
      <span className="replica-list__node-tail">{name.slice(name.length - tailLength)}</span>
    </span>
  );
}

function PodState({ pod }: { pod: Pod }) {
  if (pod.terminating) return <span className="pod-state pod-state--leaving">Terminating</span>;
  if (pod.waitingReason) {
    const bad = /BackOff|Err|OOM/i.test(pod.waitingReason);
    return (
      <span className={`pod-state ${bad ? 'pod-state--bad' : 'pod-state--pending'}`}>
        {pod.waitingReason}
      </span>
    );
  }
  if (pod.ready) return <span className="pod-state pod-state--ready">Ready</span>;
  return <span className="pod-state pod-state--pending">{pod.phase}</span>;
}

/** The state in full, for the title of a cell that may be too narrow for it. */
function podStateTitle(pod: Pod): string {
  const state = pod.terminating
    ? 'Terminating'
    : (pod.waitingReason ?? (pod.ready ? 'Ready' : pod.phase));
  const last = pod.lastTermination;
  if (!last) return state;
  const exit = last.exitCode === null ? '' : `, exit code ${last.exitCode}`;
  return `${state}; last run ended ${last.reason}${exit} ${formatAgo(last.finishedAt)}`;
}

function LastOom({ pod }: { pod: Pod }) {
  const termination = pod.lastTermination;
  if (!termination || termination.reason !== 'OOMKilled') return <span className="muted">—</span>;
  return (
    <span className="replica-list__oom" title={formatFull(termination.finishedAt)}>
      {formatAgo(termination.finishedAt)}
    </span>
  );
}

/** `sales-web-7d9f8-abcde` → `abcde`: the part that tells replicas apart (the full name is its
 * title). The ReplicaSet's hash is kept while replicas of two ReplicaSets run (a rollout). */
function shortPodName(pod: string, deployment: string, hashes: ReadonlySet<string>): string {
  const rest = withoutDeployment(pod, deployment);
  return hashes.size > 1 ? rest : (rest.split('-').pop() ?? rest);
}

function replicaSetHash(pod: string, deployment: string): string {
  return withoutDeployment(pod, deployment).split('-').slice(0, -1).join('-');
}

/** `sales-web-7d9f8-abcde` → `7d9f8-abcde`: the ReplicaSet hash and the pod's own suffix. */
function withoutDeployment(pod: string, deployment: string): string {
  return pod.startsWith(`${deployment}-`) ? pod.slice(deployment.length + 1) : pod;
}

/** A stable colour per node name, so replicas on the same node match at a glance. */
function nodeColour(node: string | null): string {
  if (node === null) return 'var(--text-3)';
  let hash = 0;
  for (const char of node) hash = (hash * 31 + char.charCodeAt(0)) >>> 0;
  return `var(--chart-${(hash % 6) + 1})`;
}
