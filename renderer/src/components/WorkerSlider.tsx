import { useRef, useState, type KeyboardEvent, type PointerEvent } from 'react';
import type { App, Process } from '../../../shared/app-model';
import type { OperationResult } from '../../../shared/contract';
import { planWorkers, RECOMMENDED_WORKERS } from '../../../shared/worker-plan';
import { describeWorkerCount, knownWorkerCount } from '../../../shared/gunicorn-workers';
import { useGuardedDraft } from '../state/guarded-draft';
import { useOperation } from '../state/useOperation';
import { useMemoryAsOf } from '../state/StoreContext';
import { processAdvice, useMemoryAdvice } from '../state/useMemoryAdvice';
import { formatClock } from '../format/time';
import { formatBytes, plural } from '../../../shared/format';
import { ConfirmDialog } from './ConfirmDialog';
import { GitOpsNotice } from './GitOpsNotice';
import { GuardedWriteError } from './ErrorNotice';
import { PermissionNote } from './PermissionNote';
import './WorkerSlider.css';

const SLIDER_MIN = 1;
const SLIDER_MAX_DEFAULT = 12;
/** The count that fits widens the scale up to this, not further: past it, it is said in words. */
const SLIDER_MAX_MARKS = 32;

interface WorkerSliderProps {
  app: App;
  process: Process;
  /** The redeploy was accepted by main; progress follows from the operation events. */
  onSaved: (result: OperationResult) => void;
}

export function workerSliderId(app: App, process: Process): string {
  return `workers-${app.id}-${process.name}`.replace(/[^a-zA-Z0-9_-]/g, '_');
}

/** The draft key of the count being moved: the OOM banner's "Use N workers" sets it. */
export function workerDraftKey(app: App, process: Process): string {
  return `workers:${app.id}/${process.name}`;
}

/**
 * The gunicorn worker count of one process: a slider with the recommended range marked, and from
 * the memory advice the count that fits under the limit and 2-4 per CPU core; the memory per
 * replica at the chosen count, the cautions, and "Save and redeploy" behind a confirmation that
 * says it is a redeploy. A count predicted to pass the limit needs the admin's explicit
 * acknowledgement first.
 */
