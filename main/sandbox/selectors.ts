import { badRequest } from './api-errors';
import type { KubeObject, LabelSelector } from './kube-types';

/**
 * Label and field selectors as the API server parses them from `labelSelector=` and
 * `fieldSelector=`: equality (`=`, `==`, `!=`), set (`in`, `notin`) and existence (`key`,
 * `!key`) for labels; equality on dotted paths (`metadata.name`, `spec.nodeName`,
 * `involvedObject.kind`, `status.phase`) for fields.
 */

type Requirement =
  | { key: string; op: 'eq' | 'neq'; value: string }
  | { key: string; op: 'in' | 'notin'; values: Set<string> }
  | { key: string; op: 'exists' | 'notexists' };

export type Matcher = (object: KubeObject) => boolean;

const LABEL_KEY = /^([a-z0-9]([-a-z0-9.]*[a-z0-9])?\/)?[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?$/;

/** Splits on commas outside parentheses. */
function splitTerms(text: string): string[] {
  const terms: string[] = [];
  let depth = 0;
  let current = '';
  for (const ch of text) {
    if (ch === '(') depth++;
    if (ch === ')') depth--;
    if (ch === ',' && depth === 0) {
      terms.push(current);
      current = '';
    } else current += ch;
  }
  terms.push(current);
  return terms.map((t) => t.trim()).filter((t) => t.length > 0);
}

export function parseLabelSelector(text: string): Requirement[] {
  const requirements: Requirement[] = [];
  for (const term of splitTerms(text)) {
    const set = /^(\S+)\s+(in|notin)\s*\(([^)]*)\)$/.exec(term);
    if (set) {
      const values = new Set(
        (set[3] ?? '')
          .split(',')
          .map((v) => v.trim())
          .filter((v) => v.length > 0),
      );
      requirements.push({ key: checkKey(set[1] ?? ''), op: set[2] as 'in' | 'notin', values });
      continue;
    }
    const eq = /^([^!=\s]+)\s*(==|=|!=)\s*(\S*)$/.exec(term);
    if (eq) {
      requirements.push({
        key: checkKey(eq[1] ?? ''),
        op: eq[2] === '!=' ? 'neq' : 'eq',
        value: eq[3] ?? '',
      });
      continue;
    }
    if (term.startsWith('!')) {
      requirements.push({ key: checkKey(term.slice(1).trim()), op: 'notexists' });
      continue;
    }
    requirements.push({ key: checkKey(term), op: 'exists' });
  }
  return requirements;
}

function checkKey(key: string): string {
  if (!LABEL_KEY.test(key)) {
    throw badRequest(`unable to parse requirement: found '${key}', expected: valid label key`);
  }
  return key;
}

function matches(requirements: Requirement[], labels: Record<string, string>): boolean {
  for (const r of requirements) {
    const has = Object.prototype.hasOwnProperty.call(labels, r.key);
    const value = labels[r.key];
    switch (r.op) {
      case 'eq':
        if (value !== r.value) return false;
        break;
      case 'neq':
        if (has && value === r.value) return false;
        break;
      case 'in':
        if (!has || !r.values.has(value as string)) return false;
        break;
      case 'notin':
        if (has && r.values.has(value as string)) return false;
        break;
      case 'exists':
        if (!has) return false;
        break;
      case 'notexists':
        if (has) return false;
        break;
    }
  }
  return true;
}

export function labelMatcher(text: string | null | undefined): Matcher | undefined {
  if (!text) return undefined;
  const requirements = parseLabelSelector(text);
  return (object) => matches(requirements, object.metadata.labels ?? {});
}

/** The object form (`matchLabels`, `matchExpressions`) used in Deployment and Service specs. */
export function selectorMatches(selector: LabelSelector, labels: Record<string, string>): boolean {
  const requirements: Requirement[] = [];
  for (const [key, value] of Object.entries(selector.matchLabels ?? {})) {
    requirements.push({ key, op: 'eq', value });
  }
  for (const e of selector.matchExpressions ?? []) {
    const values = new Set(e.values ?? []);
    switch (e.operator) {
      case 'In':
        requirements.push({ key: e.key, op: 'in', values });
        break;
      case 'NotIn':
        requirements.push({ key: e.key, op: 'notin', values });
        break;
      case 'Exists':
        requirements.push({ key: e.key, op: 'exists' });
        break;
      case 'DoesNotExist':
        requirements.push({ key: e.key, op: 'notexists' });
        break;
    }
  }
  // An empty selector selects nothing for workloads (the API server refuses it anyway).
  if (requirements.length === 0) return false;
  return matches(requirements, labels);
}

/** `a=b,c=d` from matchLabels, as Scale.status.selector and kubectl show it. */
export function selectorString(selector: LabelSelector): string {
  const parts = Object.entries(selector.matchLabels ?? {}).map(([k, v]) => `${k}=${v}`);
  for (const e of selector.matchExpressions ?? []) {
    const values = (e.values ?? []).join(',');
    if (e.operator === 'In') parts.push(`${e.key} in (${values})`);
    if (e.operator === 'NotIn') parts.push(`${e.key} notin (${values})`);
    if (e.operator === 'Exists') parts.push(e.key);
    if (e.operator === 'DoesNotExist') parts.push(`!${e.key}`);
  }
  return parts.join(',');
}

export function fieldValue(object: KubeObject, path: string): string {
  let current: unknown = object;
  for (const part of path.split('.')) {
    if (current === null || typeof current !== 'object') return '';
    current = (current as Record<string, unknown>)[part];
  }
  if (current === undefined || current === null) return '';
  return String(current);
}

export interface FieldTerm {
  path: string;
  negate: boolean;
  value: string;
}

/** `a=b,c!=d`: equality only (`=`, `==`, `!=`), as fields.ParseSelector accepts. */
export function parseFieldSelector(text: string): FieldTerm[] {
  const terms: FieldTerm[] = [];
  for (const term of splitTerms(text)) {
    const m = /^([A-Za-z0-9_.]+)\s*(==|=|!=)\s*(.*)$/.exec(term);
    if (!m || /[=!<>]/.test(m[3] ?? '')) throw badRequest(`invalid field selector: '${term}'`);
    terms.push({ path: m[1] ?? '', negate: m[2] === '!=', value: (m[3] ?? '').trim() });
  }
  return terms;
}

/** Any dotted path: what metrics-server filters on. The API server's own lists use field-selectors.ts. */
export function fieldMatcher(text: string | null | undefined): Matcher | undefined {
  if (!text) return undefined;
  const terms = parseFieldSelector(text);
  return (object) => terms.every((t) => (fieldValue(object, t.path) === t.value) !== t.negate);
}

export function combine(...matchers: (Matcher | undefined)[]): Matcher {
  const active = matchers.filter((m): m is Matcher => m !== undefined);
  if (active.length === 0) return () => true;
  return (object) => active.every((m) => m(object));
}
