import { useEffect, useId, useRef, useState, type FormEvent, type ReactNode } from 'react';
import { createPortal } from 'react-dom';
import { REPLICAS_CEILING, SettingsSchema, type Settings } from '../../../shared/contract';
import { LABEL_KEY_RULE } from '../../../shared/kube-names';
import { useStore } from '../state/StoreContext';
import { useOperation } from '../state/useOperation';
import { ErrorNotice } from './ErrorNotice';
import './ConfirmDialog.css';
import './SettingsDialog.css';

interface Field {
  key:
    | 'maxReplicas'
    | 'metricsIntervalSeconds'
    | 'latencyThresholdMs'
    | 'errorRateThreshold'
    | 'recommendationHeadroom'
    | 'settleSeconds';
  label: string;
  unit: string;
  hint: string;
  /** The setting as the admin reads it (the error rate and the headroom in percent). */
  show: (settings: Settings) => string;
  parse: (text: string) => number;
}

const FIELDS: readonly Field[] = [
  {
    key: 'maxReplicas',
    label: 'Maximum replicas per process',
    unit: '',
    hint: `A whole number from 1 to ${REPLICAS_CEILING}.`,
    show: (settings) => String(settings.maxReplicas),
    parse: Number,
  },
  {
    key: 'metricsIntervalSeconds',
    label: 'Metrics interval',
    unit: 's',
    hint: 'A whole number of seconds from 1 to 600.',
    show: (settings) => String(settings.metricsIntervalSeconds),
    parse: Number,
  },
  {
    key: 'latencyThresholdMs',
    label: 'Response time alert above',
    unit: 'ms',
    hint: 'More than 0 ms.',
    show: (settings) => String(settings.latencyThresholdMs),
    parse: Number,
  },
  {
    key: 'errorRateThreshold',
    label: 'Error rate alert above',
    unit: '%',
    hint: 'From 0 to 100 %.',
    show: (settings) => String(Math.round(settings.errorRateThreshold * 10_000) / 100),
    parse: (text) => Number(text) / 100,
  },
  {
    key: 'recommendationHeadroom',
    label: 'Headroom over the memory peak',
    unit: '%',
    hint: 'From 0 to 100 % added to the memory peak for a recommended limit.',
    show: (settings) => String(Math.round(settings.recommendationHeadroom * 10_000) / 100),
    parse: (text) => Number(text) / 100,
  },
  {
    key: 'settleSeconds',
    label: 'Settle time after a change',
    unit: 's',
    hint: 'A whole number of seconds from 0 to 600 that new pods must stay ready.',
    show: (settings) => String(settings.settleSeconds),
    parse: Number,
  },
];