export function WorkerSlider({ app, process, onSaved }: WorkerSliderProps) {
  const workers = process.workers!;
  const memoryAsOf = useMemoryAsOf();
  const current = workers.count ?? 1;
  // The count the admin saw when they began moving it: main judges a change meanwhile by it.
  const { draft, setDraft, seen } = useGuardedDraft(workerDraftKey(app, process), workers.count);
  const value = draft === undefined ? current : Number(draft);
  const advice = processAdvice(useMemoryAdvice(app), process.name)?.workers ?? null;
  const fit = advice?.fitCount ?? null;
  const perCore = advice?.perCoreRange ?? null;
  // The count that fits widens the scale (it is the count to pick); 2-4 per core of a big node
  // (64 on 16 cores) would only crowd it: that band is drawn where it falls, and said in words.
  const max = Math.max(SLIDER_MAX_DEFAULT, current, value, Math.min(fit ?? 0, SLIDER_MAX_MARKS));
  // The count the admin acknowledged passing the limit at; another count asks again.
  const [acknowledged, setAcknowledged] = useState<number | null>(null);
  const save = useOperation('process.setWorkers');
  const [confirming, setConfirming] = useState(false);
  const track = useRef<HTMLDivElement>(null);
  const permission = app.permissions.patch;
  const disabled = permission.state === 'denied';
  const sliderId = workerSliderId(app, process);

  const planned = planWorkers(process, value);
  const plan = planned.ok ? planned.plan : null;
  const changed = value !== current;
  const needsAcknowledgement = changed && plan !== null && plan.overLimit;
  const acknowledgedNow = !needsAcknowledgement || acknowledged === value;

  const set = (next: number) => {
    if (disabled) return;
    const clamped = Math.min(max, Math.max(SLIDER_MIN, Math.round(next)));
    setDraft(clamped === current ? undefined : String(clamped));
  };

  const onKeyDown = (event: KeyboardEvent<HTMLDivElement>) => {
    const moves: Record<string, number> = {
      ArrowRight: value + 1,
      ArrowUp: value + 1,
      ArrowLeft: value - 1,
      ArrowDown: value - 1,
      PageUp: value + 2,
      PageDown: value - 2,
      Home: SLIDER_MIN,
      End: max,
    };
    const next = moves[event.key];
    if (next === undefined) return;
    event.preventDefault();
    set(next);
  };

  const fromPointer = (event: PointerEvent<HTMLDivElement>) => {
    const rect = track.current?.getBoundingClientRect();
    if (!rect || rect.width === 0) return;
    const share = (event.clientX - rect.left) / rect.width;
    set(SLIDER_MIN + share * (max - SLIDER_MIN));
  };

  const send = async (force: boolean) => {
    setConfirming(false);
    const result = await save.run({
      namespace: app.namespace,
      app: app.name,
      process: process.name,
      workers: value,
      expectedWorkers: seen,
      ...(needsAcknowledgement ? { acknowledgeRisk: true } : {}),
      ...(force ? { force: true } : {}),
    });
    if (result.ok) {
      setDraft(undefined);
      setAcknowledged(null);
      onSaved(result.value);
    }
  };

  const position = (n: number) => `${((n - SLIDER_MIN) / (max - SLIDER_MIN)) * 100}%`;
  const recommendedLeft = position(RECOMMENDED_WORKERS.min);
  const recommendedWidth = `${((RECOMMENDED_WORKERS.max - RECOMMENDED_WORKERS.min) / (max - SLIDER_MIN)) * 100}%`;
  const band = (from: number, to: number) => ({
    left: position(Math.min(from, max)),
    width: `${((Math.min(to, max) - Math.min(from, max)) / (max - SLIDER_MIN)) * 100}%`,
  });

  return (
    <div className="worker-slider">
      <div className="worker-slider__header">
        <span className="section-title">Workers</span>
        <span className="worker-slider__value numeric">
          {/* A count the config file sets is not known: said as such, never as a guessed 1. */}
          {changed || knownWorkerCount(workers) !== null ? value : describeWorkerCount(workers)}
          {changed && <span className="muted"> (now {describeWorkerCount(workers)})</span>}
        </span>
      </div>
      <div
        ref={track}
        className={`worker-slider__track${disabled ? ' worker-slider__track--disabled' : ''}`}
        onPointerDown={(event) => {
          if (disabled) return;
          event.currentTarget.setPointerCapture?.(event.pointerId);
          fromPointer(event);
          document.getElementById(sliderId)?.focus();
        }}
        onPointerMove={(event) => {
          if (event.buttons === 1) fromPointer(event);
        }}
      >
        <div
          className="worker-slider__recommended"
          style={{ left: recommendedLeft, width: recommendedWidth }}
          title={`Recommended: ${RECOMMENDED_WORKERS.min} to ${RECOMMENDED_WORKERS.max} workers`}
        />
        {perCore && perCore[0] < max && (
          <div
            className="worker-slider__per-core"
            style={band(perCore[0], perCore[1])}
            title={`2 to 4 workers per CPU core: ${perCore[0]}–${perCore[1]}`}
          />
        )}
        <div className="worker-slider__fill" style={{ width: position(value) }} />
        {fit !== null && fit >= SLIDER_MIN && (
          <div
            className="worker-slider__fit"
            style={{ left: position(Math.min(fit, max)) }}
            title={`${plural(fit, 'worker')} fit under the memory limit`}
          />
        )}
        <div
          id={sliderId}
          className="worker-slider__thumb"
          role="slider"
          tabIndex={disabled ? -1 : 0}
          aria-label="Workers"
          aria-valuemin={SLIDER_MIN}
          aria-valuemax={max}
          aria-valuenow={value}
          aria-valuetext={plural(value, 'worker')}
          aria-disabled={disabled || undefined}
          aria-describedby={permission.state === 'allowed' ? undefined : `${sliderId}-reason`}
          style={{ left: position(value) }}
          onKeyDown={onKeyDown}
        />
      </div>
      <div className="worker-slider__scale muted" aria-hidden="true">
        <span>{SLIDER_MIN}</span>
        <span
          className="worker-slider__scale-recommended"
          style={{ left: recommendedLeft, width: recommendedWidth }}
        >
          recommended {RECOMMENDED_WORKERS.min}–{RECOMMENDED_WORKERS.max}
        </span>
        <span>{max}</span>
      </div>
      {advice && (fit !== null || perCore) && (
        <p className="worker-slider__marks muted">
          {fit !== null && (
            <span>
              <span className="worker-slider__fit-key" aria-hidden="true" />
              {fit === 0
                ? `Not one worker fits under the ${formatBytes(process.memoryLimit.bytes)} limit with room to spare`
                : `${plural(fit, 'worker')} fit under the ${formatBytes(process.memoryLimit.bytes)} limit with room to spare`}
            </span>
          )}
          {perCore && advice.cores !== null && (
            <span>
              <span className="worker-slider__per-core-key" aria-hidden="true" />
              {perCore[0] === perCore[1] ? perCore[0] : `${perCore[0]}–${perCore[1]}`} for{' '}
              {plural(advice.cores, 'CPU core')} (2 to 4 per core)
            </span>
          )}
        </p>
      )}
      {plan && (
        <div className="worker-slider__estimate" aria-live="polite">
          {plan.estimatedReplicaBytes === null ? (
            <span className="muted">
              Memory per replica at {value} workers: not known yet (no metrics for this process).
            </span>
          ) : (
            <span>
              Memory per replica at {plural(value, 'worker')}:{' '}
              <strong className={plan.overLimit ? 'worker-slider__over' : undefined}>
                about {formatBytes(plan.estimatedReplicaBytes)}
              </strong>{' '}
              of its {formatBytes(plan.memoryLimitBytes)} limit{' '}
              <span className="muted">
                ({formatBytes(plan.memoryPerWorkerBytes)} per worker, measured{' '}
                {memoryAsOf ? `at ${formatClock(memoryAsOf)}` : 'now'})
              </span>
            </span>
          )}
          {plan.warnings.map((warning) => (
            <p
              key={warning.kind}
              className={`worker-slider__warning${warning.kind === 'preload' ? ' worker-slider__warning--preload' : ''}${warning.kind === 'over-limit' ? ' worker-slider__warning--danger' : ''}`}
            >
              {warning.message}
            </p>
          ))}
        </div>
      )}
      {!plan && !planned.ok && <p className="worker-slider__warning">{planned.message}</p>}
      {needsAcknowledgement && (
        <label className="worker-slider__acknowledge">
          <input
            type="checkbox"
            checked={acknowledged === value}
            onChange={(event) => setAcknowledged(event.target.checked ? value : null)}
          />
          I understand that at {plural(value, 'worker')} the replicas are predicted to be stopped by
          their memory limit, and want to redeploy anyway.
        </label>
      )}
      <PermissionNote id={`${sliderId}-reason`} permission={permission} />
      <div className="worker-slider__actions">
        <button
          type="button"
          className="button button--primary"
          disabled={!changed || !plan || !acknowledgedNow || save.pending || disabled}
          title={acknowledgedNow ? undefined : 'Acknowledge the predicted memory limit first'}
          aria-busy={save.pending}
          onClick={() => setConfirming(true)}
        >
          {save.pending && <span className="spinner" aria-hidden="true" />}
          Save and redeploy
        </button>
        {changed && (
          <button type="button" className="button" onClick={() => setDraft(undefined)}>
            Reset
          </button>
        )}
      </div>
      {save.error && (
        <GuardedWriteError
          error={save.error}
          onDismiss={save.clear}
          send={(force) => void send(force)}
          current={plural(current, 'worker')}
          describe={(count) => plural(count, 'worker')}
          onKeepTheirs={() => {
            setDraft(undefined);
            save.clear();
          }}
        />
      )}
      {confirming && (
        <ConfirmDialog
          title={`Redeploy ${process.name} with ${value} workers?`}
          confirmLabel="Redeploy"
          onConfirm={() => void send(false)}
          onCancel={() => setConfirming(false)}
        >
          <p>
            This is a redeploy: the {plural(process.replicas.desired, 'replica')} of {process.name}{' '}
            are replaced one by one with new ones running gunicorn with {value} workers (now{' '}
            {workers.count === null && workers.configFile !== null
              ? describeWorkerCount(workers)
              : (workers.count ?? 'the gunicorn default of 1')}
            ).
          </p>
          <p>Requests in flight on a replica being replaced may be cut.</p>
          <GitOpsNotice process={process} />
          {plan?.overLimit && (
            <p className="worker-slider__over">
              At this count a replica is estimated to pass its memory limit and would be stopped.
            </p>
          )}
        </ConfirmDialog>
      )}
    </div>
  );
}
