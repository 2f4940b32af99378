import { memo, useMemo } from 'react';
import { Legend, Line, ReferenceLine } from 'recharts';
import type { Sample } from '../../../shared/contract';
import { GIB } from '../../../shared/app-model';
import { formatBytes } from '../../../shared/format';
import { niceTicks } from './chart-scale';
import { TimeSeriesChart } from './TimeSeriesChart';
import './charts.css';

interface MemoryChartProps {
  /** Already downsampled (main's apps.history maxPoints) and in time order. */
  samples: readonly Sample[];
  /** Series in the order to draw: the processes in Procfile order, then the workspace. */
  series: readonly string[];
  /** The app's maximum memory, drawn as a line. */
  limitBytes: number;
  /** `limit`: the axis reaches the limit, so how close the app is shows; `usage`: the axis fits
   * the lines, so their movement shows (the limit is then said in words above the chart). */
  fit?: 'limit' | 'usage';
  height?: number;
}

/** Memory over time, one line per process, and the limit. */
export const MemoryChart = memo(function MemoryChart({
  samples,
  series,
  limitBytes,
  fit = 'limit',
  height = 220,
}: MemoryChartProps) {
  const data = useMemo(
    () => samples.map((sample) => ({ at: sample.at, ...sample.memoryByProcess })),
    [samples],
  );
  const top = useMemo(() => {
    let max = fit === 'limit' ? limitBytes : 0;
    for (const sample of samples) {
      for (const value of Object.values(sample.memoryByProcess)) max = Math.max(max, value);
    }
    return niceTicks(Math.max(max * 1.04, 0.25 * GIB), GIB);
  }, [samples, limitBytes, fit]);
  const limitShown = limitBytes <= top.top;

  if (samples.length === 0) {
    return (
      <div className="chart-empty muted" style={{ height }}>
        No memory samples yet. They arrive at each metrics interval.
      </div>
    );
  }
  if (!samples.some((sample) => series.some((name) => sample.memoryByProcess[name] != null))) {
    return (
      <div className="chart-empty muted" style={{ height }}>
        No memory measured in this window: no replica of {series.join(', ')} reported any.
      </div>
    );
  }
  return (
    <TimeSeriesChart
      data={data}
      label="Memory over time"
      height={height}
      scale={top}
      formatTick={(value) => formatBytes(value)}
      formatValue={(value) => formatBytes(value)}
      axisWidth={64}
    >
      <Legend iconType="plainline" wrapperStyle={{ fontSize: 12 }} />
      {limitShown && (
        <ReferenceLine
          y={limitBytes}
          stroke="var(--chart-limit)"
          strokeDasharray="5 4"
          label={{
            value: `Limit ${formatBytes(limitBytes)}`,
            position: 'insideTopRight',
            fill: 'var(--chart-limit)',
            fontSize: 11,
          }}
        />
      )}
      {series.map((name, index) => (
        <Line
          key={name}
          dataKey={name}
          name={name}
          type="monotone"
          stroke={`var(--chart-${(index % 6) + 1})`}
          strokeWidth={1.75}
          // A lone sample is a point with no line through it: drawn as a dot, or not at all.
          dot={data.length === 1 ? { r: 3 } : false}
          isAnimationActive={false}
          connectNulls
        />
      ))}
    </TimeSeriesChart>
  );
});
