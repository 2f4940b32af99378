import type { KubeConfig } from '@kubernetes/client-node';
import type { App, Permission, WorkloadKind } from '../../shared/app-model';
import type { MemoryHistory } from '../model/memory-history';
import type { MemoryRoomFacts } from '../model/memory-room';
import type { Check } from '../model/rbac-permissions';
import type { WorkloadObject } from '../model/workload';

/**
 * The live connection to one cluster, as the operations see it: the read side (the
 * model kept current by watches) and the client configuration to write with. Implemented by
 * the connection service; consumed by the operations (replicas, workers, restart, start).
 */
export interface SessionPort {
  /** The kubeconfig with the session's context current. Credentials stay in main. */
  readonly kubeConfig: KubeConfig;
  readonly contextName: string;
  /** The app as the model sees it now; undefined where it does not exist. */
  getApp(appId: string): App | undefined;
  /** The Deployment or StatefulSet as last seen on the watch (not a copy: do not mutate). */
  getWorkload(kind: WorkloadKind, namespace: string, name: string): WorkloadObject | undefined;
  /** Called after each coalesced model update of that app; returns an unsubscribe. */
  onAppChange(appId: string, listener: (app: App | undefined) => void): () => void;
  /** Probe the app's endpoint now (after an operation), updating the model. */
  probeEndpoint(appId: string): Promise<void>;
  /**
   * Asks the cluster now, where not known yet, whether the user may make a change to a workload
   * of this kind (the model's permissions are asked only for the app on screen). Without it, the
   * app's permissions as the model has them are all there is.
   */
  readonly permissions?: {
    require(namespace: string, kind: WorkloadKind, change: 'scale' | 'patch'): Promise<Permission>;
    /** Any other check (update limitranges); absent: not asked, the cluster judges. */
    requireCheck?(namespace: string, check: Check): Promise<Permission>;
  };
  /** Every app the model has now (the apps of a namespace on its default memory limit). */
  listApps?(): App[];
  /** Makes the apps' pod room current enough to judge a change by (free node slots). */
  readonly podRoom?: { fresh(): Promise<void> };
  /** What a memory limit is judged by in a namespace: nodes' memory, quotas, LimitRange default. */
  readonly memoryRoom?: { of(namespace: string): MemoryRoomFacts };
  /** The memory history kept: a limit under its peak is predicted to be passed. */
  readonly history?: Pick<MemoryHistory, 'window'>;
}
