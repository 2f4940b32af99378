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

/**
 * A memory change to one container: the limit to write (null: remove it, so the namespace default
 * applies again), and the request (undefined: left as it is; null: removed).
 */
export interface ContainerMemoryChange {
  limit: string | null;
  request?: string | null;
}

/** What the patch needs of the container it was made from. */
interface PatchedContainer {
  name: string;
  resources?: {
    limits?: Record<string, unknown>;
    requests?: Record<string, unknown>;
  };
}

/**
 * The JSON patch of exactly one container's memory (limits.memory, and requests.memory where
 * asked), made from the container as the workload has it now: `test` that the index still names
 * that container, then the paths added, replaced or removed as they exist, and, with a
 * `resourceVersion`, a guard the API server refuses (409) where the object moved since it was read.
 * Nothing else of the pod template is touched (its CPU, other containers).
 */
export function containerMemoryPatch(
  index: number,
  container: PatchedContainer,
  change: ContainerMemoryChange,
  resourceVersion: string | null,
): JsonPatchOperation[] {
  const base = `/spec/template/spec/containers/${index}`;
  const operations: JsonPatchOperation[] = [
    ...(resourceVersion === null
      ? []
      : [{ op: 'replace' as const, path: '/metadata/resourceVersion', value: resourceVersion }]),
    { op: 'test', path: `${base}/name`, value: container.name },
  ];
  const fields: { field: 'limits' | 'requests'; value: string | null | undefined }[] = [
    { field: 'limits', value: change.limit },
    { field: 'requests', value: change.request },
  ];
  let resources = container.resources !== undefined;
  for (const { field, value } of fields) {
    if (value === undefined) continue;
    const map = container.resources?.[field];
    if (value === null) {
      // Removing what is not there is a 422 from the API server: only where it is.
      if (map && 'memory' in map) {
        operations.push({ op: 'remove', path: `${base}/resources/${field}/memory` });
      }
    } else if (!resources) {
      operations.push({
        op: 'add',
        path: `${base}/resources`,
        value: { [field]: { memory: value } },
      });
      resources = true;
    } else if (!map) {
      operations.push({ op: 'add', path: `${base}/resources/${field}`, value: { memory: value } });
    } else {
      operations.push({
        op: 'memory' in map ? 'replace' : 'add',
        path: `${base}/resources/${field}/memory`,
        value,
      });
    }
  }
  return operations;
}
