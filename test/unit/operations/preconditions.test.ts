import { KubeConfig } from '@kubernetes/client-node';
import { describe, expect, it } from 'vitest';
import { requirePermission, requireProcess } from '../../../main/operations/preconditions';
import type { SessionPort } from '../../../main/operations/session-port';
import type { Permission } from '../../../shared/app-model';
import { ScaleDeskError } from '../../../shared/errors';
import { thrownScaleDeskError } from '../../fixtures/scaledesk-error';
import { makeApp, makeProcess } from '../../fixtures/app-model';

describe('requireProcess', () => {
  it('finds a scaled process and the workspace, which restart and undo act on too', () => {
    const app = makeApp();
    expect(requireProcess(app, 'worker').name).toBe('worker');
    expect(requireProcess(app, 'workspace')).toBe(app.workspace);
  });

  it('names every process there is, the workspace among them, where there is no such one', () => {
    const error = thrownScaleDeskError(() => requireProcess(makeApp(), 'beat'));
    expect(error.code).toBe('NOT_FOUND');
    expect(error.message).toBe(
      'shop has no process "beat" (its processes: web, worker, workspace).',
    );
  });

  it('names the scaled processes alone where the app has no workspace', () => {
    const error = thrownScaleDeskError(() => requireProcess(makeApp({ workspace: null }), 'beat'));
    expect(error.message).toBe('shop has no process "beat" (its processes: web, worker).');
  });

  it('says none where the app has neither', () => {
    const app = makeApp({ processes: [], workspace: null });
    expect(thrownScaleDeskError(() => requireProcess(app, 'web')).message).toContain(
      '(its processes: none)',
    );
  });
});

/** A session port that answers access reviews from a table, recording what it was asked. */
function sessionAnswering(answers: Record<string, Permission>) {
  const asked: string[] = [];
  const session: SessionPort = {
    kubeConfig: new KubeConfig(),
    contextName: 'test',
    getApp: () => undefined,
    getWorkload: () => undefined,
    onAppChange: () => () => {},
    probeEndpoint: async () => {},
    permissions: {
      require: async (namespace, kind, change) => {
        const key = `${namespace} ${kind} ${change}`;
        asked.push(key);
        return answers[key] ?? { state: 'unknown', reason: 'the review failed' };
      },
    },
  };
  return { session, asked };
}

async function rejection(promise: Promise<unknown>): Promise<ScaleDeskError> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof ScaleDeskError) return error;
    throw error;
  }
  throw new Error('expected a ScaleDeskError');
}

describe('requirePermission', () => {
  const app = makeApp();
  const web = app.processes[0]!;
  const db = makeProcess({ name: 'db', workloadKind: 'StatefulSet', deployment: 'shop-db' });

  it('asks the session now for each workload kind changed, and lets an allowed change go', async () => {
    const { session, asked } = sessionAnswering({
      'team-a Deployment scale': { state: 'allowed', reason: null },
      'team-a StatefulSet scale': { state: 'allowed', reason: null },
    });
    const permission = await requirePermission(session, app, [web, db], 'scale', 'scale');
    expect(permission.state).toBe('allowed');
    expect(asked).toEqual(['team-a Deployment scale', 'team-a StatefulSet scale']);
  });

  it('refuses a StatefulSet change the cluster denies, naming statefulsets, before sending', async () => {
    const reason = 'You may not patch statefulsets/scale in namespace "team-a".';
    const { session } = sessionAnswering({
      'team-a StatefulSet scale': { state: 'denied', reason },
    });
    const error = await rejection(requirePermission(session, app, [db], 'scale', 'scale db'));
    expect(error.code).toBe('FORBIDDEN');
    expect(error.message).toBe(reason);
    expect(error.details).toMatchObject({ resource: 'statefulsets/scale', namespace: 'team-a' });
  });

  it('lets a change go where the review has no answer: the cluster judges it', async () => {
    const { session } = sessionAnswering({});
    const permission = await requirePermission(session, app, [web], 'patch', 'restart');
    expect(permission).toEqual({ state: 'unknown', reason: 'the review failed' });
  });

  it("falls back on the app's permissions where the session cannot ask", async () => {
    const { session } = sessionAnswering({});
    const denied = makeApp({
      permissions: {
        scale: { state: 'denied', reason: 'No scaling here.' },
        patch: { state: 'allowed', reason: null },
      },
    });
    const error = await rejection(
      requirePermission({ ...session, permissions: undefined }, denied, [web], 'scale', 'scale'),
    );
    expect(error.message).toBe('No scaling here.');
  });
});
