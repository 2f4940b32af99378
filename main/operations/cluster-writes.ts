import { AppsV1Api, PatchStrategy, setHeaderOptions, type V1Scale } from '@kubernetes/client-node';
import { toClusterError, withTimeout } from '../kube/cluster-errors';
import type { JsonPatchOperation } from '../../shared/kubectl-command';
import type { WorkloadObject } from '../model/workload';
import type { WorkloadRef } from './workload-ref';

/**
 * The few writes the operations make, through client-node's typed API, to a Deployment or a
 * StatefulSet (the ref's kind picks the AppsV1Api call and names the resource in errors). In
 * client-node 1.x the generated patch methods pick `application/json-patch+json` as the
 * Content-Type whatever the body is, so each call sets the patch type explicitly with the header
 * middleware.
 */

const REQUEST_TIMEOUT_MS = 30_000;

function api(ref: WorkloadRef): AppsV1Api {
  return ref.kubeConfig.makeApiClient(AppsV1Api);
}

function server(ref: WorkloadRef): string | undefined {
  return ref.kubeConfig.getCurrentCluster()?.server;
}

/** `deployments`, `statefulsets`: the resource as the API (and its errors) name it. */
function resourceOf(ref: WorkloadRef): string {
  return ref.kind === 'StatefulSet' ? 'statefulsets' : 'deployments';
}

async function call<T>(
  ref: WorkloadRef,
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
 * `resourceVersion` the server refuses (409) where the workload changed since that version
 * (whether that matters is the write guard's to judge: write-guard.ts).
 */
export function patchScale(
  ref: WorkloadRef,
  replicas: number,
  resourceVersion: string | null,
): Promise<V1Scale> {
  const body = {
    ...(resourceVersion === null ? {} : { metadata: { resourceVersion } }),
    spec: { replicas },
  };
  const request = { name: ref.name, namespace: ref.namespace, body, fieldManager: 'scaledesk' };
  const mergePatch = setHeaderOptions('Content-Type', PatchStrategy.MergePatch);
  return call(ref, 'patch', `${resourceOf(ref)}/scale`, () =>
    ref.kind === 'StatefulSet'
      ? api(ref).patchNamespacedStatefulSetScale(request, mergePatch)
      : api(ref).patchNamespacedDeploymentScale(request, mergePatch),
  );
}

/** A patch of the workload itself, as a merge patch (an object) or a JSON patch (operations). */
function patchWorkload(
  ref: WorkloadRef,
  body: object,
  strategy: PatchStrategy,
): Promise<WorkloadObject> {
  const request = { name: ref.name, namespace: ref.namespace, body, fieldManager: 'scaledesk' };
  const contentType = setHeaderOptions('Content-Type', strategy);
  return call<WorkloadObject>(ref, 'patch', resourceOf(ref), () =>
    ref.kind === 'StatefulSet'
      ? api(ref).patchNamespacedStatefulSet(request, contentType)
      : api(ref).patchNamespacedDeployment(request, contentType),
  );
}

/** A JSON merge patch of the workload (maps merge, `null` deletes a key). */
export function mergePatchWorkload(ref: WorkloadRef, body: object): Promise<WorkloadObject> {
  return patchWorkload(ref, body, PatchStrategy.MergePatch);
}

/** A JSON patch (RFC 6902) of the workload: exact paths, nothing else touched. */
export function jsonPatchWorkload(
  ref: WorkloadRef,
  operations: readonly JsonPatchOperation[],
): Promise<WorkloadObject> {
  return patchWorkload(ref, operations, PatchStrategy.JsonPatch);
}

/**
 * The workload as the cluster has it now (what the write guard judges after the watch, and what
 * a change is followed by once its session's model is not there to read).
 */
export function readWorkload(ref: WorkloadRef): Promise<WorkloadObject> {
  return call<WorkloadObject>(ref, 'get', resourceOf(ref), () =>
    ref.kind === 'StatefulSet'
      ? api(ref).readNamespacedStatefulSet({ name: ref.name, namespace: ref.namespace })
      : api(ref).readNamespacedDeployment({ name: ref.name, namespace: ref.namespace }),
  );
}
