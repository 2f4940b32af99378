import { CoreV1Api, KubeConfig } from '@kubernetes/client-node';
import { describe, expect, it } from 'vitest';
import { GIB, type App } from '../../../shared/app-model';
import type { OperationInput, OperationName, OperationOutput } from '../../../shared/contract';
import type { Result } from '../../../shared/errors';
import { eventually } from '../../fixtures/sandbox';
import { useConnectedSandbox } from '../../fixtures/services';

/**
 * The namespace default memory limit changed through ScaleDesk against the sandbox's demo seed
 * (namespace `demo`, LimitRange default 8Gi; `churn-report` runs on it and is stopped by it): the
 * running pods keep the 8Gi they were admitted with, and ScaleDesk says so, until Start replaces
 * them and the new pods carry the new default.
 */

const c = useConnectedSandbox();

async function call<N extends OperationName>(
  name: N,
  input: OperationInput<N>,
): Promise<Result<OperationOutput<N>>> {
  const handler = c.harness.services.handlers[name] as (
    input: OperationInput<N>,
  ) => Promise<OperationOutput<N>>;
  try {
    return { ok: true, value: await handler(input) };
  } catch (error) {
    const e = error as { code?: string; message?: string };
    return {
      ok: false,
      error: { code: (e.code ?? 'INTERNAL') as never, message: String(e.message) },
    };
  }
}

async function value<N extends OperationName>(
  name: N,
  input: OperationInput<N>,
): Promise<OperationOutput<N>> {
  const result = await call(name, input);
  if (!result.ok) throw new Error(`${name}: ${result.error.code} ${result.error.message}`);
  return result.value;
}

async function churn(): Promise<App> {
  const apps = await value('apps.list', {});
  const app = apps.find((a) => a.namespace === 'demo' && a.name === 'churn-report');
  if (!app) throw new Error('churn-report is not listed');
  return app;
}

function core(): CoreV1Api {
  const config = new KubeConfig();
  config.loadFromFile(c.sandbox.kubeconfigPath);
  return config.makeApiClient(CoreV1Api);
}

async function webPodLimits(): Promise<string[]> {
  const pods = await core().listNamespacedPod({ namespace: 'demo' });
  return pods.items
    .filter(
      (p) => p.metadata?.name?.startsWith('churn-report-web') && !p.metadata.deletionTimestamp,
    )
    .map((p) => p.spec?.containers[0]?.resources?.limits?.['memory'] ?? 'none');
}

