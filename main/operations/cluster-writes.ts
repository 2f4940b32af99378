import {
  AppsV1Api,
  PatchStrategy,
  setHeaderOptions,
  type KubeConfig,
  type V1Deployment,
  type V1Scale,
} from '@kubernetes/client-node';
import { ScaleDeskError } from '../../shared/errors';
import { toClusterError, withTimeout } from '../kube/cluster-errors';
import type { JsonPatchOperation } from '../../shared/kubectl-command';

/**
 * The few writes the operations make, through client-node's typed API. In client-node 1.x the
 * generated patch methods pick `application/json-patch+json` as the Content-Type whatever the
 * body is, so each call sets the patch type explicitly with the header middleware.
 */

const REQUEST_TIMEOUT_MS = 30_000;

export interface DeploymentRef {
  kubeConfig: KubeConfig;
  context: string;
  namespace: string;
  name: string;
}

function api(ref: DeploymentRef): AppsV1Api {
  return ref.kubeConfig.makeApiClient(AppsV1Api);
}

function server(ref: DeploymentRef): string | undefined {
  return ref.kubeConfig.getCurrentCluster()?.server;
}

async function call<T>(
  ref: DeploymentRef,
  verb: string,
  resource: string,
  request: () => Promise<T>,
): Promise<T> {
  try {
    return await withTimeout(request(), REQUEST_TIMEOUT_MS);
  } catch (error) {
    const context = ref.context;
    const srv = server(ref);
    throw toClusterError(error, {
      verb,
      resource,
      namespace: ref.namespace,
      name: ref.name,
      context,
      ...(srv ? { server: srv } : {}),
    });
  }
}

/**
 * Sets the replicas through the scale subresource, as `kubectl scale` does. With a
 * `resourceVersion` the server refuses (409) where the Deployment changed since that version.
 */
export function patchScale(
  ref: DeploymentRef,
  replicas: number,
  resourceVersion: string | null,
): Promise<V1Scale> {
  const body = {
    ...(resourceVersion === null ? {} : { metadata: { resourceVersion } }),
    spec: { replicas },
  };
  return call(ref, 'patch', 'deployments/scale', () =>
    api(ref).patchNamespacedDeploymentScale(
      { name: ref.name, namespace: ref.namespace, body, fieldManager: 'scaledesk' },
      setHeaderOptions('Content-Type', PatchStrategy.MergePatch),
    ),
  );
}

/** A JSON merge patch of the Deployment (maps merge, `null` deletes a key). */
export function mergePatchDeployment(ref: DeploymentRef, body: object): Promise<V1Deployment> {
  return call(ref, 'patch', 'deployments', () =>
    api(ref).patchNamespacedDeployment(
      { name: ref.name, namespace: ref.namespace, body, fieldManager: 'scaledesk' },
      setHeaderOptions('Content-Type', PatchStrategy.MergePatch),
    ),
  );
}

/** A JSON patch (RFC 6902) of the Deployment: exact paths, nothing else touched. */
export function jsonPatchDeployment(
  ref: DeploymentRef,
  operations: readonly JsonPatchOperation[],
): Promise<V1Deployment> {
  return call(ref, 'patch', 'deployments', () =>
    api(ref).patchNamespacedDeployment(
      { name: ref.name, namespace: ref.namespace, body: operations, fieldManager: 'scaledesk' },
      setHeaderOptions('Content-Type', PatchStrategy.JsonPatch),
    ),
  );
}

/** The Deployment as the cluster has it now (to say what changed after a conflict). */
export function readDeployment(ref: DeploymentRef): Promise<V1Deployment> {
  return call(ref, 'get', 'deployments', () =>
    api(ref).readNamespacedDeployment({ name: ref.name, namespace: ref.namespace }),
  );
}

type ConflictOutcome = { retryWith: string } | { retryWith: null; current: V1Deployment | null };

/**
 * After a 409: a Deployment's resourceVersion moves with every status update the controller
 * makes, so a write guarded by the model's version can lose to a change of status alone. Where
 * the guard was the model's own version and the spec has not moved since (same generation),
 * nobody changed what the admin saw: the write may go again at the fresh version. Else the
 * conflict stands, with the Deployment as it is now to say what changed.
 */
async function judgeConflict(
  ref: DeploymentRef,
  guard: string,
  seen: V1Deployment | undefined,
): Promise<ConflictOutcome> {
  let current: V1Deployment | null = null;
  try {
    current = await readDeployment(ref);
  } catch {
    return { retryWith: null, current: null };
  }
  const fresh = current.metadata?.resourceVersion;
  const sameSpec =
    seen !== undefined &&
    seen.metadata?.resourceVersion === guard &&
    seen.metadata?.generation !== undefined &&
    current.metadata?.generation === seen.metadata.generation;
  return sameSpec && fresh ? { retryWith: fresh } : { retryWith: null, current };
}

/**
 * A write guarded by `guard` (the resourceVersion the admin saw; null: not guarded). A 409 that
 * {@link judgeConflict} finds was a change of status alone is written once more at the fresh
 * version; any other conflict is thrown as `conflict(current)`, with the Deployment as it is now
 * where it could be read (null after the second attempt).
 */
export async function writeGuarded<T>(
  ref: DeploymentRef,
  guard: string | null,
  seen: V1Deployment | undefined,
  write: (version: string | null) => Promise<T>,
  conflict: (current: V1Deployment | null) => ScaleDeskError,
): Promise<T> {
  try {
    return await write(guard);
  } catch (error) {
    if (!(error instanceof ScaleDeskError) || error.code !== 'CONFLICT' || guard === null) {
      throw error;
    }
    const judged = await judgeConflict(ref, guard, seen);
    if (judged.retryWith === null) throw conflict(judged.current);
    try {
      return await write(judged.retryWith);
    } catch (again) {
      if (again instanceof ScaleDeskError && again.code === 'CONFLICT') throw conflict(null);
      throw again;
    }
  }
}
