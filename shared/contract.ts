import { z } from 'zod';
import { AppSchema, DEFAULT_MAX_REPLICAS, PART_OF_LABEL } from './app-model';
import {
  AppNameSchema,
  ContextNameSchema,
  LabelKeySchema,
  NamespaceNameSchema,
  ProcessNameSchema,
} from './kube-names';
import { NamespaceSummarySchema } from './namespace-summary';
import { MemoryLimitPlanSchema, MemoryQuantitySchema } from './memory-limit-plan';
import { ActivityEntrySchema } from './activity-entry';
import { ConnectionSchema, ContextSchema } from './connection';

export * from './connection';
export * from './activity-entry';
export { MemoryQuantitySchema } from './memory-limit-plan';
import { NamespaceMemoryDefaultsSchema } from './namespace-memory-defaults';
import { AppMemoryAdviceSchema } from './memory-advice';

/**
 * The contract between main and the renderer: every operation named once, with the schema of
 * its input and of its result, and every event stream with the schema of its payload. The same
 * contract is spoken over Electron IPC (desktop) and over HTTP + WebSocket (browser mode).
 *
 * Main validates every input against its schema before any work. Result schemas exist so that
 * types are derived from one place and so tests can check what crosses the wire.
 */

/*
 * The names an input carries, each by the rule of what it is on the cluster (kube-names.ts):
 * a namespace is a DNS-1123 label (it goes into URL paths, where `..` is another path); an app
 * is a label value or a workload's name; a process is a component label value or, unlabelled, a
 * name from its workload or container (a DNS-1123 subdomain); a context is a kubeconfig key, free
 * text but bounded. Checked
 * here, so dispatch refuses a name that cannot exist before anything is sent or saved.
 */

/** The app and the process an operation acts on. */
const ProcessRef = z
  .object({ namespace: NamespaceNameSchema, app: AppNameSchema, process: ProcessNameSchema })
  .strict();
const AppRef = z.object({ namespace: NamespaceNameSchema, app: AppNameSchema }).strict();

/**
 * Replicas are checked against the hard ceiling here; the admin's own maximum (a setting,
 * at most this) is checked by main where the setting is known.
 */
export const REPLICAS_CEILING = 100;
export const WORKERS_CEILING = 64;

export const ReplicasSchema = z
  .number({ error: 'Replicas must be a number, not text.' })
  .int({ error: 'Replicas must be a whole number.' })
  .min(0, { error: 'Replicas cannot be negative.' })
  .max(REPLICAS_CEILING, { error: `Replicas cannot be more than ${REPLICAS_CEILING}.` });

export const WorkersCountSchema = z
  .number({ error: 'Workers must be a number, not text.' })
  .int({ error: 'Workers must be a whole number.' })
  .min(1, { error: 'A gunicorn process needs at least 1 worker.' })
  .max(WORKERS_CEILING, { error: `Workers cannot be more than ${WORKERS_CEILING}.` });

export const ThemeSchema = z.enum(['system', 'light', 'dark']);

export const SettingsSchema = z.object({
  lastContext: ContextNameSchema.nullable().default(null),
  /** Reused at the next start: one that fails the rule is dropped (services.ts), never saved. */
  lastNamespace: NamespaceNameSchema.nullable().default(null),
  metricsIntervalSeconds: z.number().int().min(1).max(600).default(15),
  maxReplicas: z.number().int().min(1).max(REPLICAS_CEILING).default(DEFAULT_MAX_REPLICAS),
  theme: ThemeSchema.default('system'),
  /**
   * The label whose value names the app a workload belongs to, read before any other rule
   * (docs/domain-mapping.md): for shops that label their own way (`team.example.com/app`).
   */
  groupingLabel: LabelKeySchema.default(PART_OF_LABEL),
  latencyThresholdMs: z.number().positive().default(500),
  /** Added to the peak memory of the history kept for a recommended limit (0.15: 15 %). */
  recommendationHeadroom: z.number().min(0).max(1).default(0.15),
  /** How long a change's new pods must stay ready before it is "done" (an OOMKill meanwhile: failed). */
  settleSeconds: z.number().int().min(0).max(600).default(30),
  errorRateThreshold: z.number().min(0).max(1).default(0.01),
  /** An app's own URL, by app id, where the service proxy is not wanted. */
  appUrls: z
    .record(
      z.string(),
      // The probe fetches this URL from main: nothing but the web, never file: or data:.
      z.url({ protocol: /^https?$/, error: 'An app URL must be an http:// or https:// address.' }),
    )
    .default({}),
});
export type Settings = z.infer<typeof SettingsSchema>;

