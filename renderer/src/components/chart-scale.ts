/**
 * Round axis ticks (0, 8, 16, 24 GiB; 0, 200, 400 ms) rather than whatever the data's maximum
 * divides into: a chart an admin reads at a glance.
 */
export function niceTicks(max: number, unit = 1, count = 4): { top: number; ticks: number[] } {
  const units = Math.max(max / unit, Number.EPSILON);
  const rough = units / count;
  const magnitude = 10 ** Math.floor(Math.log10(rough));
  const step =
    [1, 2, 2.5, 5, 10].map((factor) => factor * magnitude).find((value) => value >= rough) ??
    10 * magnitude;
  const steps = Math.ceil(units / step);
  const ticks = Array.from({ length: steps + 1 }, (_, index) => index * step * unit);
  return { top: steps * step * unit, ticks };
}
