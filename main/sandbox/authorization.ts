import { randomBytes, timingSafeEqual } from 'node:crypto';
import { ApiError, qualifiedResource } from './api-errors';

/**
 * Who is asking and what they may do. Three bearer-token users: `admin` may do everything,
 * `viewer` may read anything (get, list, watch, secrets and the service proxy included), and
 * `view` has the rights of the real `view` ClusterRole bound cluster-wide (VIEW_RULES): reads of
 * most namespaced resources and namespaces, but not secrets, not services/proxy, not pods/exec,
 * not nodes, no write. Both may ask about themselves (the self reviews that `kubectl auth can-i`
 * and `kubectl auth whoami` create). The same decision answers requests and
 * SelfSubjectAccessReviews, so what the UI is told it may do is what it can do.
 */

export interface UserInfo {
  name: 'admin' | 'viewer' | 'view';
  uid: string;
  groups: string[];
}

export interface ResourceAttributes {
  verb: string;
  group: string;
  resource: string;
  subresource?: string;
  namespace?: string;
  name?: string;
}

export interface NonResourceAttributes {
  verb: string;
  path: string;
}

export interface Decision {
  allowed: boolean;
  reason: string;
}

export interface Tokens {
  admin: string;
  viewer: string;
  view: string;
}

const READ_VERBS = new Set(['get', 'list', 'watch']);
const SELF_REVIEWS = new Set([
  'authorization.k8s.io/selfsubjectaccessreviews',
  'authorization.k8s.io/selfsubjectrulesreviews',
  'authentication.k8s.io/selfsubjectreviews',
]);

const USERS: Record<UserInfo['name'], UserInfo> = {
  admin: {
    name: 'admin',
    uid: 'sandbox-admin',
    groups: ['system:masters', 'system:authenticated'],
  },
  viewer: { name: 'viewer', uid: 'sandbox-viewer', groups: ['system:authenticated'] },
  view: { name: 'view', uid: 'sandbox-view', groups: ['system:authenticated'] },
};

interface ResourceRule {
  verbs: string[];
  apiGroups: string[];
  resources: string[];
}

/**
 * The real `view` ClusterRole as Kubernetes 1.32 aggregates it (kubectl get clusterrole view -o
 * yaml), with metrics-server's `system:aggregated-metrics-reader` aggregated into it.
 */
const VIEW_RULES: ResourceRule[] = [
  {
    verbs: ['get', 'list', 'watch'],
    apiGroups: [''],
    resources: [
      'configmaps',
      'endpoints',
      'persistentvolumeclaims',
      'persistentvolumeclaims/status',
      'pods',
      'replicationcontrollers',
      'replicationcontrollers/scale',
      'serviceaccounts',
      'services',
      'services/status',
      'bindings',
      'events',
      'limitranges',
      'namespaces/status',
      'pods/log',
      'pods/status',
      'replicationcontrollers/status',
      'resourcequotas',
      'resourcequotas/status',
      'namespaces',
    ],
  },
  {
    verbs: ['get', 'list', 'watch'],
    apiGroups: ['apps'],
    resources: [
      'controllerrevisions',
      'daemonsets',
      'daemonsets/status',
      'deployments',
      'deployments/scale',
      'deployments/status',
      'replicasets',
      'replicasets/scale',
      'replicasets/status',
      'statefulsets',
      'statefulsets/scale',
      'statefulsets/status',
    ],
  },
  {
    verbs: ['get', 'list', 'watch'],
    apiGroups: ['autoscaling'],
    resources: ['horizontalpodautoscalers', 'horizontalpodautoscalers/status'],
  },
  {
    verbs: ['get', 'list', 'watch'],
    apiGroups: ['batch'],
    resources: ['cronjobs', 'cronjobs/status', 'jobs', 'jobs/status'],
  },
  {
    verbs: ['get', 'list', 'watch'],
    apiGroups: ['discovery.k8s.io'],
    resources: ['endpointslices'],
  },
  {
    verbs: ['get', 'list', 'watch'],
    apiGroups: ['policy'],
    resources: ['poddisruptionbudgets', 'poddisruptionbudgets/status'],
  },
  {
    verbs: ['get', 'list', 'watch'],
    apiGroups: ['networking.k8s.io'],
    resources: ['ingresses', 'ingresses/status', 'networkpolicies'],
  },
  { verbs: ['get', 'list', 'watch'], apiGroups: ['metrics.k8s.io'], resources: ['pods', 'nodes'] },
];

/** What every authenticated user may do (system:basic-user): ask about itself. */
const SELF_REVIEW_RULES: ResourceRule[] = [
  {
    verbs: ['create'],
    apiGroups: ['authorization.k8s.io'],
    resources: ['selfsubjectaccessreviews', 'selfsubjectrulesreviews'],
  },
  { verbs: ['create'], apiGroups: ['authentication.k8s.io'], resources: ['selfsubjectreviews'] },
];

