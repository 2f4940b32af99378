import type { App } from '../../../shared/app-model';
import type { ActivityEntry } from '../../../shared/contract';
import { plural } from '../../../shared/format';
import { ConfirmDialog } from './ConfirmDialog';

/**
 * The question asked before an Undo that redeploys: going back on a worker count or a memory
 * limit replaces the process's pods just as the change did, so it asks what the change asked.
 * Undo of a replica count or an autoscaler's range replaces nothing, and is sent at once.
 */

export interface UndoAsk {
  title: string;
  /** Said in the dialog, one paragraph each. */
  lines: string[];
}

/** What to ask before undoing `entry`, or null where nothing needs asking. */
export function undoQuestion(entry: ActivityEntry, app: App): UndoAsk | null {
  if (entry.kind !== 'workers' && entry.kind !== 'memory-limit') return null;
  const name = entry.process ?? 'the process';
  const process = app.processes.find((p) => p.name === entry.process);
  const replicas = process ? plural(process.replicas.desired, 'replica') : 'replicas';
  const pods = (process?.pods ?? []).filter((pod) => !pod.terminating).map((pod) => pod.name);
  const replaced =
    pods.length > 0 ? `Pods replaced: ${pods.join(', ')}.` : `No pod of ${name} runs now.`;
  const cut = 'Requests in flight on a replica being replaced may be cut.';
  if (entry.kind === 'memory-limit') {
    const back = entry.from === null ? 'the limit it had before' : String(entry.from);
    return {
      title: `Undo: redeploy ${name} with a memory limit of ${back}?`,
      lines: [
        `This is a redeploy: the ${replicas} of ${name} are replaced one by one with new ones limited to ${back} per replica (now ${entry.to ?? 'unknown'}).`,
        replaced,
        cut,
      ],
    };
  }
  if (entry.from === null) {
    const configFile = process?.workers?.configFile ?? null;
    const decides = configFile === null ? "gunicorn's default" : `its config file (${configFile})`;
    return {
      title: `Undo: redeploy ${name} with the worker count of ${decides}?`,
      lines: [
        `This is a redeploy: the ${replicas} of ${name} are replaced one by one with new ones whose worker count is set by ${decides} again. The --workers ${entry.to ?? ''} ScaleDesk added is removed, and nothing else.`,
        replaced,
        cut,
      ],
    };
  }
  return {
    title: `Undo: redeploy ${name} with ${plural(Number(entry.from), 'worker')}?`,
    lines: [
      `This is a redeploy: the ${replicas} of ${name} are replaced one by one with new ones running gunicorn with ${plural(Number(entry.from), 'worker')} (now ${entry.to ?? 'unknown'}).`,
      replaced,
      cut,
    ],
  };
}

/** The question, as a dialog: Redeploy sends the Undo, Cancel sends nothing. */
export function UndoQuestion({
  ask,
  onConfirm,
  onCancel,
}: {
  ask: UndoAsk;
  onConfirm: () => void;
  onCancel: () => void;
}) {
  return (
    <ConfirmDialog
      title={ask.title}
      confirmLabel="Redeploy"
      onConfirm={onConfirm}
      onCancel={onCancel}
    >
      {ask.lines.map((line) => (
        <p key={line}>{line}</p>
      ))}
    </ConfirmDialog>
  );
}
