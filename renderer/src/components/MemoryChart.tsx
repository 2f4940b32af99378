import { memo, useMemo } from 'react';
import { Legend, Line, ReferenceArea, ReferenceLine } from 'recharts';
import type { MetricsAvailability, Sample } from '../../../shared/contract';
import { GIB } from '../../../shared/app-model';
import { formatBytes } from '../../../shared/format';
import { isMemoryStale, staleMemoryNote } from '../format/metrics-availability';
import { niceTicks } from './chart-scale';
import { MetricsServerHelp } from './MetricsServerHelp';
import { TimeSeriesChart } from './TimeSeriesChart';
import './charts.css';
import './MemoryChart.css';

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
  /** Whether the metrics API serves figures (the connection's); null: not known. */
  metrics?: MetricsAvailability | null;
}

/** A stretch of time with no memory figures: from the last sample with some to the next one. */
export interface MemoryGap {
  from: number;
  to: number;
}

/**
 * The stretches where no process had a figure (the metrics API failed meanwhile: main records
 * no memory then), after some sample that had one. A gap still open runs to the last sample.
 */
export function memoryGaps(samples: readonly Sample[]): MemoryGap[] {
  const gaps: MemoryGap[] = [];
  let lastMeasured: number | null = null;
  /** Where the gap under way began (the last measured sample), and its latest sample. */
  let gapFrom: number | null = null;
  let gapTo = 0;
  for (const sample of samples) {
    if (Object.keys(sample.memoryByProcess).length > 0) {
      if (gapFrom !== null) gaps.push({ from: gapFrom, to: sample.at });
      gapFrom = null;
      lastMeasured = sample.at;
    } else if (lastMeasured !== null) {
      gapFrom ??= lastMeasured;
      gapTo = sample.at;
    }
  }
  if (gapFrom !== null) gaps.push({ from: gapFrom, to: gapTo });
  return gaps;
}

/** Memory over time, one line per process, and the limit. */
export const MemoryChart = memo(function MemoryChart({
  samples,
  series,
  limitBytes,
  fit = 'limit',
  height = 220,
  metrics = null,
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
  const gaps = useMemo(() => memoryGaps(samples), [samples]);

  if (metrics?.state === 'absent') return <MetricsServerHelp height={height} />;
  if (metrics?.state === 'forbidden') {
    return (
      <div className="chart-empty muted" style={{ height }}>
        {metrics.message ?? 'You may not read the metrics API here.'}
      </div>
    );
  }
  const stale = isMemoryStale(metrics) && metrics ? staleMemoryNote(metrics) : null;
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
        {stale
          ? `${stale}: no memory measured in this window.`
          : `No memory measured in this window: no replica of ${series.join(', ')} reported any.`}
      </div>
    );
  }
  return (
    <>
      {stale && (
        <p className="memory-chart__note" role="status">
          {stale}: no figures since, shown as a gap.
        </p>
      )}
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
        {gaps.map((gap) => (
          <ReferenceArea
            key={gap.from}
            x1={gap.from}
            x2={gap.to}
            fill="var(--border)"
            fillOpacity={0.45}
            ifOverflow="hidden"
            label={{
              value: 'no figures',
              position: 'insideTop',
              fill: 'var(--text-3)',
              fontSize: 11,
            }}
          />
        ))}
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
            // No figure is no line: a gap in the metrics shows as one, not as a straight bridge.
            connectNulls={false}
          />
        ))}
      </TimeSeriesChart>
    </>
  );
});
