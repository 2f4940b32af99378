import { invalid, type ApiError, type StatusCause } from './api-errors';
import { autoscalerSpecCauses } from './hpa-validation';
import type { Container, KubeObject, PodTemplateSpec } from './kube-types';
import { limitRangeCauses } from './limit-range';
import { isValidQuantity, parseQuantity } from './quantity';
import type { ResourceType } from './resource-types';
import { selectorMatches } from './selectors';

/**
 * What the API server refuses with 422 Invalid before anything is stored: names, replica
 * counts, selectors that do not select the template, containers without a name or image, and
 * malformed resource quantities. Each cause names its field the way kubectl prints it.
 */

const DNS_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const DNS_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const QUANTITY_MESSAGE =
  "must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'";

function value(v: unknown): string {
  return typeof v === 'string' ? `"${v}"` : JSON.stringify(v);
}

function cause(field: string, v: unknown, message: string): StatusCause {
  return {
    reason: 'FieldValueInvalid',
    message: `Invalid value: ${value(v)}: ${message}`,
    field,
  };
}

function required(field: string): StatusCause {
  return { reason: 'FieldValueRequired', message: 'Required value', field };
}

function checkName(type: ResourceType, object: KubeObject, causes: StatusCause[]): void {
  const name = object.metadata?.name;
  if (!name) {
    causes.push(required('metadata.name'));
    return;
  }
  const label = type.resource === 'namespaces' || type.resource === 'services';
  const ok = label
    ? DNS_LABEL.test(name) && name.length <= 63
    : DNS_SUBDOMAIN.test(name) && name.length <= 253;
  if (!ok) {
    causes.push(
      cause(
        'metadata.name',
        name,
        label
          ? "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character"
          : "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character",
      ),
    );
  }
}

function checkReplicas(field: string, replicas: unknown, causes: StatusCause[]): void {
  if (replicas === undefined || replicas === null) return;
  if (typeof replicas !== 'number' || !Number.isInteger(replicas)) {
    causes.push(cause(field, replicas, 'must be an integer'));
  } else if (replicas < 0) {
    causes.push(cause(field, replicas, 'must be greater than or equal to 0'));
  }
}

function checkQuantities(field: string, map: unknown, causes: StatusCause[]): void {
  if (map === undefined || map === null) return;
  if (typeof map !== 'object') {
    causes.push(cause(field, map, 'must be a map of resource quantities'));
    return;
  }
  for (const [k, v] of Object.entries(map as Record<string, unknown>)) {
    if (!isValidQuantity(v)) causes.push(cause(`${field}[${k}]`, v, QUANTITY_MESSAGE));
  }
}

/** ValidateResourceRequirements: a request above its limit could never be scheduled honestly. */
function checkRequestsWithinLimits(
  field: string,
  resources: Container['resources'],
  causes: StatusCause[],
): void {
  const limits = resources?.limits;
  const requests = resources?.requests;
  if (!limits || !requests || typeof limits !== 'object' || typeof requests !== 'object') return;
  for (const [name, limit] of Object.entries(limits)) {
    const request = (requests as Record<string, unknown>)[name];
    const requested = parseQuantity(request);
    const limited = parseQuantity(limit);
    if (requested === undefined || limited === undefined || requested <= limited) continue;
    causes.push(
      cause(
        `${field}.requests`,
        request,
        `must be less than or equal to ${name} limit of ${limit}`,
      ),
    );
  }
}

function checkContainers(field: string, containers: unknown, causes: StatusCause[]): void {
  if (!Array.isArray(containers) || containers.length === 0) {
    causes.push(required(field));
    return;
  }
  const names = new Set<string>();
  containers.forEach((c: Container, i) => {
    const at = `${field}[${i}]`;
    if (!c || typeof c !== 'object') {
      causes.push(required(at));
      return;
    }
    if (!c.name) causes.push(required(`${at}.name`));
    else if (names.has(c.name)) {
      causes.push({
        reason: 'FieldValueDuplicate',
        message: `Duplicate value: "${c.name}"`,
        field: `${at}.name`,
      });
    } else names.add(c.name);
    if (!c.image) causes.push(required(`${at}.image`));
    checkQuantities(`${at}.resources.limits`, c.resources?.limits, causes);
    checkQuantities(`${at}.resources.requests`, c.resources?.requests, causes);
    checkRequestsWithinLimits(`${at}.resources`, c.resources, causes);
    if (c.env !== undefined && !Array.isArray(c.env))
      causes.push(cause(`${at}.env`, c.env, 'must be a list'));
  });
}

