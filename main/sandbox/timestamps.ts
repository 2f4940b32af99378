/**
 * Timestamps as the API server writes them (metav1.Time): RFC 3339 in UTC, whole seconds.
 * Metrics keep their sub-second precision, as metrics-server's do.
 */
export function timestamp(at: Date | number = Date.now()): string {
  const ms = typeof at === 'number' ? at : at.getTime();
  return new Date(Math.floor(ms / 1000) * 1000).toISOString().replace('.000Z', 'Z');
}
