import { z } from 'zod';

/**
 * The names an operation's input carries, each checked by the rule Kubernetes itself applies to
 * what the name is, before anything is sent or saved. A namespace goes into URL paths
 * (`/api/v1/namespaces/<ns>/...`): `..` or `a/b` there is not a missing namespace but another
 * path, which the HTTP client normalises (`..` listed every namespace's apps). Names that only
 * pick an app or a process out of the model never reach a URL, but are held to the same kind
 * of rule so that what cannot exist on a cluster is refused as such, not looked up.
 *
 * Each schema is a string format with one message naming the rule, used for a wrong type too,
 * so the refusal says what the field is (dispatch quotes a format's message: "namespace: A
 * namespace name is ...; got \"..\"").
 */

/** DNS-1123 label (RFC 1123 hostname label, as Kubernetes validates namespace names). */
export const DNS1123_LABEL_MAX = 63;
const DNS1123_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;

/** DNS-1123 subdomain: dot-separated DNS-1123 labels (Deployment names, label key prefixes, ...). */
export const DNS1123_SUBDOMAIN_MAX = 253;
const DNS1123_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;

/** A label value as Kubernetes allows one, less the empty value (which names nothing). */
export const LABEL_VALUE_MAX = 63;
const LABEL_VALUE = /^[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?$/;

/**
 * A kubeconfig's context names are free text (`arn:aws:eks:...:cluster/x`, OpenShift's
 * `ns/api-host:6443/user`) and are only ever looked up in the kubeconfig, never put in a URL:
 * any text, bounded far above real ones so a megabyte is refused before it is looked up, saved
 * or quoted back.
 */
export const CONTEXT_NAME_MAX = 1024;
/** C0, DEL and C1 controls: a context name holding them is not one a kubeconfig file has. */
const CONTROL = /\p{Cc}/u;
/** Half of a surrogate pair without the other half (no `u` flag: it matches code units). */
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

export function isDns1123Label(value: string): boolean {
  return value.length <= DNS1123_LABEL_MAX && DNS1123_LABEL.test(value);
}

export function isDns1123Subdomain(value: string): boolean {
  return value.length <= DNS1123_SUBDOMAIN_MAX && DNS1123_SUBDOMAIN.test(value);
}

export function isLabelValue(value: string): boolean {
  return value.length <= LABEL_VALUE_MAX && LABEL_VALUE.test(value);
}

export function isNamespaceName(value: string): boolean {
  return isDns1123Label(value);
}

/**
 * The app is a label's value (the grouping label, a release, `app.kubernetes.io/name`, `app`) or,
 * for a workload on its own, the workload's name, a DNS-1123 subdomain (model/app-grouping.ts).
 */
export function isAppName(value: string): boolean {
  return isLabelValue(value) || isDns1123Subdomain(value);
}

/**
 * A label key as Kubernetes validates one: an optional DNS-1123 subdomain prefix and a slash,
 * then a name of 1 to 63 letters, digits, "-", "_" or ".", starting and ending with a letter or
 * digit (`app.kubernetes.io/part-of`, `team.example.com/app`, `app`).
 */
export function isLabelKey(value: string): boolean {
  const slash = value.indexOf('/');
  const prefix = slash < 0 ? null : value.slice(0, slash);
  const name = slash < 0 ? value : value.slice(slash + 1);
  if (prefix !== null && !isDns1123Subdomain(prefix)) return false;
  // The name part is spelled as a label value is (and, unlike one, may not be empty).
  return name.length <= LABEL_VALUE_MAX && LABEL_VALUE.test(name);
}

/**
 * The process is its workload's `app.kubernetes.io/component` label value, or, where the workload
 * has none, a name taken from the workload's or its container's (model/app-grouping.ts): a
 * DNS-1123 subdomain or label. Either form is a process.
 */
export function isProcessName(value: string): boolean {
  return isLabelValue(value) || isDns1123Subdomain(value);
}

export function isContextName(value: string): boolean {
  return (
    value.length >= 1 &&
    value.length <= CONTEXT_NAME_MAX &&
    !CONTROL.test(value) &&
    // A lone surrogate cannot come from a kubeconfig, which is UTF-8 text.
    !LONE_SURROGATE.test(value)
  );
}

export const NAMESPACE_NAME_RULE = `A namespace name is a DNS-1123 label: 1 to ${DNS1123_LABEL_MAX} lowercase letters, digits or "-", starting and ending with a letter or digit.`;

export const APP_NAME_RULE = `An app name is a label value (of the label that groups the app: 1 to ${LABEL_VALUE_MAX} letters, digits, "-", "_" or ".", starting and ending with a letter or digit) or, for a workload on its own, its name (a DNS-1123 subdomain of up to ${DNS1123_SUBDOMAIN_MAX} characters).`;

export const LABEL_KEY_RULE = `A label key is an optional DNS-1123 subdomain and "/", then 1 to ${LABEL_VALUE_MAX} letters, digits, "-", "_" or ".", starting and ending with a letter or digit (e.g. app.kubernetes.io/part-of or team.example.com/app).`;

export const PROCESS_NAME_RULE = `A process name is a label value (of app.kubernetes.io/component: 1 to ${LABEL_VALUE_MAX} letters, digits, "-", "_" or ".", starting and ending with a letter or digit) or, where there is no such label, a name taken from the workload or its container (a DNS-1123 subdomain of up to ${DNS1123_SUBDOMAIN_MAX} characters).`;

export const CONTEXT_NAME_RULE = `A context name is the name of a context in the kubeconfig: 1 to ${CONTEXT_NAME_MAX} characters, none of them a control character.`;

export const NamespaceNameSchema = z.stringFormat('namespace-name', isNamespaceName, {
  error: NAMESPACE_NAME_RULE,
});

export const AppNameSchema = z.stringFormat('app-name', isAppName, { error: APP_NAME_RULE });

export const ProcessNameSchema = z.stringFormat('process-name', isProcessName, {
  error: PROCESS_NAME_RULE,
});

export const LabelKeySchema = z.stringFormat('label-key', isLabelKey, { error: LABEL_KEY_RULE });

export const ContextNameSchema = z.stringFormat('context-name', isContextName, {
  error: CONTEXT_NAME_RULE,
});
