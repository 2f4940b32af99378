/**
 * Kubernetes resource quantities (`8Gi`, `512Mi`, `250m`, `1.5G`, `1e3`). Validation follows the
 * API server's grammar. Values are computed as client-node's quantityToScalar computes them (a
 * product for k..E and Ki..Ei, a quotient for n, u, m, the number itself otherwise), so the
 * sandbox and ScaleDesk read a limit to the same bit; unlike client-node, decimals with a suffix
 * such as `1.5Gi` are read too. Not client-node's parser itself: the sandbox is bundled apart
 * (dist/main/sandbox.cjs) and takes nothing from the client.
 */

const QUANTITY =
  /^([+-]?(?:\d+(?:\.\d*)?|\.\d+))(Ki|Mi|Gi|Ti|Pi|Ei|n|u|m|k|M|G|T|P|E|[eE][+-]?\d+)?$/;

const MULTIPLIERS: Record<string, number> = {
  k: 1e3,
  M: 1e6,
  G: 1e9,
  T: 1e12,
  P: 1e15,
  E: 1e18,
  Ki: 1024,
  Mi: 1024 ** 2,
  Gi: 1024 ** 3,
  Ti: 1024 ** 4,
  Pi: 1024 ** 5,
  Ei: 1024 ** 6,
};

const DIVISORS: Record<string, number> = { n: 1e9, u: 1e6, m: 1e3 };

export function isValidQuantity(text: unknown): boolean {
  return typeof text === 'string' && QUANTITY.test(text.trim());
}

/** The quantity's value (bytes for memory, cores for CPU); undefined where malformed. */
export function parseQuantity(text: unknown): number | undefined {
  if (typeof text === 'number') return Number.isFinite(text) ? text : undefined;
  if (typeof text !== 'string') return undefined;
  const m = QUANTITY.exec(text.trim());
  if (!m) return undefined;
  const base = Number(m[1]);
  const suffix = m[2] ?? '';
  const divisor = DIVISORS[suffix];
  if (divisor !== undefined) return base / divisor;
  const multiplier = MULTIPLIERS[suffix];
  if (multiplier !== undefined) return base * multiplier;
  return Number(text.trim()); // no suffix, or an exponent (`1e3`)
}

/** Bytes as metrics-server prints memory: whole kibibytes. */
export function formatKibibytes(bytes: number): string {
  return `${Math.max(0, Math.round(bytes / 1024))}Ki`;
}

/** Cores as metrics-server prints CPU: whole nanocores. */
export function formatNanocores(cores: number): string {
  return `${Math.max(0, Math.round(cores * 1e9))}n`;
}