function checkTemplate(
  field: string,
  selector: unknown,
  template: PodTemplateSpec | undefined,
  causes: StatusCause[],
): void {
  if (!selector || typeof selector !== 'object') {
    causes.push(required('spec.selector'));
  }
  if (!template || typeof template !== 'object') {
    causes.push(required(field));
    return;
  }
  const labels = template.metadata?.labels ?? {};
  if (selector && typeof selector === 'object' && !selectorMatches(selector, labels)) {
    causes.push(
      cause(`${field}.metadata.labels`, labels, '`selector` does not match template `labels`'),
    );
  }
  checkContainers(`${field}.spec.containers`, template.spec?.containers, causes);
}

function notSupported(field: string, v: unknown, supported: string[]): StatusCause {
  return {
    reason: 'FieldValueNotSupported',
    message: `Unsupported value: ${value(v)}: supported values: ${supported.map((x) => `"${x}"`).join(', ')}`,
    field,
  };
}

function checkNonNegative(field: string, v: unknown, causes: StatusCause[]): void {
  if (typeof v === 'number' && v < 0)
    causes.push(cause(field, v, 'must be greater than or equal to 0'));
}

/** ValidateStatefulSetSpec's rules, on top of the pod template's. */
function checkStatefulSet(spec: Record<string, unknown>, causes: StatusCause[]): void {
  checkReplicas('spec.replicas', spec['replicas'], causes);
  const selector = spec['selector'] as
    { matchLabels?: object; matchExpressions?: unknown[] } | undefined;
  const template = spec['template'] as PodTemplateSpec | undefined;
  if (
    selector &&
    typeof selector === 'object' &&
    Object.keys(selector.matchLabels ?? {}).length + (selector.matchExpressions ?? []).length === 0
  ) {
    causes.push(cause('spec.selector', selector, 'empty selector is invalid for statefulset'));
    // Upstream compares the template's labels only with a selector that selects something.
    if (!template || typeof template !== 'object') causes.push(required('spec.template'));
    else checkContainers('spec.template.spec.containers', template.spec?.containers, causes);
  } else {
    checkTemplate('spec.template', selector, template, causes);
  }
  const restartPolicy = template?.spec?.restartPolicy;
  if (restartPolicy !== undefined && restartPolicy !== 'Always') {
    causes.push(notSupported('spec.template.spec.restartPolicy', restartPolicy, ['Always']));
  }
  const policy = spec['podManagementPolicy'];
  if (policy !== 'OrderedReady' && policy !== 'Parallel') {
    causes.push(
      policy === undefined || policy === ''
        ? required('spec.podManagementPolicy')
        : cause('spec.podManagementPolicy', policy, "must be 'OrderedReady' or 'Parallel'"),
    );
  }
  const strategy = (spec['updateStrategy'] ?? {}) as {
    type?: string;
    rollingUpdate?: { partition?: unknown };
  };
  if (!strategy.type) causes.push(required('spec.updateStrategy'));
  else if (strategy.type === 'OnDelete') {
    if (strategy.rollingUpdate !== undefined) {
      causes.push(
        cause(
          'spec.updateStrategy.rollingUpdate',
          strategy.rollingUpdate,
          "only allowed for updateStrategy 'RollingUpdate'",
        ),
      );
    }
  } else if (strategy.type === 'RollingUpdate') {
    checkNonNegative(
      'spec.updateStrategy.rollingUpdate.partition',
      strategy.rollingUpdate?.partition,
      causes,
    );
  } else {
    causes.push(cause('spec.updateStrategy', strategy, "must be 'RollingUpdate' or 'OnDelete'"));
  }
  // The service name becomes each pod's subdomain, so it must be a DNS label (checked since 1.33;
  // before, the controller failed to create the pods instead).
  const serviceName = spec['serviceName'];
  if (
    typeof serviceName === 'string' &&
    serviceName !== '' &&
    !(DNS_LABEL.test(serviceName) && serviceName.length <= 63)
  ) {
    causes.push(
      cause(
        'spec.serviceName',
        serviceName,
        "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character",
      ),
    );
  }
  checkNonNegative('spec.minReadySeconds', spec['minReadySeconds'], causes);
  checkNonNegative('spec.revisionHistoryLimit', spec['revisionHistoryLimit'], causes);
  checkNonNegative(
    'spec.ordinals.start',
    (spec['ordinals'] as { start?: unknown } | undefined)?.start,
    causes,
  );
}

/** Equal as JSON values, whatever the order of keys (a PUT may order them differently). */
function deepEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  const ka = Object.keys(a).filter((k) => (a as Record<string, unknown>)[k] !== undefined);
  const kb = Object.keys(b).filter((k) => (b as Record<string, unknown>)[k] !== undefined);
  if (ka.length !== kb.length) return false;
  return ka.every((k) =>
    deepEqual((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k]),
  );
}

/** The spec fields of a StatefulSet an update may change; any other change is forbidden. */
const STATEFULSET_MUTABLE = [
  'replicas',
  'ordinals',
  'template',
  'updateStrategy',
  'revisionHistoryLimit',
  'persistentVolumeClaimRetentionPolicy',
  'minReadySeconds',
];

