import { randomBytes, timingSafeEqual } from 'node:crypto';
import { ApiError, qualifiedResource } from './api-errors';

/**
 * Who is asking and what they may do. Two bearer-token users: `admin` may do everything,
 * `viewer` may only read (get, list, watch) and ask about itself (the self reviews that
 * `kubectl auth can-i` and `kubectl auth whoami` create). The same decision answers requests
 * and SelfSubjectAccessReviews, so what the UI is told it may do is what it can do.
 */

export interface UserInfo {
  name: 'admin' | 'viewer';
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
};

export function makeTokens(): Tokens {
  return {
    admin: `admin-${randomBytes(24).toString('hex')}`,
    viewer: `viewer-${randomBytes(24).toString('hex')}`,
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
      {
        verbs: ['create'],
        apiGroups: ['authorization.k8s.io'],
        resources: ['selfsubjectaccessreviews', 'selfsubjectrulesreviews'],
      },
      {
        verbs: ['create'],
        apiGroups: ['authentication.k8s.io'],
        resources: ['selfsubjectreviews'],
      },
      { verbs: ['get', 'list', 'watch'], apiGroups: ['*'], resources: ['*'] },
    ],
    nonResourceRules: [{ verbs: ['get'], nonResourceURLs: ['*'] }],
  };
}