/** Each field of a shape whose fields all have defaults, optional and without its default. */
type ChangeShape<Shape extends Record<string, z.ZodDefault>> = {
  [K in keyof Shape]: z.ZodOptional<ReturnType<Shape[K]['unwrap']>>;
};

function withoutDefaults<Shape extends Record<string, z.ZodDefault>>(
  shape: Shape,
): ChangeShape<Shape> {
  const fields = Object.entries(shape).map(([key, field]) => [key, z.optional(field.unwrap())]);
  return Object.fromEntries(fields) as ChangeShape<Shape>;
}

/**
 * What one save of the settings may carry: any of them, each checked as in SettingsSchema, and
 * nothing for the keys it leaves out. Not `SettingsSchema.partial()`: zod 4 still applies the
 * defaults inside it, so a save of the theme alone came out carrying every other setting at its
 * default and put them all back.
 */
export const SettingsChangeSchema = z.object(withoutDefaults(SettingsSchema.shape)).strict();
export type SettingsChange = z.infer<typeof SettingsChangeSchema>;

export const HistoryWindowSchema = z.enum(['15m', '1h', 'all']);
export type HistoryWindow = z.infer<typeof HistoryWindowSchema>;

/** One sample of an app: memory per process (and workspace) and the endpoint's health. */
export const SampleSchema = z.object({
  at: z.number(), // epoch ms
  memoryByProcess: z.record(z.string(), z.number()),
  latencyMs: z.number().nullable(),
  errorRate: z.number().nullable(),
});
export type Sample = z.infer<typeof SampleSchema>;

export const OperationResultSchema = z.object({
  operationId: z.string(),
  activity: ActivityEntrySchema,
  warnings: z.array(z.string()),
});
export type OperationResult = z.infer<typeof OperationResultSchema>;

/*
 * A replica or worker change says what the admin saw, and main alone judges it (write-guard.ts):
 * main reads the Deployment, and where the value there is no longer the one the admin saw (nor
 * ScaleDesk's own last write over it) refuses with CONFLICT, whose details name the value now.
 */

export const ExpectedReplicasSchema = z
  .number()
  .int()
  .min(0)
  .describe(
    'The replica count on screen when the admin began the change. A different count on the cluster now is a CONFLICT. Omitted: nothing to compare.',
  );

export const ExpectedWorkersSchema = z
  .number()
  .int()
  .min(0)
  .nullable()
  .describe(
    "The worker count the admin saw when they began the change; null: not set (gunicorn's default). A different count on the cluster now is a CONFLICT. Omitted: nothing to compare.",
  );

export const ForceSchema = z
  .boolean()
  .describe(
    'Write even where the value on the cluster is no longer the one the admin saw (the CONFLICT notice\'s "Apply anyway").',
  );