/** The admin's settings that shape the screens: kept by main, checked by its schema. */
export function SettingsDialog({ onClose }: { onClose: () => void }) {
  const settings = useStore((state) => state.settings);
  const save = useOperation('settings.set');
  const [drafts, setDrafts] = useState<Partial<Record<Field['key'], string>>>({});
  const [groupingDraft, setGroupingDraft] = useState<string | undefined>(undefined);
  const titleId = useId();
  const first = useRef<HTMLInputElement>(null);

  useEffect(() => {
    const opener = document.activeElement as HTMLElement | null;
    first.current?.focus();
    return () => opener?.focus?.();
  }, []);

  if (!settings) return null;

  const problems = new Map<Field['key'], string>();
  const patch: Partial<Settings> = {};
  for (const field of FIELDS) {
    const text = drafts[field.key];
    if (text === undefined) continue;
    const value = text.trim() === '' ? Number.NaN : field.parse(text);
    const checked = SettingsSchema.shape[field.key].safeParse(value);
    if (!checked.success || Number.isNaN(value)) problems.set(field.key, field.hint);
    else patch[field.key] = checked.data;
  }
  let groupingProblem: string | undefined;
  if (groupingDraft !== undefined) {
    const checked = SettingsSchema.shape.groupingLabel.safeParse(groupingDraft.trim());
    if (checked.success) patch.groupingLabel = checked.data;
    else groupingProblem = LABEL_KEY_RULE;
  }
  const invalid = problems.size > 0 || groupingProblem !== undefined;

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    if (invalid) return;
    const result = await save.run(patch);
    if (result.ok) onClose();
  };

  return createPortal(
    <div className="confirm-dialog__backdrop" onMouseDown={onClose}>
      <form
        className="confirm-dialog settings-dialog"
        role="dialog"
        aria-modal="true"
        aria-labelledby={titleId}
        onMouseDown={(event) => event.stopPropagation()}
        onKeyDown={(event) => {
          if (event.key === 'Escape') onClose();
        }}
        onSubmit={(event) => void submit(event)}
      >
        <h2 id={titleId}>Settings</h2>
        {FIELDS.map((field, index) => (
          <SettingField
            key={field.key}
            field={field}
            value={drafts[field.key] ?? field.show(settings)}
            problem={problems.get(field.key)}
            inputRef={index === 0 ? first : undefined}
            onChange={(text) => setDrafts((current) => ({ ...current, [field.key]: text }))}
          />
        ))}
        <GroupingLabelField
          value={groupingDraft ?? settings.groupingLabel}
          problem={groupingProblem}
          onChange={setGroupingDraft}
        />
        {save.error && <ErrorNotice error={save.error} onDismiss={save.clear} />}
        <div className="confirm-dialog__actions">
          <button type="button" className="button" onClick={onClose}>
            Cancel
          </button>
          <button
            type="submit"
            className="button button--primary"
            disabled={invalid || save.pending}
            aria-busy={save.pending}
          >
            Save
          </button>
        </div>
      </form>
    </div>,
    document.body,
  );
}

function SettingField({
  field,
  value,
  problem,
  inputRef,
  onChange,
}: {
  field: Field;
  value: string;
  problem: string | undefined;
  inputRef: React.Ref<HTMLInputElement> | undefined;
  onChange: (text: string) => void;
}): ReactNode {
  const id = useId();
  return (
    <div className="settings-dialog__field">
      <label htmlFor={id}>{field.label}</label>
      <span className="settings-dialog__input">
        <input
          ref={inputRef}
          id={id}
          className="input numeric"
          inputMode="decimal"
          value={value}
          aria-invalid={problem !== undefined}
          aria-describedby={problem ? `${id}-problem` : undefined}
          onChange={(event) => onChange(event.target.value)}
        />
        <span className="muted">{field.unit}</span>
      </span>
      {problem && (
        <p id={`${id}-problem`} className="settings-dialog__problem">
          {problem}
        </p>
      )}
    </div>
  );
}

/**
 * The label that names an app, read before any other rule (Helm release, app.kubernetes.io/name,
 * app): for shops that label their own way. The apps are regrouped as soon as it is saved.
 */
function GroupingLabelField({
  value,
  problem,
  onChange,
}: {
  value: string;
  problem: string | undefined;
  onChange: (text: string) => void;
}): ReactNode {
  const id = useId();
  return (
    <div className="settings-dialog__field settings-dialog__field--wide">
      <label htmlFor={id}>Group apps by the label</label>
      <input
        id={id}
        className="input settings-dialog__text"
        spellCheck={false}
        autoCapitalize="off"
        value={value}
        aria-invalid={problem !== undefined}
        aria-describedby={`${id}-hint${problem ? ` ${id}-problem` : ''}`}
        onChange={(event) => onChange(event.target.value)}
      />
      <p id={`${id}-hint`} className="settings-dialog__hint muted">
        Workloads with the same value of this label are one app. Without it: the Helm release, then
        app.kubernetes.io/name or app, else each workload on its own.
      </p>
      {problem && (
        <p id={`${id}-problem`} className="settings-dialog__problem">
          {problem}
        </p>
      )}
    </div>
  );
}
