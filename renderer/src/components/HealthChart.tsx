import { memo, useMemo } from 'react';
import { Line, ReferenceLine } from 'recharts';
import type { Sample } from '../../../shared/contract';
import { niceTicks } from './chart-scale';
import { TimeSeriesChart } from './TimeSeriesChart';
import './charts.css';

interface HealthChartProps {
  samples: readonly Sample[];
  metric: 'latency' | 'errors';
  /** latencyThresholdMs, or errorRateThreshold (0..1) from the settings: drawn and marked. */
  threshold: number;
  height?: number;
  /** Said instead of "no ... yet" where nothing can be measured (the probe is refused). */
  unavailable?: string | null;
}

/** Response time or error rate of the app's endpoint over time, with the alert threshold. */
export const HealthChart = memo(function HealthChart({
  samples,
  metric,
  threshold,
  height = 160,
  unavailable = null,
}: HealthChartProps) {
  const data = useMemo(
    () =>
      samples.map((sample) => ({
        at: sample.at,
        value:
          metric === 'latency'
            ? sample.latencyMs
            : sample.errorRate === null
              ? null
              : sample.errorRate * 100,
      })),
    [samples, metric],
  );
  const limit = metric === 'latency' ? threshold : threshold * 100;
  const unit = metric === 'latency' ? ' ms' : '%';
  const format = (value: number) =>
    metric === 'latency' ? `${Math.round(value)} ms` : `${value.toFixed(value < 1 ? 2 : 1)}%`;
  const scale = niceTicks(Math.max(limit * 1.25, ...data.map((point) => point.value ?? 0)));
  const label = metric === 'latency' ? 'Response time over time' : 'Error rate over time';

  if (data.every((point) => point.value === null)) {
    return (
      <div className="chart-empty muted" style={{ height }}>
        {unavailable ?? `No ${metric === 'latency' ? 'response times' : 'error rates'} yet.`}
      </div>
    );
  }
  return (
    <TimeSeriesChart
      data={data}
      label={label}
      height={height}
      scale={scale}
      // Steps of 0.25 (%) need two decimals to read apart.
      formatTick={(value) => `${Math.round(value * 100) / 100}${unit}`}
      formatValue={format}
      axisWidth={56}
    >
      <ReferenceLine
        y={limit}
        stroke="var(--chart-limit)"
        strokeDasharray="5 4"
        label={{
          value: `Threshold ${format(limit)}`,
          // Above the line: an error-rate threshold sits near the axis labels below it.
          position: 'insideBottomRight',
          fill: 'var(--chart-limit)',
          fontSize: 11,
        }}
      />
      <Line
        dataKey="value"
        name={metric === 'latency' ? 'Response time' : 'Error rate'}
        type="monotone"
        stroke={metric === 'latency' ? 'var(--chart-1)' : 'var(--chart-3)'}
        strokeWidth={1.75}
        // A lone sample is a point with no line through it: drawn as a dot, or not at all.
        dot={data.length === 1 ? { r: 3 } : false}
        isAnimationActive={false}
        connectNulls
      />
    </TimeSeriesChart>
  );
});
