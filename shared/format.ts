import { GIB } from './app-model';

/**
 * Quantities in the words ScaleDesk shows them, one spelling for main's messages and the
 * renderer's labels alike, so a limit reads the same in a status message and beside its gauge.
 */

const MIB = 1024 ** 2;

/** Memory as admins read it: GiB with one decimal where it matters, MiB below 1 GiB. */
export function formatBytes(bytes: number | null | undefined): string {
  if (bytes === null || bytes === undefined || !Number.isFinite(bytes)) return '—';
  if (bytes >= GIB) return `${trimZero((bytes / GIB).toFixed(1))} GiB`;
  if (bytes >= MIB) return `${Math.round(bytes / MIB)} MiB`;
  if (bytes === 0) return '0 GiB';
  return `${Math.max(1, Math.round(bytes / 1024))} KiB`;
}

function trimZero(text: string): string {
  return text.endsWith('.0') ? text.slice(0, -2) : text;
}

/** `1 replica`, `3 replicas`; `many` where adding an s is not the plural (`processes`). */
export function plural(n: number, word: string, many = `${word}s`): string {
  return `${n} ${n === 1 ? word : many}`;
}
