/**
 * The resource types the sandbox serves: one table read by routing, discovery, authorization
 * and the store, so that what discovery advertises is exactly what the server answers.
 */

export interface SubresourceType {
  name: string;
  kind: string;
  /** Where the subresource speaks another group's kind (deployments/scale is autoscaling/v1 Scale). */
  group?: string;
  version?: string;
  verbs: string[];
}

export interface ResourceType {
  group: string;
  version: string;
  /** The plural, as in URLs. */
  resource: string;
  singular: string;
  kind: string;
  namespaced: boolean;
  verbs: string[];
  shortNames?: string[];
  categories?: string[];
  subresources: SubresourceType[];
  /** Objects live in the object store (metrics and reviews are computed, not stored). */
  stored: boolean;
}

const READ_WRITE = [
  'create',
  'delete',
  'deletecollection',
  'get',
  'list',
  'patch',
  'update',
  'watch',
];
const READ_ONLY = ['get', 'list'];

function rw(
  group: string,
  version: string,
  resource: string,
  kind: string,
  namespaced: boolean,
  extra: Partial<ResourceType> = {},
): ResourceType {
  return {
    group,
    version,
    resource,
    singular: kind.toLowerCase(),
    kind,
    namespaced,
    verbs: READ_WRITE,
    subresources: [],
    stored: true,
    ...extra,
  };
}

const statusOf = (kind: string): SubresourceType => ({
  name: 'status',
  kind,
  verbs: ['get', 'patch', 'update'],
});

export const RESOURCE_TYPES: readonly ResourceType[] = [
  rw('', 'v1', 'namespaces', 'Namespace', false, {
    shortNames: ['ns'],
    verbs: ['create', 'delete', 'get', 'list', 'patch', 'update', 'watch'],
    subresources: [statusOf('Namespace')],
  }),
  rw('', 'v1', 'nodes', 'Node', false, { shortNames: ['no'], subresources: [statusOf('Node')] }),
  rw('', 'v1', 'pods', 'Pod', true, {
    shortNames: ['po'],
    categories: ['all'],
    subresources: [
      statusOf('Pod'),
      { name: 'log', kind: 'Pod', verbs: ['get'] },
      // What `kubectl drain` posts to: discovery must name it with its policy/v1 kind.
      { name: 'eviction', kind: 'Eviction', group: 'policy', version: 'v1', verbs: ['create'] },
    ],
  }),
  rw('', 'v1', 'services', 'Service', true, {
    shortNames: ['svc'],
    categories: ['all'],
    verbs: ['create', 'delete', 'get', 'list', 'patch', 'update', 'watch'],
    subresources: [
      statusOf('Service'),
      {
        name: 'proxy',
        kind: 'ServiceProxyOptions',
        verbs: ['create', 'delete', 'get', 'patch', 'update'],
      },
    ],
  }),
  rw('', 'v1', 'endpoints', 'Endpoints', true, { shortNames: ['ep'] }),
  rw('', 'v1', 'events', 'Event', true, { shortNames: ['ev'] }),
  rw('discovery.k8s.io', 'v1', 'endpointslices', 'EndpointSlice', true),
  rw('', 'v1', 'limitranges', 'LimitRange', true, { shortNames: ['limits'] }),
  rw('', 'v1', 'resourcequotas', 'ResourceQuota', true, {
    shortNames: ['quota'],
    subresources: [statusOf('ResourceQuota')],
  }),
  rw('apps', 'v1', 'deployments', 'Deployment', true, {
    shortNames: ['deploy'],
    categories: ['all'],
    subresources: [
      statusOf('Deployment'),
      {
        name: 'scale',
        kind: 'Scale',
        group: 'autoscaling',
        version: 'v1',
        verbs: ['get', 'patch', 'update'],
      },
    ],
  }),
  rw('apps', 'v1', 'statefulsets', 'StatefulSet', true, {
    shortNames: ['sts'],
    categories: ['all'],
    subresources: [
      statusOf('StatefulSet'),
      {
        name: 'scale',
        kind: 'Scale',
        group: 'autoscaling',
        version: 'v1',
        verbs: ['get', 'patch', 'update'],
      },
    ],
  }),
  rw('apps', 'v1', 'controllerrevisions', 'ControllerRevision', true),
  // Stored only: no DaemonSet controller runs, but `kubectl drain --ignore-daemonsets` must find
  // the owner of a daemon pod to skip it.
  rw('apps', 'v1', 'daemonsets', 'DaemonSet', true, {
    shortNames: ['ds'],
    categories: ['all'],
    subresources: [statusOf('DaemonSet')],
  }),
  rw('apps', 'v1', 'replicasets', 'ReplicaSet', true, {
    shortNames: ['rs'],
    categories: ['all'],
    subresources: [
      statusOf('ReplicaSet'),
      {
        name: 'scale',
        kind: 'Scale',
        group: 'autoscaling',
        version: 'v1',
        verbs: ['get', 'patch', 'update'],
      },
    ],
  }),
  // One stored object, two served versions (version-conversion.ts); v2 first: the preferred one.
  ...(['v2', 'v1'] as const).map((version) =>
    rw('autoscaling', version, 'horizontalpodautoscalers', 'HorizontalPodAutoscaler', true, {
      shortNames: ['hpa'],
      categories: ['all'],
      subresources: [statusOf('HorizontalPodAutoscaler')],
    }),
  ),
  // The policy group is how kubectl drain learns that evictions are served; budgets are honoured
  // by evictions (eviction.ts), their status is not computed.
  rw('policy', 'v1', 'poddisruptionbudgets', 'PodDisruptionBudget', true, {
    shortNames: ['pdb'],
    subresources: [statusOf('PodDisruptionBudget')],
  }),
  {
    group: 'authorization.k8s.io',
    version: 'v1',
    resource: 'selfsubjectaccessreviews',
    singular: 'selfsubjectaccessreview',
    kind: 'SelfSubjectAccessReview',
    namespaced: false,
    verbs: ['create'],
    subresources: [],
    stored: false,
  },
  {
    group: 'authorization.k8s.io',
    version: 'v1',
    resource: 'selfsubjectrulesreviews',
    singular: 'selfsubjectrulesreview',
    kind: 'SelfSubjectRulesReview',
    namespaced: false,
    verbs: ['create'],
    subresources: [],
    stored: false,
  },
  {
    group: 'authentication.k8s.io',
    version: 'v1',
    resource: 'selfsubjectreviews',
    singular: 'selfsubjectreview',
    kind: 'SelfSubjectReview',
    namespaced: false,
    verbs: ['create'],
    subresources: [],
    stored: false,
  },
  {
    group: 'metrics.k8s.io',
    version: 'v1beta1',
    resource: 'pods',
    singular: '',
    kind: 'PodMetrics',
    namespaced: true,
    verbs: READ_ONLY,
    subresources: [],
    stored: false,
  },
  {
    group: 'metrics.k8s.io',
    version: 'v1beta1',
    resource: 'nodes',
    singular: '',
    kind: 'NodeMetrics',
    namespaced: false,
    verbs: READ_ONLY,
    subresources: [],
    stored: false,
  },
];

