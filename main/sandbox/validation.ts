import { invalid, type ApiError, type StatusCause } from './api-errors';
import type { Container, KubeObject, PodTemplateSpec } from './kube-types';
import { isValidQuantity } from './quantity';
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
    case 'Pod':
      checkContainers('spec.containers', spec['containers'], causes);
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