function viewAllows(attrs: ResourceAttributes, verb: string): boolean {
  const resource = attrs.subresource ? `${attrs.resource}/${attrs.subresource}` : attrs.resource;
  return VIEW_RULES.some(
    (rule) =>
      rule.verbs.includes(verb) &&
      rule.apiGroups.includes(attrs.group) &&
      rule.resources.includes(resource),
  );
}

export function makeTokens(): Tokens {
  return {
    admin: `admin-${randomBytes(24).toString('hex')}`,
    viewer: `viewer-${randomBytes(24).toString('hex')}`,
    view: `view-${randomBytes(24).toString('hex')}`,
  };
}

function sameToken(given: string, expected: string): boolean {
  const a = Buffer.from(given);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}

/** The user behind an `Authorization: Bearer ...` header; undefined where there is none. */
export function authenticate(header: string | undefined, tokens: Tokens): UserInfo | undefined {
  const m = /^Bearer\s+(\S+)\s*$/i.exec(header ?? '');
  if (!m) return undefined;
  const token = m[1] ?? '';
  if (sameToken(token, tokens.admin)) return USERS.admin;
  if (sameToken(token, tokens.viewer)) return USERS.viewer;
  if (sameToken(token, tokens.view)) return USERS.view;
  return undefined;
}

export function unauthorized(): ApiError {
  return new ApiError(401, 'Unauthorized', 'Unauthorized');
}

export function authorizeResource(user: UserInfo, attrs: ResourceAttributes): Decision {
  if (user.name === 'admin') {
    return {
      allowed: true,
      reason:
        'RBAC: allowed by ClusterRoleBinding "cluster-admin" of ClusterRole "cluster-admin" to Group "system:masters"',
    };
  }
  const verb = attrs.verb.toLowerCase();
  if (verb === 'create' && SELF_REVIEWS.has(`${attrs.group}/${attrs.resource}`)) {
    return {
      allowed: true,
      reason:
        'RBAC: allowed by ClusterRoleBinding "system:basic-user" of ClusterRole "system:basic-user" to Group "system:authenticated"',
    };
  }
  if (user.name === 'view') {
    return viewAllows(attrs, verb)
      ? {
          allowed: true,
          reason:
            'RBAC: allowed by ClusterRoleBinding "sandbox-view" of ClusterRole "view" to User "view"',
        }
      : { allowed: false, reason: '' };
  }
  if (READ_VERBS.has(verb)) {
    return {
      allowed: true,
      reason:
        'RBAC: allowed by ClusterRoleBinding "sandbox-viewer" of ClusterRole "view" to User "viewer"',
    };
  }
  return { allowed: false, reason: '' };
}

export function authorizeNonResource(user: UserInfo, attrs: NonResourceAttributes): Decision {
  if (user.name === 'admin' || attrs.verb.toLowerCase() === 'get') {
    return { allowed: true, reason: '' };
  }
  return { allowed: false, reason: '' };
}

/** The 403 a real API server sends, word for word in its shape. */
export function forbidden(user: UserInfo, attrs: ResourceAttributes): ApiError {
  const what = attrs.subresource ? `${attrs.resource}/${attrs.subresource}` : attrs.resource;
  const subject =
    qualifiedResource(attrs.resource, attrs.group) + (attrs.name ? ` "${attrs.name}"` : '');
  const scope = attrs.namespace ? `in the namespace "${attrs.namespace}"` : 'at the cluster scope';
  return new ApiError(
    403,
    'Forbidden',
    `${subject} is forbidden: User "${user.name}" cannot ${attrs.verb} resource "${what}" in API group "${attrs.group}" ${scope}`,
    { name: attrs.name, group: attrs.group || undefined, kind: attrs.resource },
  );
}

/** What a user may do, as a SelfSubjectRulesReview reports it (`kubectl auth can-i --list`). */
export function rulesFor(user: UserInfo): {
  resourceRules: { verbs: string[]; apiGroups: string[]; resources: string[] }[];
  nonResourceRules: { verbs: string[]; nonResourceURLs: string[] }[];
} {
  if (user.name === 'admin') {
    return {
      resourceRules: [{ verbs: ['*'], apiGroups: ['*'], resources: ['*'] }],
      nonResourceRules: [{ verbs: ['*'], nonResourceURLs: ['*'] }],
    };
  }
  return {
    resourceRules: [
      ...SELF_REVIEW_RULES,
      ...(user.name === 'view'
        ? VIEW_RULES
        : [{ verbs: ['get', 'list', 'watch'], apiGroups: ['*'], resources: ['*'] }]),
    ],
    nonResourceRules: [{ verbs: ['get'], nonResourceURLs: ['*'] }],
  };
}
