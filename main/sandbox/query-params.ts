import { badRequest } from './api-errors';

/**
 * Query parameters read as the API server reads them. Booleans of the request options
 * (ListOptions, GetOptions, PodLogOptions, DeleteOptions) go through apimachinery's
 * `Convert_Slice_string_To_bool`: absent, `0` and `false` in any case are false, and every other
 * value, the empty string included, is true. So python3-kubernetes's `watch=True` starts a watch
 * (a check for `true` alone read it as a plain list), and so does `watch=yes`, as on a real
 * cluster. (The issue that asked for this named Go's strconv.ParseBool, which would refuse
 * `yes` with a 400; the real server does not, and the sandbox is worth what it says of a real one.)
 */

/** The booleans read with the request options' rule. */
export type BooleanParam =
  | 'watch'
  | 'allowWatchBookmarks'
  | 'sendInitialEvents'
  | 'follow'
  | 'previous'
  | 'timestamps'
  | 'insecureSkipTLSVerifyBackend'
  | 'orphanDependents'
  | 'ignoreStoreReadErrorWithClusterBreakingPotential';

/** The request options' rule: only `0` and `false` (any case) are false. */
export function optionBool(text: string): boolean {
  return !(text === '0' || text.toLowerCase() === 'false');
}

/** A boolean request option: absent is false, else `optionBool`. */
export function boolParam(q: URLSearchParams, name: BooleanParam): boolean {
  const text = q.get(name);
  return text === null ? false : optionBool(text);
}

export function intParam(value: string | null, name: string): number | undefined {
  if (value === null || value === '') return undefined;
  if (!/^-?\d+$/.test(value)) throw badRequest(`invalid value for ${name}: ${value}`);
  return Number(value);
}