export const operations = {
  'app.info': {
    input: z.object({}).strict(),
    result: z.object({
      name: z.string(),
      version: z.string(),
      mode: z.enum(['desktop', 'browser']),
      platform: z.string(),
    }),
  },
  'cluster.contexts': {
    input: z.object({}).strict(),
    result: z.object({
      contexts: z.array(ContextSchema),
      current: z.string().nullable(),
      source: z.enum(['kubeconfig', 'sandbox']),
      kubeconfigPaths: z.array(z.string()),
    }),
  },
  'cluster.connect': {
    input: z
      .object({ context: ContextNameSchema, namespace: NamespaceNameSchema.nullable() })
      .strict(),
    result: ConnectionSchema,
  },
  'cluster.connection': {
    input: z.object({}).strict(),
    result: ConnectionSchema,
  },
  'cluster.namespaces': {
    input: z.object({}).strict(),
    result: z.array(z.string()),
  },
  /** What the connected namespace (or all of them) holds that is in no app, and why. */
  'cluster.namespaceSummary': {
    input: z.object({}).strict(),
    result: NamespaceSummarySchema,
  },
  'apps.list': {
    input: z.object({}).strict(),
    result: z.array(AppSchema),
  },
  'apps.history': {
    input: AppRef.extend({
      window: HistoryWindowSchema,
      /** Downsample to at most this many points per series. */
      maxPoints: z.number().int().min(10).max(5000).default(300),
    }).strict(),
    result: z.array(SampleSchema),
  },
  'process.setReplicas': {
    input: ProcessRef.extend({
      replicas: ReplicasSchema,
      expectedReplicas: ExpectedReplicasSchema.optional(),
      force: ForceSchema.optional(),
    }).strict(),
    result: OperationResultSchema,
  },
  /**
   * Set the minimum and maximum of the HorizontalPodAutoscaler that owns the process's count
   * (shared/count-owner.ts), guarded like replicas by the range the admin saw.
   */
  'process.setAutoscaler': {
    input: ProcessRef.extend({
      minReplicas: ReplicasSchema,
      maxReplicas: ReplicasSchema,
      expected: z
        .object({ minReplicas: z.number().int().min(0), maxReplicas: z.number().int().min(0) })
        .strict()
        .optional()
        .describe(
          "The autoscaler's minimum and maximum on screen when the admin began the change. A different range on the cluster now is a CONFLICT. Omitted: nothing to compare.",
        ),
      force: ForceSchema.optional(),
    }).strict(),
    result: OperationResultSchema,
  },
  'process.setWorkers': {
    input: ProcessRef.extend({
      workers: WorkersCountSchema,
      expectedWorkers: ExpectedWorkersSchema.optional(),
      acknowledgeRisk: z
        .boolean()
        .optional()
        .describe(
          'The admin saw that ScaleDesk predicts the replicas will pass their memory limit.',
        ),
      force: ForceSchema.optional(),
    }).strict(),
    result: OperationResultSchema,
  },
  /**
   * What a new memory limit per replica would do, before anything is sent: its value read with
   * Kubernetes' rules, the request lowered with it where it would pass it, the app's new maximum,
   * whether a replica still fits on a node and under the namespace quota, the pods replaced.
   * Bad input is an INVALID error naming what is wrong.
   */
  'process.planMemoryLimit': {
    input: ProcessRef.extend({ limit: MemoryQuantitySchema }).strict(),
    result: MemoryLimitPlanSchema,
  },
  /** Set the memory limit per replica: a guarded patch of that container's resources. */
  'process.setMemoryLimit': {
    input: ProcessRef.extend({
      limit: MemoryQuantitySchema,
      expectedLimitBytes: z
        .number()
        .positive()
        .optional()
        .describe(
          'The limit per replica on screen when the admin began the change. A different limit on the cluster now is a CONFLICT. Omitted: nothing to compare.',
        ),
      acknowledgeRisk: z
        .boolean()
        .optional()
        .describe('The admin saw that ScaleDesk predicts the replicas will pass this limit.'),
      force: ForceSchema.optional(),
    }).strict(),
    result: OperationResultSchema,
  },
  /** The namespace's default memory limit (its LimitRange), and the apps that run on it. */
  'namespace.memoryDefaults': {
    input: z.object({ namespace: NamespaceNameSchema }).strict(),
    result: NamespaceMemoryDefaultsSchema,
  },
  /** Set the namespace LimitRange's default (and defaultRequest) memory; pods take it when replaced. */
  'namespace.setMemoryDefault': {
    input: z
      .object({
        namespace: NamespaceNameSchema,
        limit: MemoryQuantitySchema,
        request: MemoryQuantitySchema.optional(),
        expectedDefaultBytes: z
          .number()
          .positive()
          .nullable()
          .optional()
          .describe(
            'The default on screen when the admin began the change (null: none). A different default now is a CONFLICT.',
          ),
        force: ForceSchema.optional(),
      })
      .strict(),
    result: OperationResultSchema,
  },
  /** Recommended limits and worker counts from the memory history kept, per process. */
  'app.memoryAdvice': {
    input: AppRef,
    result: AppMemoryAdviceSchema,
  },
  'app.restart': {
    input: AppRef.extend({ process: ProcessNameSchema.optional() }).strict(),
    result: OperationResultSchema,
  },
  'app.start': {
    input: AppRef,
    result: OperationResultSchema,
  },
  'activity.list': {
    input: z.object({ limit: z.number().int().min(1).max(1000).default(200) }).strict(),
    result: z.array(ActivityEntrySchema),
  },
  'activity.undo': {
    // An id is a UUID (activity-log.ts); the bound only keeps a megabyte out of the lookup.
    input: z.object({ id: z.string().min(1).max(128) }).strict(),
    result: OperationResultSchema,
  },
  'settings.get': {
    input: z.object({}).strict(),
    result: SettingsSchema,
  },
  'settings.set': {
    input: SettingsChangeSchema,
    result: SettingsSchema,
  },
} as const;

