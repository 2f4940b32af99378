import type { ContractError, Result } from '../../shared/errors';

/**
 * What main sends the renderer is read by a page, shown on screen, copied into bug reports and
 * screenshots: no credential may be in it. Everything that leaves main (invoke results and errors
 * from dispatch, event payloads from the event bus) passes through here, whatever service wrote
 * it, so a message that quotes a kubeconfig, a plugin's output or an HTTP header cannot carry a
 * secret out. Redaction goes by the forms secrets take (bearer tokens, `token=` and the like,
 * Authorization headers, PEM blocks, URL userinfo, JWTs) and by the very values of the loaded
 * kubeconfigs, which {@link rememberSecrets} is given, since a message may quote one bare.
 *
 * Text that is read as a sentence (error messages, and the message fields of results and events)
 * also has its control characters and bidi marks escaped: input echoed in a message must not be
 * able to break a line or turn text around on screen.
 */

export const REDACTED = '[redacted]';

/**
 * Shorter values are not looked for bare: an exec env value such as `1` or `true` would blank
 * out every number and word in every message, and a secret that short protects nothing.
 */
export const MIN_SECRET_LENGTH = 6;

/**
 * The credentials of every kubeconfig main has loaded, longest first (so a secret that contains
 * another is replaced whole). Process-wide like the kubeconfig itself, and only ever added to: a
 * value once a credential stays one after the file is edited.
 */
const knownSecrets = new Set<string>();
let knownLongestFirst: string[] = [];

/** Values to redact wherever they appear, bare or URL-encoded; shorter ones are ignored. */
export function rememberSecrets(values: Iterable<string>): void {
  const before = knownSecrets.size;
  for (const value of values) {
    if (typeof value !== 'string' || value.length < MIN_SECRET_LENGTH) continue;
    knownSecrets.add(value);
    const encoded = encodeURIComponent(value);
    if (encoded !== value) knownSecrets.add(encoded);
  }
  if (knownSecrets.size !== before) {
    knownLongestFirst = [...knownSecrets].sort((a, b) => b.length - a.length);
  }
}

