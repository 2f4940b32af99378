import type { MetricsAvailability } from '../../../shared/contract';
import { formatClock } from './time';

/**
 * What the memory figures on screen are worth, in words, from the connection's metrics state:
 * null where they are current (or not read yet, which the gauge says itself).
 */

/** Not current: the figures shown are the last good ones, of `lastSampleAt`. */
export function isMemoryStale(metrics: MetricsAvailability | null): boolean {
  return metrics?.state === 'failing';
}

/**
 * "Memory as of 10:42, the metrics API is not answering": said beside figures that are not
 * current, so an old value is never read as the value now.
 */
export function staleMemoryNote(metrics: MetricsAvailability): string {
  return metrics.lastSampleAt
    ? `Memory as of ${formatClock(metrics.lastSampleAt)}, the metrics API is not answering`
    : 'No memory figures: the metrics API is not answering';
}

/** The short word beside the gauge's figures where there are none, or they are not current. */
export function metricsShortNote(metrics: MetricsAvailability | null): string | null {
  switch (metrics?.state) {
    case 'absent':
      return 'no metrics-server';
    case 'forbidden':
      return 'not allowed';
    case 'failing':
      return metrics.lastSampleAt ? `as of ${formatClock(metrics.lastSampleAt)}` : 'not answering';
    default:
      return null;
  }
}
