import { GIB } from '../../../shared/app-model';

const MIB = 1024 ** 2;

/** Memory as admins read it: GiB with one decimal where it matters, MiB below 1 GiB. */
export function formatBytes(bytes: number | null | undefined): string {
  if (bytes === null || bytes === undefined || !Number.isFinite(bytes)) return '—';
  if (bytes >= GIB) return `${trimZero((bytes / GIB).toFixed(1))} GiB`;
  if (bytes >= MIB) return `${Math.round(bytes / MIB)} MiB`;
  if (bytes === 0) return '0 GiB';
  return `${Math.max(1, Math.round(bytes / 1024))} KiB`;
}

/** "5.2 GiB of 24 GiB" */
export function formatUsedOf(used: number | null | undefined, max: number): string {
  return `${formatBytes(used)} of ${formatBytes(max)}`;
}

function trimZero(text: string): string {
  return text.endsWith('.0') ? text.slice(0, -2) : text;
}