// PEM: a certificate or a key, to its END line, or to the end of the text where it was cut.
const PEM_BLOCK = /-----BEGIN [^\r\n-]*-----[\s\S]*?(?:-----END [^\r\n-]*-----|$)/g;
// `scheme://user:password@` keeps its scheme; the userinfo cannot hold `/`, `?`, `#` or space.
const URL_USERINFO = /\b([a-z][a-z0-9+.-]*:\/\/)[^\s/?#@"'<>]*@/gi;
// `Authorization: Bearer abc`, `"authorization":"Basic abc"`, `proxy-authorization=abc`.
const AUTHORIZATION =
  /\b((?:proxy-)?authorization\\?["']?\s*[:=]\s*\\?["']?)(?:(bearer|basic|digest|negotiate|token)\s+)?[^\s"'\\,;]+/gi;
const BEARER = /\b(bearer)\s+[A-Za-z0-9\-._~+/]{8,}=*/gi;
// A JSON Web Token: base64url JSON header (`{"` is `eyJ`), payload and a signature, maybe empty.
const JWT = /\beyJ[A-Za-z0-9_-]{2,}\.[A-Za-z0-9_-]{2,}\.[A-Za-z0-9_-]*/g;
/**
 * `key=value`, `key: value`, `"key":"value"` where the key names a credential: `token`,
 * `access_token`, `--token`, `password`, `client-secret`, `api-key`, `client-key-data`... The
 * value runs to its closing quote, or unquoted to a space or a delimiter.
 */
const SECRET_KEY_VALUE =
  /(?<key>[A-Za-z0-9_.-]*?(?:token|passw(?:or)?d|pwd|secret|api[_-]?key|access[_-]?key|private[_-]?key|client[_-]?key|key[_-]?data|certificate[_-]?data)s?)(?<between>\\?["']?\s*[:=]\s*)(?:(?<dq>\\?")(?:[^"\\\r\n]|\\(?!"))*\\?"|(?<sq>')[^'\r\n]*'|(?<bare>[^\s"'\\&,;<>()[\]{}]+))/gi;
interface KeyValueGroups {
  key: string;
  between: string;
  dq: string | undefined;
  sq: string | undefined;
  bare: string | undefined;
}

// A plain word after `key: ` is prose ("invalid token: Expired"); a credential rarely is one.
const PROSE_WORD = /^[A-Za-z][a-z]*$/;
/**
 * A cheap test before the patterns, for most strings are names, commands and timestamps: one
 * that has none of these (an `=`, a URL, a PEM, a bearer, a JWT, a credential's key before a
 * colon) holds none of the forms above.
 */
const MAY_HOLD_SECRET =
  /=|:\/\/|-----BEGIN|bearer|eyJ|(?:token|passw(?:or)?d|pwd|secrets?|key|data|authorization)\\?["']?\s*:/i;

/** `https://user:pass@host/x` as `https://host/x`; other text as it is. */
export function withoutUserinfo(url: string): string {
  return url.replace(URL_USERINFO, '$1');
}

/**
 * The text with every secret it holds, by form or by value, replaced with {@link REDACTED}; the
 * values are those remembered, unless `secrets` is given (tests).
 */
export function redactText(text: string, secrets?: readonly string[]): string {
  let out = text;
  for (const secret of secrets ?? knownLongestFirst) {
    if (out.includes(secret)) out = out.split(secret).join(REDACTED);
  }
  if (!MAY_HOLD_SECRET.test(out)) return out;
  return out
    .replace(PEM_BLOCK, REDACTED)
    .replace(URL_USERINFO, '$1')
    .replace(AUTHORIZATION, (_all, key: string, scheme: string | undefined) =>
      scheme ? `${key}${scheme} ${REDACTED}` : `${key}${REDACTED}`,
    )
    .replace(BEARER, `$1 ${REDACTED}`)
    .replace(JWT, REDACTED)
    .replace(SECRET_KEY_VALUE, (...args: unknown[]) => {
      const all = String(args[0]);
      const { key, between, dq, sq, bare } = args.at(-1) as KeyValueGroups;
      const quote = dq ?? sq;
      if (quote) return `${key}${between}${quote}${REDACTED}${quote}`;
      if (bare !== undefined && /:\s/.test(between) && PROSE_WORD.test(bare)) return all;
      return `${key}${between}${REDACTED}`;
    });
}

// C0 and C1 controls, DEL, and the marks that reorder text: LRM, RLM, ALM, the embeddings,
// overrides and isolates.
const CONTROL_OR_BIDI =
  // eslint-disable-next-line no-control-regex -- matching control characters is the point
  /[\u0000-\u001f\u007f-\u009f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/gu;

/** Each control character or bidi mark as `\u{HEX}`, visible and inert. */
export function escapeControls(text: string): string {
  return text.replace(
    CONTROL_OR_BIDI,
    (char) => `\\u{${char.codePointAt(0)!.toString(16).toUpperCase()}}`,
  );
}

/** A sentence for the screen: redacted, then escaped. */
export function sanitizeMessage(text: string): string {
  return escapeControls(redactText(text));
}

/**
 * Fields of the contract that hold a sentence (Connection.error.message, ActivityEntry.message,
 * OperationProgress.message, OperationResult.warnings): escaped as well as redacted. Other
 * strings are data the renderer may send back (a context name to connect to), so they are only
 * redacted, never rewritten otherwise.
 */
const MESSAGE_FIELDS = new Set(['message', 'warnings']);

function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (typeof value !== 'object' || value === null) return false;
  const proto: unknown = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

/**
 * `value` with `text` applied to every string in it, `sentence` true below a message field.
 * What has no change comes back as the same object, so a large payload is not copied for nothing.
 */
function mapStrings(
  value: unknown,
  text: (s: string, sentence: boolean) => string,
  sentence: boolean,
): unknown {
  if (typeof value === 'string') return text(value, sentence);
  if (Array.isArray(value)) {
    let changed = false;
    const out = value.map((item) => {
      const next = mapStrings(item, text, sentence);
      if (next !== item) changed = true;
      return next;
    });
    return changed ? out : value;
  }
  if (isPlainObject(value)) {
    let out: Record<string, unknown> | null = null;
    for (const [key, item] of Object.entries(value)) {
      const next = mapStrings(item, text, sentence || MESSAGE_FIELDS.has(key));
      if (next === item) continue;
      out ??= { ...value };
      out[key] = next;
    }
    return out ?? value;
  }
  return value;
}

function outboundString(s: string, sentence: boolean): string {
  return sentence ? sanitizeMessage(s) : redactText(s);
}

/** Data leaving main: every string redacted, the message fields escaped too. */
export function outboundValue<T>(value: T): T {
  // mapStrings keeps the shape: only strings are replaced, by strings.
  return mapStrings(value, outboundString, false) as T;
}

/** An error leaving main: its message and every string of its details are sentences. */
export function outboundError(error: ContractError): ContractError {
  const message = sanitizeMessage(error.message);
  if (error.details === undefined) return { code: error.code, message };
  return {
    code: error.code,
    message,
    // mapStrings keeps the shape: the details stay a record.
    details: mapStrings(error.details, outboundString, true) as Record<string, unknown>,
  };
}

/** The one exit of an invocation, whichever transport carries it. */
export function outboundResult<T>(result: Result<T>): Result<T> {
  return result.ok
    ? { ok: true, value: outboundValue(result.value) }
    : { ok: false, error: outboundError(result.error) };
}
