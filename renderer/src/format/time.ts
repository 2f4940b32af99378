/** "3 min ago", "2 h ago", "yesterday 14:02": when something happened, at a glance. */
export function formatAgo(iso: string | null | undefined, now: number = Date.now()): string {
  if (!iso) return 'never';
  const at = Date.parse(iso);
  if (Number.isNaN(at)) return 'unknown';
  const seconds = Math.round((now - at) / 1000);
  if (seconds < 45) return 'just now';
  const minutes = Math.round(seconds / 60);
  if (minutes < 60) return `${minutes} min ago`;
  const hours = Math.round(minutes / 60);
  if (hours < 24) return `${hours} h ago`;
  const days = Math.round(hours / 24);
  return days === 1 ? 'yesterday' : `${days} days ago`;
}

/**
 * One formatter each, made once: `toLocaleTimeString` with options builds a new
 * Intl.DateTimeFormat per call, and a chart axis formats every point while it lays out its ticks.
 */
const clock = new Intl.DateTimeFormat([], { hour: '2-digit', minute: '2-digit', hour12: false });
const clockWithSeconds = new Intl.DateTimeFormat([], {
  hour: '2-digit',
  minute: '2-digit',
  second: '2-digit',
  hour12: false,
});

/** Clock time for chart axes and the log: 14:02 (or 14:02:31 with seconds). */
export function formatClock(at: number | string, seconds = false): string {
  return (seconds ? clockWithSeconds : clock).format(new Date(at));
}

/** The full timestamp, for a title attribute. */
export function formatFull(iso: string | null | undefined): string {
  if (!iso) return '';
  const date = new Date(iso);
  return Number.isNaN(date.getTime()) ? iso : date.toLocaleString();
}
