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

const BINARY_SUFFIXES = ['Ei', 'Pi', 'Ti', 'Gi', 'Mi', 'Ki'];
const DECIMAL_SUFFIXES = ['E', 'P', 'T', 'G', 'M', 'k'];

/** Whether a quantity is written with a binary suffix (`Ki`..`Ei`), as Go's BinarySI format. */
export function isBinaryQuantity(text: unknown): boolean {
  return typeof text === 'string' && /(Ki|Mi|Gi|Ti|Pi|Ei)$/.test(text.trim());
}

/**
 * A quantity as the API server prints it (Go's `Quantity.String()`, canonical form): memory sums
 * in quota messages and `status.used` read `132Gi`, `8448Mi`, `100m`, as kubectl shows them.
 * Binary where the value is a whole number of at least 1024 (the largest `Ki`..`Ei` that divides
 * it), decimal otherwise (the largest of `k`..`E` that divides it, or `m`/`u`/`n` for fractions).
 */
export function formatQuantity(value: number, binary: boolean): string {
  const sign = value < 0 ? '-' : '';
  // Sums of CPU fractions carry float dust (0.1 + 0.2): read to the nanocore, as Go stores them.
  const abs = Number.isInteger(value) ? Math.abs(value) : Math.round(Math.abs(value) * 1e9) / 1e9;
  if (binary && Number.isInteger(abs) && abs >= 1024) {
    for (let i = 0; i < BINARY_SUFFIXES.length; i++) {
      const unit = 1024 ** (BINARY_SUFFIXES.length - i);
      if (abs % unit === 0) return `${sign}${abs / unit}${BINARY_SUFFIXES[i]}`;
    }
  }
  if (Number.isInteger(abs)) {
    if (abs === 0) return '0';
    for (let i = 0; i < DECIMAL_SUFFIXES.length; i++) {
      const unit = 1000 ** (DECIMAL_SUFFIXES.length - i);
      if (abs % unit === 0) return `${sign}${abs / unit}${DECIMAL_SUFFIXES[i]}`;
    }
    return `${sign}${abs}`;
  }
  // Fractions go to the coarsest of m, u, n that holds them whole (Go rounds up past n).
  for (const [suffix, scale] of [
    ['m', 1e3],
    ['u', 1e6],
    ['n', 1e9],
  ] as const) {
    const scaled = Math.round(abs * scale);
    if (Math.abs(scaled - abs * scale) < 1e-6) return `${sign}${scaled}${suffix}`;
  }
  return `${sign}${Math.ceil(abs * 1e9)}n`;
}
