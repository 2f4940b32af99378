/**
 * Round axis ticks (0, 5, 10 ... 25 GiB; 0, 250, 500, 750 ms) rather than whatever the data's
 * maximum divides into: a chart an admin reads at a glance. Of the round steps that give 2 to
 * `count + 1` intervals, the one with the lowest top wins (the lines use the height), then the
 * one nearest `count` intervals.
 */
export function niceTicks(max: number, unit = 1, count = 4): { top: number; ticks: number[] } {
  const units = Math.max(max / unit, Number.EPSILON);
  const magnitude = 10 ** Math.floor(Math.log10(units / count));
  let best: { step: number; steps: number } | null = null;
  for (const scale of [magnitude, magnitude * 10]) {
    for (const factor of [1, 2, 2.5, 5]) {
      const step = factor * scale;
      const steps = Math.ceil(units / step - 1e-9);
      if (steps < 2 || steps > count + 1) continue;
      const better =
        best === null ||
        steps * step < best.steps * best.step - 1e-9 ||
        (Math.abs(steps * step - best.steps * best.step) <= 1e-9 &&
          Math.abs(steps - count) < Math.abs(best.steps - count));
      if (better) best = { step, steps };
    }
  }
  // A maximum too small to split (nothing measured yet): one round step.
  const { step, steps } = best ?? { step: magnitude * 10, steps: 1 };
  const ticks = Array.from({ length: steps + 1 }, (_, index) => index * step * unit);
  return { top: steps * step * unit, ticks };
}

const SECOND = 1000;
const MINUTE = 60 * SECOND;
const HOUR = 60 * MINUTE;
const TIME_STEPS = [
  15 * SECOND,
  30 * SECOND,
  MINUTE,
  2 * MINUTE,
  5 * MINUTE,
  10 * MINUTE,
  15 * MINUTE,
  30 * MINUTE,
  HOUR,
  2 * HOUR,
  3 * HOUR,
  6 * HOUR,
  12 * HOUR,
  24 * HOUR,
];

/**
 * Time axis ticks on round clock times (14:00, 14:05, 14:10), at most `count` of them, so no two
 * ticks read the same: left to itself the axis spread ticks evenly over a minute of samples and
 * labelled each "21:14". `seconds` says whether the labels need them (steps under a minute).
 */
export function timeTicks(
  from: number,
  to: number,
  count = 6,
): { ticks: number[]; seconds: boolean } {
  if (!(to > from)) return { ticks: [from], seconds: true };
  const span = to - from;
  const step =
    TIME_STEPS.find((candidate) => span / candidate <= count) ?? TIME_STEPS[TIME_STEPS.length - 1]!;
  // Round to the step in local time (a 6 h step starts at 00:00, 06:00, ... where the admin is).
  const offset = new Date(from).getTimezoneOffset() * MINUTE;
  const first = Math.ceil((from - offset) / step) * step + offset;
  const ticks: number[] = [];
  for (let at = first; at <= to; at += step) ticks.push(at);
  // A span shorter than the smallest step may hold no round time: its ends, then.
  if (ticks.length === 0) return { ticks: [from, to], seconds: true };
  return { ticks, seconds: step < MINUTE };
}