export type OperationName = keyof typeof operations;
export type OperationInput<N extends OperationName> = z.input<(typeof operations)[N]['input']>;
export type ParsedInput<N extends OperationName> = z.output<(typeof operations)[N]['input']>;
export type OperationOutput<N extends OperationName> = z.output<(typeof operations)[N]['result']>;
export const operationNames = Object.keys(operations) as OperationName[];

export function isOperationName(value: unknown): value is OperationName {
  return typeof value === 'string' && Object.hasOwn(operations, value);
}

export const OperationProgressSchema = z.object({
  operationId: z.string(),
  appId: z.string(),
  process: z.string().nullable(),
  phase: z.enum(['sent', 'rolling', 'waiting-for-app', 'done', 'failed']),
  /** 0..1 */
  progress: z.number().min(0).max(1),
  message: z.string(),
});
export type OperationProgress = z.infer<typeof OperationProgressSchema>;

export const events = {
  /** The app model changed: changed apps in full, removed ids; `reset` replaces everything. */
  apps: z.object({
    reset: z.boolean(),
    upserted: z.array(AppSchema),
    removed: z.array(z.string()),
  }),
  connection: ConnectionSchema,
  /** A kubeconfig file changed (a fresh login, a new context): the contexts as listed anew. */
  contexts: operations['cluster.contexts'].result,
  operation: OperationProgressSchema,
  activity: ActivityEntrySchema,
  /** New samples, one per app, at each metrics interval. */
  samples: z.record(z.string(), SampleSchema),
  settings: SettingsSchema,
} as const;

export type EventName = keyof typeof events;
export type EventPayload<E extends EventName> = z.output<(typeof events)[E]>;
export const eventNames = Object.keys(events) as EventName[];

/** What the preload exposes on `window.scaledesk`, and what browser mode implements over HTTP. */
export interface ScaleDeskBridge {
  invoke<N extends OperationName>(
    operation: N,
    input: OperationInput<N>,
  ): Promise<import('./errors').Result<OperationOutput<N>>>;
  subscribe<E extends EventName>(
    event: E,
    listener: (payload: EventPayload<E>) => void,
  ): () => void;
}

/** The IPC channel names: one for invocations, one for events. */
export const INVOKE_CHANNEL = 'scaledesk:invoke';
export const EVENT_CHANNEL = 'scaledesk:event';