export function apiVersionOf(type: { group: string; version: string }): string {
  return type.group ? `${type.group}/${type.version}` : type.version;
}

/** The group versions served, in the order discovery lists them (core first). */
export function groupVersions(): { group: string; version: string }[] {
  const seen = new Map<string, { group: string; version: string }>();
  for (const t of RESOURCE_TYPES) seen.set(apiVersionOf(t), { group: t.group, version: t.version });
  return [...seen.values()];
}

export function findResourceType(
  group: string,
  version: string,
  resource: string,
): ResourceType | undefined {
  return RESOURCE_TYPES.find(
    (t) => t.group === group && t.version === version && t.resource === resource,
  );
}

/** The store key of a type: one keyspace per group and resource (`apps/deployments`, `/pods`). */
export function storeKey(type: { group: string; resource: string }): string {
  return `${type.group}/${type.resource}`;
}

export const TYPES = {
  namespaces: must('', 'v1', 'namespaces'),
  nodes: must('', 'v1', 'nodes'),
  pods: must('', 'v1', 'pods'),
  services: must('', 'v1', 'services'),
  endpoints: must('', 'v1', 'endpoints'),
  endpointslices: must('discovery.k8s.io', 'v1', 'endpointslices'),
  events: must('', 'v1', 'events'),
  limitranges: must('', 'v1', 'limitranges'),
  resourcequotas: must('', 'v1', 'resourcequotas'),
  deployments: must('apps', 'v1', 'deployments'),
  replicasets: must('apps', 'v1', 'replicasets'),
  horizontalpodautoscalers: must('autoscaling', 'v2', 'horizontalpodautoscalers'),
  statefulsets: must('apps', 'v1', 'statefulsets'),
  controllerrevisions: must('apps', 'v1', 'controllerrevisions'),
  daemonsets: must('apps', 'v1', 'daemonsets'),
  poddisruptionbudgets: must('policy', 'v1', 'poddisruptionbudgets'),
} as const;

function must(group: string, version: string, resource: string): ResourceType {
  const t = findResourceType(group, version, resource);
  if (!t) throw new Error(`unknown resource type ${group}/${version}/${resource}`);
  return t;
}
