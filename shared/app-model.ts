import { z } from 'zod';
import { AutoscalerSchema, ManagedBySchema } from './count-owner';

/**
 * The app model as main serves it to the renderer. One schema, types derived from it: main builds
 * these objects from the cluster, the renderer only reads them.
 *
 * Mapping onto Kubernetes (docs/domain-mapping.md): an app is the Deployments and StatefulSets of
 * one namespace that share the grouping label (`app.kubernetes.io/part-of` unless the admin set
 * another), else a Helm release or `app.kubernetes.io/instance`, else `app.kubernetes.io/name` or
 * `app`, else the workload alone; the process type is `app.kubernetes.io/component`, else what
 * the workload's name adds to the app's, else its container's name; the process `workspace` is
 * the workspace (counts toward memory, is not scaled).
 */

export const PART_OF_LABEL = 'app.kubernetes.io/part-of';
export const COMPONENT_LABEL = 'app.kubernetes.io/component';
export const INSTANCE_LABEL = 'app.kubernetes.io/instance';
export const NAME_LABEL = 'app.kubernetes.io/name';
/** What `kubectl create deployment` labels with. */
export const APP_LABEL = 'app';
/** Helm 3 annotates every object of a release with the release's name. */
export const HELM_RELEASE_ANNOTATION = 'meta.helm.sh/release-name';
export const WORKSPACE_COMPONENT = 'workspace';
/** Procfile order of a process, kept as an annotation on its Deployment (lower comes first). */
export const PROCFILE_INDEX_ANNOTATION = 'scaledesk.io/procfile-index';
/** The replicas a process had before it was stopped, so Start can bring them back. */
export const REPLICAS_BEFORE_STOP_ANNOTATION = 'scaledesk.io/replicas-before-stop';
export const RESTARTED_AT_ANNOTATION = 'kubectl.kubernetes.io/restartedAt';

export const GIB = 1024 ** 3;
export const DEFAULT_MEMORY_LIMIT_BYTES = 8 * GIB;
export const DEFAULT_MAX_REPLICAS = 10;

export const TerminationSchema = z.object({
  reason: z.string(),
  exitCode: z.number().int().nullable(),
  finishedAt: z.string().nullable(),
});

export const PodSchema = z.object({
  name: z.string(),
  node: z.string().nullable(),
  phase: z.string(),
  ready: z.boolean(),
  terminating: z.boolean(),
  restarts: z.number().int().nonnegative(),
  /** `CrashLoopBackOff`, `ContainerCreating`, ... where the container is waiting. */
  waitingReason: z.string().nullable(),
  lastTermination: TerminationSchema.nullable(),
  memoryBytes: z.number().nonnegative().nullable(),
  /** This replica's own memory limit, from its spec (what it really runs); null: none in its spec. */
  memoryLimitBytes: z.number().positive().nullable(),
  createdAt: z.string().nullable(),
});
export type Pod = z.infer<typeof PodSchema>;

export const MemoryLimitSourceSchema = z.enum(['container', 'limitrange', 'default']);
export type MemoryLimitSource = z.infer<typeof MemoryLimitSourceSchema>;

/**
 * A replica's memory limit as its pods run it (their own spec; a process without pods: what a new
 * one would get), where it comes from (the container's own limit, the namespace LimitRange
 * default, or the built-in 8 GiB), and what a new replica would get where that differs.
 */
export const MemoryLimitSchema = z.object({
  bytes: z.number().positive(),
  source: MemoryLimitSourceSchema,
  /** The memory request per replica (what the scheduler reserves on a node); null: none set. */
  requestBytes: z.number().nonnegative().nullable(),
  /**
   * What a new replica would get where it differs from what the running ones have: a rollout
   * under way to a new limit (`rollout`), or a namespace default changed since they started, which
   * applies once they are replaced by Restart or Start (`namespace-default`). null: they agree.
   */
  next: z
    .object({
      bytes: z.number().positive(),
      source: MemoryLimitSourceSchema,
      reason: z.enum(['rollout', 'namespace-default']),
    })
    .nullable(),
});
export type MemoryLimit = z.infer<typeof MemoryLimitSchema>;

export const WorkersSchema = z.object({
  /** The worker count gunicorn will run; null where gunicorn is run without a count (its default 1). */
  count: z.number().int().positive().nullable(),
  /**
   * How the count is spelled: `--workers N`, `--workers=N`, `-w N`, `-wN`, inside
   * `GUNICORN_CMD_ARGS`, or `WEB_CONCURRENCY`.
   */
  spelling: z
    .enum(['--workers', '--workers=', '-w', '-wN', 'GUNICORN_CMD_ARGS', 'WEB_CONCURRENCY'])
    .nullable(),
  preload: z.boolean(),
  /**
   * The gunicorn config file (`-c FILE`, `--config FILE`) the command names; null: none. Where
   * `count` is null and a config file is named, the config file decides the count (unknown here).
   */
  configFile: z.string().nullable(),
});
export type Workers = z.infer<typeof WorkersSchema>;

export const RolloutSchema = z.object({
  state: z.enum(['complete', 'progressing', 'failed']),
  /** 0..1: updated and ready replicas of desired. */
  progress: z.number().min(0).max(1),
  message: z.string().nullable(),
});
export type Rollout = z.infer<typeof RolloutSchema>;

/** The workloads ScaleDesk scales: what a process is on the cluster. */
export const WorkloadKindSchema = z.enum(['Deployment', 'StatefulSet']);
export type WorkloadKind = z.infer<typeof WorkloadKindSchema>;

