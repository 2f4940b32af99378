// client-node 1.3 does not export its quantity parser from the package root.
import { quantityToScalar } from '@kubernetes/client-node/dist/util.js';

/**
 * Kubernetes resource quantities (`8Gi`, `512Mi`, `250m`, `1.5G`, `1e3`). Validation follows the
 * API server's grammar; the value comes from client-node's quantityToScalar where it can, and
 * from the same grammar where client-node cannot (decimals with a suffix such as `1.5Gi`).
 */

const QUANTITY =
  /^([+-]?(?:\d+(?:\.\d*)?|\.\d+))(Ki|Mi|Gi|Ti|Pi|Ei|n|u|m|k|M|G|T|P|E|[eE][+-]?\d+)?$/;

const MULTIPLIERS: Record<string, number> = {
  '': 1,
  n: 1e-9,
  u: 1e-6,
  m: 1e-3,
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

export function isValidQuantity(text: unknown): boolean {
  return typeof text === 'string' && QUANTITY.test(text.trim());
}

/** The quantity's value (bytes for memory, cores for CPU); undefined where malformed. */
export function parseQuantity(text: unknown): number | undefined {
  if (typeof text === 'number') return Number.isFinite(text) ? text : undefined;
  if (typeof text !== 'string') return undefined;
  const m = QUANTITY.exec(text.trim());
  if (!m) return undefined;
  try {
    const v = quantityToScalar(text.trim());
    return typeof v === 'bigint' ? Number(v) : v;
  } catch {
    const suffix = m[2] ?? '';
    const base = Number(m[1]);
    if (/^[eE]/.test(suffix)) return base * 10 ** Number(suffix.slice(1));
    return base * (MULTIPLIERS[suffix] ?? 1);
  }
}

/** Bytes as metrics-server prints memory: whole kibibytes. */
export function formatKibibytes(bytes: number): string {
  return `${Math.max(0, Math.round(bytes / 1024))}Ki`;
}

/** Cores as metrics-server prints CPU: whole nanocores. */
export function formatNanocores(cores: number): string {
  return `${Math.max(0, Math.round(cores * 1e9))}n`;
}