describe('the namespace default memory limit', () => {
  it('reads the LimitRange default and the apps running on it, with the permission to change it', async () => {
    const defaults = await value('namespace.memoryDefaults', { namespace: 'demo' });
    expect(defaults.defaultBytes).toBe(8 * GIB);
    expect(defaults.limitRange).not.toBeNull();
    expect(defaults.resourceVersion).not.toBeNull();
    expect(defaults.permission.state).toBe('allowed');
    const churnOnDefault = defaults.appsOnDefault.find((a) => a.app === 'churn-report');
    expect(churnOnDefault).toEqual({
      app: 'churn-report',
      processes: ['web', 'worker'],
      runningBytes: 8 * GIB,
    });
    // pricing-api sets its own 2Gi limit: not on the default.
    expect(defaults.appsOnDefault.map((a) => a.app)).not.toContain('pricing-api');
  });

  it('refuses a quantity that is not a memory above 0, and a default changed by someone else', async () => {
    const zero = await call('namespace.setMemoryDefault', { namespace: 'demo', limit: '0' });
    expect(zero.ok ? null : zero.error.code).toBe('INVALID');
    const stale = await call('namespace.setMemoryDefault', {
      namespace: 'demo',
      limit: '12Gi',
      expectedDefaultBytes: 4 * GIB,
    });
    expect(stale.ok ? null : stale.error.code).toBe('CONFLICT');
    expect((await value('namespace.memoryDefaults', { namespace: 'demo' })).defaultBytes).toBe(
      8 * GIB,
    );
  });

  it('changes the default; the running pods keep 8Gi, shown as such, until Start gives new pods 12Gi', async () => {
    const saved = await value('namespace.setMemoryDefault', {
      namespace: 'demo',
      limit: '12Gi',
      expectedDefaultBytes: 8 * GIB,
    });
    expect(saved.activity).toMatchObject({
      kind: 'memory-default',
      from: '8Gi',
      to: '12Gi',
      result: 'done',
      namespace: 'demo',
    });
    expect(saved.activity.command).toContain('kubectl patch limitrange');
    expect((await value('namespace.memoryDefaults', { namespace: 'demo' })).defaultBytes).toBe(
      12 * GIB,
    );

    // The model hears the LimitRange: new pods would get 12 GiB, the running ones still run 8.
    const waiting = await eventually('churn-report told of the new default', async () => {
      const app = await churn();
      return app.processes[0]?.memoryLimit.next ? app : undefined;
    });
    const web = waiting.processes[0]!;
    expect(web.memoryLimit).toMatchObject({
      bytes: 8 * GIB,
      source: 'limitrange',
      next: { bytes: 12 * GIB, source: 'limitrange', reason: 'namespace-default' },
    });
    expect(web.pods.every((p) => p.memoryLimitBytes === 8 * GIB)).toBe(true);
    expect(waiting.status.kind).toBe('oom-stopped');
    expect(waiting.status.message).toContain('limit 8 GiB per replica');
    // The maximum is what the replicas run: every one on the default runs 8 GiB.
    const replicas = [...waiting.processes, ...(waiting.workspace ? [waiting.workspace] : [])]
      .map((p) => p.replicas.desired)
      .reduce((a, b) => a + b, 0);
    expect(waiting.memory.maxBytes).toBe(replicas * 8 * GIB);
    expect(await webPodLimits()).toEqual(['8Gi', '8Gi']);

    await value('app.start', { namespace: 'demo', app: 'churn-report' });
    await eventually(
      'the new web pods carrying 12Gi',
      async () => {
        const limits = await webPodLimits();
        return limits.length === 2 && limits.every((l) => l === '12Gi');
      },
      30_000,
    );
    const started = await eventually('ScaleDesk showing 12 GiB', async () => {
      const app = await churn();
      const limit = app.processes[0]?.memoryLimit;
      const pods = app.processes[0]?.pods.filter((p) => !p.terminating) ?? [];
      const carried = pods.length > 0 && pods.every((p) => p.memoryLimitBytes === 12 * GIB);
      return limit?.bytes === 12 * GIB && limit.next === null && carried ? app : undefined;
    });
    expect(started.processes[0]?.memoryLimit.source).toBe('limitrange');
  }, 60_000);

  it('creates the LimitRange scaledesk-defaults in a namespace without one', async () => {
    await core().createNamespace({ body: { metadata: { name: 'bare' } } });
    const before = await value('namespace.memoryDefaults', { namespace: 'bare' });
    expect(before).toMatchObject({ limitRange: null, defaultBytes: null, appsOnDefault: [] });
    const saved = await value('namespace.setMemoryDefault', {
      namespace: 'bare',
      limit: '6Gi',
      request: '8Gi',
      expectedDefaultBytes: null,
    });
    expect(saved.activity).toMatchObject({ from: null, to: '6Gi', result: 'done' });
    expect(saved.warnings).toContain('The default request was lowered to the limit, 6Gi.');
    const range = await core().readNamespacedLimitRange({
      name: 'scaledesk-defaults',
      namespace: 'bare',
    });
    const item = range.spec?.limits.find((i) => i.type === 'Container');
    expect(item?._default?.['memory']).toBe('6Gi');
    expect(item?.defaultRequest?.['memory']).toBe('6Gi');
  });

  it('undoes the change: back to the default it replaced', async () => {
    const entries = await value('activity.list', {});
    const change = entries.find(
      (e) => e.kind === 'memory-default' && e.namespace === 'demo' && e.undoOf === null,
    );
    expect(change).toBeDefined();
    const undone = await value('activity.undo', { id: change!.id });
    expect(undone.activity).toMatchObject({ kind: 'memory-default', from: '12Gi', to: '8Gi' });
    expect((await value('namespace.memoryDefaults', { namespace: 'demo' })).defaultBytes).toBe(
      8 * GIB,
    );
  });
});
