import { z } from 'zod';

/**
 * Who else sets a process's replica count, as the model shows it and both sides word it: an
 * autoscaler (a HorizontalPodAutoscaler, or a KEDA ScaledObject, which drives one) that moves
 * the count between its minimum and maximum, and a GitOps controller (Argo CD, Flux) that puts
 * the workload back as git has it at its next sync. Pure: shared/ runs in the renderer too;
 * it imports nothing of shared/ (app-model imports it: a cycle would leave its schemas undefined).
 *
 * Decisions:
 * - An HPA's minimum and maximum are what the admin edits instead of the count: a count written
 *   to the workload is put back at the autoscaler's next sync (every 15 s by default).
 * - A KEDA ScaledObject is shown, not edited: KEDA owns the HPA it makes and would put an edit of
 *   it back; its min/max are changed on the ScaledObject, whose kubectl command is shown.
 * - Scale to 0 of the workload itself stops an HPA-owned process: Kubernetes does not autoscale
 *   a target at 0 replicas (ScalingActive False, "scaling is disabled since the replica count of
 *   the target is zero") and leaves it there; Start brings the count back and the HPA resumes.
 *   An HPA's own minimum cannot be 0 (autoscaling/v2 validation, unless the alpha HPAScaleToZero
 *   feature gate is on), so 0 is never offered as the minimum.
 */

export const AutoscalerSchema = z.object({
  kind: z.enum(['HorizontalPodAutoscaler', 'ScaledObject']),
  name: z.string(),
  /** The API version it was read (and is written) at: `autoscaling/v2`, `autoscaling/v1`, `keda.sh/v1alpha1`. */
  apiVersion: z.string(),
  minReplicas: z.number().int().nonnegative(),
  maxReplicas: z.number().int().nonnegative(),
  /** The replicas the autoscaler last saw on its target; null before its first sync. */
  currentReplicas: z.number().int().nonnegative().nullable(),
  /** The replicas it last asked for; null before its first sync. */
  desiredReplicas: z.number().int().nonnegative().nullable(),
  /** What it scales on, as an admin says it: `70 % CPU`, `500Mi memory`, `rabbitmq`. */
  targets: z.array(z.string()),
  /** False where it does not scale now (ScalingActive False: e.g. its target is at 0), with why. */
  active: z.boolean(),
  inactiveReason: z.string().nullable(),
  /** ScaleDesk edits its minReplicas/maxReplicas (an HPA); false: shown with its command (KEDA). */
  editable: z.boolean(),
});
export type Autoscaler = z.infer<typeof AutoscalerSchema>;

export const ManagedBySchema = z.object({
  tool: z.enum(['argocd', 'flux']),
  /** The Argo CD Application, or the Flux Kustomization/HelmRelease, where the object says. */
  name: z.string().nullable(),
  /** What marked it, for the notice's tooltip: `annotation argocd.argoproj.io/tracking-id`. */
  evidence: z.string(),
});
export type ManagedBy = z.infer<typeof ManagedBySchema>;

/** `HorizontalPodAutoscaler checkout-web`, `ScaledObject orders` */
export function autoscalerName(autoscaler: Pick<Autoscaler, 'kind' | 'name'>): string {
  return `${autoscaler.kind} ${autoscaler.name}`;
}

/** The range as the activity log keeps it: `2–5`. */
export function rangeText(range: { minReplicas: number; maxReplicas: number }): string {
  return `${range.minReplicas}–${range.maxReplicas}`;
}

/** The range back from the activity log's words (`2–5`, or `2-5`); null where it is not one. */
export function parseRange(
  text: string | number | null,
): { minReplicas: number; maxReplicas: number } | null {
  if (typeof text !== 'string') return null;
  const match = /^\s*(\d+)\s*[–-]\s*(\d+)\s*$/.exec(text);
  if (!match) return null;
  return { minReplicas: Number(match[1]), maxReplicas: Number(match[2]) };
}

/** What the card says: `autoscaled: 2–5, now 3, target 70 % CPU`. */
export function autoscalerSummary(autoscaler: Autoscaler): string {
  const parts = [`autoscaled: ${rangeText(autoscaler)}`];
  if (autoscaler.currentReplicas !== null) parts.push(`now ${autoscaler.currentReplicas}`);
  if (autoscaler.targets.length > 0) parts.push(`target ${autoscaler.targets.join(', ')}`);
  return parts.join(', ');
}

/** Why the count is not edited directly, said wherever the count would be. */
export function ownedCountReason(autoscaler: Autoscaler): string {
  return `An autoscaler owns this count: ${autoscalerName(autoscaler)} sets it between ${autoscaler.minReplicas} and ${autoscaler.maxReplicas}.`;
}

/** What stopping (scale to 0) an autoscaled process does, and what an autoscaler cannot do. */
export function zeroWithAutoscaler(process: string, autoscaler: Autoscaler): string {
  if (autoscaler.kind === 'ScaledObject') {
    return `KEDA's ScaledObject ${autoscaler.name} sets the count of ${process}: to hold it at 0, pause it (annotation autoscaling.keda.sh/paused-replicas: "0") or set its minReplicaCount to 0.`;
  }
  return `Scaling ${process} to 0 turns its autoscaler ${autoscaler.name} off until Start (Kubernetes does not autoscale a workload at 0 replicas). The autoscaler's own minimum cannot be 0 (autoscaling/v2 needs 1 or more unless the HPAScaleToZero feature gate is on); to stop autoscaling for good, delete the autoscaler with kubectl.`;
}

/** What the name of the GitOps tool is, as an admin says it. */
export function gitOpsTool(managedBy: ManagedBy): string {
  return managedBy.tool === 'argocd' ? 'Argo CD' : 'Flux';
}

/** The notice before saving a change to a workload that a GitOps controller manages. */
export function gitOpsNotice(process: string, managedBy: ManagedBy): string {
  const tool = gitOpsTool(managedBy);
  const owner =
    managedBy.name === null
      ? ''
      : managedBy.tool === 'argocd'
        ? ` (application ${managedBy.name})`
        : ` (${managedBy.name})`;
  return `${process} is managed by ${tool}${owner}: this change will be reverted at its next sync unless it is also made in git.`;
}

export type RangePlan =
  { ok: true; minReplicas: number; maxReplicas: number } | { ok: false; message: string };

/**
 * An autoscaler's new range, checked as the API server and the admin's maximum would: a minimum
 * of at least 1 (see above), a maximum at least the minimum and at most `ceiling`.
 */
export function planRange(minReplicas: number, maxReplicas: number, ceiling: number): RangePlan {
  if (!Number.isInteger(minReplicas) || !Number.isInteger(maxReplicas)) {
    return { ok: false, message: 'The minimum and maximum must be whole numbers.' };
  }
  if (minReplicas < 1) {
    return {
      ok: false,
      message:
        "An autoscaler's minimum must be 1 or more (Kubernetes refuses 0 unless the HPAScaleToZero feature gate is on). To stop the process, scale it to 0.",
    };
  }
  if (maxReplicas < minReplicas) {
    return { ok: false, message: 'The maximum cannot be below the minimum.' };
  }
  if (maxReplicas > ceiling) {
    return {
      ok: false,
      message: `The maximum cannot be more than ${ceiling} replica${ceiling === 1 ? '' : 's'}.`,
    };
  }
  return { ok: true, minReplicas, maxReplicas };
}
