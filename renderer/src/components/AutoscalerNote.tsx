import type { Autoscaler } from '../../../shared/count-owner';
import { autoscalerName, autoscalerSummary } from '../../../shared/count-owner';
import './AutoscalerNote.css';

/** On a process card: the autoscaler that owns the count, e.g. `autoscaled: 2–5, now 3, target 70 % CPU`. */
export function AutoscalerNote({ autoscaler }: { autoscaler: Autoscaler }) {
  return (
    <p
      className="autoscaler-note"
      title={autoscalerName(autoscaler)}
      data-autoscaler={autoscaler.name}
    >
      <span className="autoscaler-note__summary">{autoscalerSummary(autoscaler)}</span>
      {!autoscaler.active && autoscaler.inactiveReason && (
        <span className="muted autoscaler-note__inactive">
          {' '}
          (not scaling: {autoscaler.inactiveReason})
        </span>
      )}
    </p>
  );
}
