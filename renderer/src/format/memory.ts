import { formatBytes } from '../../../shared/format';

/** "5.2 GiB of 24 GiB" */
export function formatUsedOf(used: number | null | undefined, max: number): string {
  return `${formatBytes(used)} of ${formatBytes(max)}`;
}
