import {
  AppsV1Api,
  PatchStrategy,
  setHeaderOptions,
  type V1Deployment,
  type V1Scale,
} from '@kubernetes/client-node';
import { toClusterError, withTimeout } from '../kube/cluster-errors';
import type { JsonPatchOperation } from '../../shared/kubectl-command';
import type { DeploymentRef } from './workload-ref';

/**
 * The few writes the operations make, through client-node's typed API. In client-node 1.x the
 * generated patch methods pick `application/json-patch+json` as the Content-Type whatever the
 * body is, so each call sets the patch type explicitly with the header middleware.
 */

const REQUEST_TIMEOUT_MS = 30_000;

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
 * `resourceVersion` the server refuses (409) where the Deployment changed since that version
 * (whether that matters is the write guard's to judge: write-guard.ts).
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

/** The Deployment as the cluster has it now (what the write guard judges after the watch). */
export function readDeployment(ref: DeploymentRef): Promise<V1Deployment> {
  return call(ref, 'get', 'deployments', () =>
    api(ref).readNamespacedDeployment({ name: ref.name, namespace: ref.namespace }),
  );
}
