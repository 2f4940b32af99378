import type { KeyboardEvent } from 'react';
import type { HistoryWindow } from '../../../shared/contract';
import './WindowPicker.css';

const WINDOWS: ReadonlyArray<{ id: HistoryWindow; label: string }> = [
  { id: '15m', label: '15 minutes' },
  { id: '1h', label: '1 hour' },
  { id: 'all', label: 'All kept' },
];

/** The time window of a chart: a radio group, arrow keys move the choice. */
export function WindowPicker({
  value,
  onChange,
  label,
}: {
  value: HistoryWindow;
  onChange: (value: HistoryWindow) => void;
  label: string;
}) {
  const onKeyDown = (event: KeyboardEvent<HTMLDivElement>) => {
    const index = WINDOWS.findIndex((candidate) => candidate.id === value);
    const step =
      event.key === 'ArrowRight' || event.key === 'ArrowDown'
        ? 1
        : event.key === 'ArrowLeft' || event.key === 'ArrowUp'
          ? -1
          : 0;
    if (step === 0) return;
    event.preventDefault();
    const next = WINDOWS[(index + step + WINDOWS.length) % WINDOWS.length]!;
    onChange(next.id);
    (
      event.currentTarget.querySelector(`[data-window="${next.id}"]`) as HTMLElement | null
    )?.focus();
  };
  return (
    <div className="window-picker" role="radiogroup" aria-label={label} onKeyDown={onKeyDown}>
      {WINDOWS.map((candidate) => (
        <button
          key={candidate.id}
          type="button"
          role="radio"
          data-window={candidate.id}
          aria-checked={value === candidate.id}
          tabIndex={value === candidate.id ? 0 : -1}
          className="window-picker__option"
          onClick={() => onChange(candidate.id)}
        >
          {candidate.label}
        </button>
      ))}
    </div>
  );
}
