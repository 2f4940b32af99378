import { ApiError } from './api-errors';
import {
  authorizeNonResource,
  authorizeResource,
  rulesFor,
  type ResourceAttributes,
  type UserInfo,
} from './authorization';
import { apiVersionOf, type ResourceType } from './resource-types';

/**
 * The reviews a user asks about themself, answered from the same decisions the API server
 * makes: SelfSubjectAccessReview (`kubectl auth can-i`), SelfSubjectRulesReview
 * (`auth can-i --list`) and SelfSubjectReview (`auth whoami`). Computed, never stored.
 */

export function selfReview(type: ResourceType, user: UserInfo, body: unknown): object {
  const review = (body ?? {}) as { metadata?: object; spec?: Record<string, unknown> };
  const base = {
    kind: type.kind,
    apiVersion: apiVersionOf(type),
    metadata: { ...(review.metadata ?? {}), creationTimestamp: null },
  };
  if (type.kind === 'SelfSubjectAccessReview') {
    const spec = review.spec ?? {};
    const ra = spec['resourceAttributes'] as
      (Partial<ResourceAttributes> & { version?: string }) | undefined;
    const nra = spec['nonResourceAttributes'] as { verb?: string; path?: string } | undefined;
    if (!ra && !nra) {
      throw new ApiError(
        422,
        'Invalid',
        'SelfSubjectAccessReview.authorization.k8s.io "" is invalid: spec.resourceAttributes: Invalid value: "null": exactly one of nonResourceAttributes or resourceAttributes must be specified',
        {
          kind: 'SelfSubjectAccessReview',
          group: 'authorization.k8s.io',
          causes: [
            {
              reason: 'FieldValueInvalid',
              message:
                'exactly one of nonResourceAttributes or resourceAttributes must be specified',
              field: 'spec.resourceAttributes',
            },
          ],
        },
      );
    }
    const decision = ra
      ? authorizeResource(user, {
          verb: ra.verb ?? '',
          group: ra.group ?? '',
          resource: ra.resource ?? '',
          subresource: ra.subresource || undefined,
          namespace: ra.namespace || undefined,
          name: ra.name || undefined,
        })
      : authorizeNonResource(user, { verb: nra?.verb ?? '', path: nra?.path ?? '' });
    return {
      ...base,
      spec,
      status: {
        allowed: decision.allowed,
        ...(decision.reason ? { reason: decision.reason } : {}),
      },
    };
  }
  if (type.kind === 'SelfSubjectRulesReview') {
    return {
      ...base,
      spec: review.spec ?? {},
      status: { ...rulesFor(user), incomplete: false },
    };
  }
  return {
    ...base,
    status: { userInfo: { username: user.name, uid: user.uid, groups: user.groups } },
  };
}