/**
 * ValidatePodUpdate (1.32, in-place resize off): a pod's spec is fixed but for its images, its
 * deadline, added tolerations and the grace period. So a changed memory limit reaches a running
 * app only through new pods; upstream appends a Go diff of the specs, not reproduced here.
 */
const POD_UPDATE_MESSAGE =
  'Forbidden: pod updates may not change fields other than `spec.containers[*].image`,`spec.initContainers[*].image`,`spec.activeDeadlineSeconds`,`spec.tolerations` (only additions to existing tolerations),`spec.terminationGracePeriodSeconds` (allow it to be set to 1 if it was previously negative)';

function podUpdateCauses(current: KubeObject, next: KubeObject): StatusCause[] {
  const before = (current['spec'] ?? {}) as Record<string, unknown>;
  const after = { ...((next['spec'] ?? {}) as Record<string, unknown>) };
  for (const list of ['containers', 'initContainers']) {
    const old = before[list];
    const now = after[list];
    if (!Array.isArray(old) || !Array.isArray(now) || old.length !== now.length) continue;
    after[list] = now.map((c: Container, i) => ({ ...c, image: (old[i] as Container).image }));
  }
  for (const key of ['activeDeadlineSeconds', 'tolerations', 'terminationGracePeriodSeconds']) {
    after[key] = before[key];
  }
  if (deepEqual(before, after)) return [];
  return [{ reason: 'FieldValueForbidden', message: POD_UPDATE_MESSAGE, field: 'spec' }];
}

/** What an update may not change, beyond what makes any object invalid. */
export function updateCauses(
  type: ResourceType,
  current: KubeObject,
  next: KubeObject,
): StatusCause[] {
  if (type.kind === 'Pod') return podUpdateCauses(current, next);
  if (type.kind !== 'StatefulSet') return [];
  const fixed = (o: KubeObject): Record<string, unknown> => {
    const spec = { ...((o['spec'] ?? {}) as Record<string, unknown>) };
    for (const k of STATEFULSET_MUTABLE) delete spec[k];
    return spec;
  };
  if (deepEqual(fixed(current), fixed(next))) return [];
  return [
    {
      reason: 'FieldValueForbidden',
      message:
        "Forbidden: updates to statefulset spec for fields other than 'replicas', 'ordinals', 'template', 'updateStrategy', 'revisionHistoryLimit', 'persistentVolumeClaimRetentionPolicy' and 'minReadySeconds' are forbidden",
      field: 'spec',
    },
  ];
}

/** The causes that make an object invalid; an empty list where it is fine. */
export function validationCauses(type: ResourceType, object: KubeObject): StatusCause[] {
  const causes: StatusCause[] = [];
  checkName(type, object, causes);
  const spec = (object['spec'] ?? {}) as Record<string, unknown>;
  switch (type.kind) {
    case 'Deployment':
    case 'ReplicaSet':
      checkReplicas('spec.replicas', spec['replicas'], causes);
      checkTemplate('spec.template', spec['selector'], spec['template'] as PodTemplateSpec, causes);
      break;
    case 'StatefulSet':
      checkStatefulSet(spec, causes);
      break;
    case 'Pod':
      checkContainers('spec.containers', spec['containers'], causes);
      break;
    case 'HorizontalPodAutoscaler':
      causes.push(...autoscalerSpecCauses(spec));
      break;
    case 'ResourceQuota':
      checkQuantities('spec.hard', spec['hard'], causes);
      break;
    case 'LimitRange': {
      const limits = spec['limits'];
      if (Array.isArray(limits)) {
        limits.forEach((l: Record<string, unknown>, i) => {
          for (const k of ['default', 'defaultRequest', 'max', 'min']) {
            checkQuantities(`spec.limits[${i}].${k}`, l[k], causes);
          }
        });
        if (causes.length === 0) causes.push(...limitRangeCauses(limits));
      }
      break;
    }
  }
  return causes;
}

export function validate(type: ResourceType, object: KubeObject): void {
  const causes = validationCauses(type, object);
  if (causes.length > 0) throw invalidObject(type, object.metadata?.name ?? '', causes);
}

export function invalidObject(
  type: ResourceType,
  name: string,
  causes: StatusCause[],
  kind = type.kind,
  group = type.group,
): ApiError {
  return invalid(kind, group, name, causes);
}

export function validateScaleReplicas(name: string, replicas: unknown): void {
  const causes: StatusCause[] = [];
  if (replicas === undefined || replicas === null) causes.push(required('spec.replicas'));
  else checkReplicas('spec.replicas', replicas, causes);
  if (causes.length > 0) throw invalid('Scale', 'autoscaling', name, causes);
}