export const ProcessSchema = z.object({
  /** The process type: `web`, `worker`, `workspace`, ... unique within its app. */
  name: z.string(),
  /** The kind of the workload the process is. */
  workloadKind: WorkloadKindSchema,
  /** The workload's name (a Deployment's or a StatefulSet's: see workloadKind). */
  deployment: z.string(),
  /** The Procfile line: the container's command and args joined as a shell would show them. */
  command: z.string(),
  /** The workload's resourceVersion the figures were read at: the guard for writes. */
  resourceVersion: z.string(),
  replicas: z.object({
    desired: z.number().int().nonnegative(),
    ready: z.number().int().nonnegative(),
    updated: z.number().int().nonnegative(),
    available: z.number().int().nonnegative(),
  }),
  /** Replicas to restore on Start, where the process was stopped. */
  replicasBeforeStop: z.number().int().positive().nullable(),
  pods: z.array(PodSchema),
  /** Null where the process is not gunicorn. */
  workers: WorkersSchema.nullable(),
  memoryLimit: MemoryLimitSchema,
  memoryUsedBytes: z.number().nonnegative().nullable(),
  /** Measured memory of one worker now (replica usage over worker count); null without metrics. */
  memoryPerWorkerBytes: z.number().nonnegative().nullable(),
  rollout: RolloutSchema,
  lastRestartAt: z.string().nullable(),
  /** The autoscaler that sets the replica count (shared/count-owner.ts); null: none. */
  autoscaler: AutoscalerSchema.nullable(),
  /** The GitOps controller that puts the workload back as git has it; null: none seen. */
  managedBy: ManagedBySchema.nullable(),
});
export type Process = z.infer<typeof ProcessSchema>;

export const AppStatusSchema = z.object({
  kind: z.enum(['running', 'deploying', 'degraded', 'oom-stopped', 'scaled-to-zero']),
  /** 0..1 while deploying. */
  progress: z.number().min(0).max(1).nullable(),
  message: z.string(),
});
export type AppStatus = z.infer<typeof AppStatusSchema>;

export const PermissionSchema = z.object({
  /**
   * The cluster's answer (SelfSubjectAccessReview). `unknown`: not asked yet, or the review
   * failed; never taken as allowed, but the control stays usable and the cluster judges the change.
   */
  state: z.enum(['allowed', 'denied', 'unknown']),
  /** Why denied (naming the verb, resource and namespace), or why unknown; null where allowed. */
  reason: z.string().nullable(),
});
export type Permission = z.infer<typeof PermissionSchema>;

export const PermissionsSchema = z.object({
  /** patch deployments/scale: replicas. */
  scale: PermissionSchema,
  /** patch deployments: workers, restart, start. */
  patch: PermissionSchema,
});
export type Permissions = z.infer<typeof PermissionsSchema>;

export const PodRoomSchema = z.object({
  /** Pods counted against the namespace quota now. */
  quotaUsed: z.number().int().nonnegative().nullable(),
  /** The namespace ResourceQuota on `pods`; null where there is none. */
  quotaHard: z.number().int().nonnegative().nullable(),
  /** Free pod slots over all schedulable nodes; null where nodes cannot be listed. */
  nodesFree: z.number().int().nullable(),
});
export type PodRoom = z.infer<typeof PodRoomSchema>;

export const EndpointHealthSchema = z.object({
  /**
   * `cannot-check`: the probe was refused before it reached the app (the API server's services
   * proxy answered 401 or 403), so nothing is known of the app; the message says why.
   */
  state: z.enum(['answering', 'not-answering', 'cannot-check']),
  latencyMs: z.number().nonnegative().nullable(),
  /** 0..1 over the last probe window. */
  errorRate: z.number().min(0).max(1).nullable(),
  checkedAt: z.string(),
  message: z.string().nullable(),
});
export type EndpointHealth = z.infer<typeof EndpointHealthSchema>;

/**
 * Which rule made the app (docs/domain-mapping.md, in this order): the grouping label (a setting,
 * `app.kubernetes.io/part-of` by default), the Helm release (`app.kubernetes.io/instance` of a
 * Helm-managed workload, or its `meta.helm.sh/release-name` annotation), `app.kubernetes.io/instance`
 * otherwise, `app.kubernetes.io/name`, `app`, else the workload on its own.
 */
export const GroupingRuleSchema = z.enum([
  'grouping-label',
  'helm-release',
  'instance',
  'name-label',
  'app-label',
  'workload',
]);
export type GroupingRule = z.infer<typeof GroupingRuleSchema>;

export const GroupingSchema = z.object({
  /** The first rule, in the order above, that any of the app's workloads was grouped by. */
  rule: GroupingRuleSchema,
  /** The label (or annotation) whose value is the app's name; null for a workload on its own. */
  key: z.string().nullable(),
});
export type Grouping = z.infer<typeof GroupingSchema>;

export const AppSchema = z.object({
  /** `namespace/name` */
  id: z.string(),
  namespace: z.string(),
  name: z.string(),
  /** How its workloads were found to be one app (shown with the app, so a surprise can be explained). */
  groupedBy: GroupingSchema,
  /** Scaled processes in Procfile order (the workspace is not among them). */
  processes: z.array(ProcessSchema),
  workspace: ProcessSchema.nullable(),
  memory: z.object({
    usedBytes: z.number().nonnegative().nullable(),
    /** Sum of the limits of all replicas of all processes and the workspace. */
    maxBytes: z.number().nonnegative(),
  }),
  status: AppStatusSchema,
  permissions: PermissionsSchema,
  podRoom: PodRoomSchema,
  endpoint: EndpointHealthSchema.nullable(),
  lastRestartAt: z.string().nullable(),
  lastChangeAt: z.string().nullable(),
});
export type App = z.infer<typeof AppSchema>;

export function appId(namespace: string, name: string): string {
  return `${namespace}/${name}`;
}
