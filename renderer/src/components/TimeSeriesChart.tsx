import { useMemo, type ReactNode } from 'react';
import { CartesianGrid, LineChart, ResponsiveContainer, Tooltip, XAxis, YAxis } from 'recharts';
import { formatClock } from '../format/time';
import { timeTicks } from './chart-scale';
import './charts.css';

interface TimeSeriesChartProps {
  /** Points in time order, each with its time in `at` (ms). */
  data: readonly ({ at: number } & object)[];
  /** Said to assistive technology: what the chart shows. */
  label: string;
  height: number;
  /** The value axis from 0: its top and round ticks (niceTicks). */
  scale: { top: number; ticks: number[] };
  formatTick: (value: number) => string;
  /** How a value reads in the tooltip. */
  formatValue: (value: number) => string;
  axisWidth: number;
  /** The lines, limits and legend drawn on this frame. */
  children: ReactNode;
}

/**
 * The frame both charts of an app share: clock times along the bottom at round steps, a value
 * axis from 0 with round ticks, horizontal grid lines, and a tooltip with the time to the second.
 */
export function TimeSeriesChart({
  data,
  label,
  height,
  scale,
  formatTick,
  formatValue,
  axisWidth,
  children,
}: TimeSeriesChartProps) {
  const time = useMemo(() => timeTicks(data[0]?.at ?? 0, data[data.length - 1]?.at ?? 0), [data]);
  return (
    <div className="chart" style={{ height }} role="img" aria-label={label}>
      <ResponsiveContainer width="100%" height="100%">
        <LineChart data={data as object[]} margin={{ top: 8, right: 12, bottom: 0, left: 0 }}>
          <CartesianGrid stroke="var(--chart-grid)" vertical={false} />
          <XAxis
            dataKey="at"
            type="number"
            scale="time"
            domain={['dataMin', 'dataMax']}
            ticks={time.ticks}
            tickFormatter={(value: number) => formatClock(value, time.seconds)}
            stroke="var(--text-3)"
            fontSize={11}
            minTickGap={24}
          />
          <YAxis
            domain={[0, scale.top]}
            ticks={scale.ticks}
            interval={0}
            tickFormatter={formatTick}
            stroke="var(--text-3)"
            fontSize={11}
            width={axisWidth}
          />
          <Tooltip
            labelFormatter={(value) => formatClock(Number(value), true)}
            formatter={(value) => formatValue(Number(value))}
            contentStyle={{
              background: 'var(--surface)',
              border: '1px solid var(--border)',
              borderRadius: 6,
              fontSize: 12,
            }}
          />
          {children}
        </LineChart>
      </ResponsiveContainer>
    </div>
  );
}
