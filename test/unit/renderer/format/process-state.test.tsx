// @vitest-environment jsdom
import { afterEach, describe, expect, it } from 'vitest';
import { cleanup, fireEvent, screen, within } from '@testing-library/react';
import type { App, Process } from '../../../../shared/app-model';
import { FakeBridge } from '../../../fixtures/fake-bridge';
import { makeApp, makePod, makeProcess } from '../../../fixtures/app-model';
import { renderApp } from '../../../fixtures/render';

afterEach(cleanup);

/** churn-report of the sandbox: web's two replicas OOMKilled and in CrashLoopBackOff; the
 * Deployment, never finishing its rollout, is "progressing" at 0%. */
function crashLoopingWeb(): Process {
  const oom = {
    ready: false,
    phase: 'Running',
    restarts: 7,
    waitingReason: 'CrashLoopBackOff',
    lastTermination: { reason: 'OOMKilled', exitCode: 137, finishedAt: '2026-01-01T09:59:00Z' },
    memoryBytes: null,
  };
  return makeProcess({
    name: 'web',
    command: 'gunicorn app:server -w 6',
    replicas: { desired: 2, ready: 0, updated: 2, available: 0 },
    workers: { count: 6, spelling: '-w', preload: false, configFile: null },
    pods: [
      makePod({ name: 'shop-web-abc-0', ...oom }),
      makePod({ name: 'shop-web-abc-1', node: 'node-b', ...oom }),
    ],
    memoryUsedBytes: null,
    rollout: { state: 'progressing', progress: 0, message: '0 of 2 new replicas ready.' },
  });
}

function appWithWeb(web: Process, status: App['status']): App {
  const base = makeApp();
  return makeApp({ processes: [web, base.processes[1]!], status });
}

async function open(app: App, tab: 'Overview' | 'Scale') {
  renderApp(new FakeBridge([app]));
  fireEvent.click(await screen.findByRole('tab', { name: tab }));
}

describe('what a process is doing', () => {
  const oomStopped: App['status'] = {
    kind: 'oom-stopped',
    progress: null,
    message: 'Stopped by its memory limit: web was OOMKilled and keeps restarting.',
  };

  it('says a crash-looping process is in a crash loop with the reason, not "Rolling out 0%"', async () => {
    await open(appWithWeb(crashLoopingWeb(), oomStopped), 'Scale');
    const web = screen.getByRole('region', { name: 'web' });
    const state = within(web).getByText('Crash loop — OOMKilled');
    expect(state.className).toContain('process-card__state--danger');
    expect(within(web).queryByText(/Rolling out/)).toBeNull();
    expect(within(web).getByText(/2 of 2 replicas keep restarting \(14 restarts\)/)).toBeTruthy();
    // No usage measured: the header says the limit, not "— of".
    expect(web.querySelector('.process-card__memory')?.textContent).toBe(
      'Limit 2 × 8 GiB, built-in default',
    );
  });

  it('counts the looping replicas where only some of them crash', async () => {
    const web = crashLoopingWeb();
    const healthy = makePod({ name: 'shop-web-abc-2' });
    await open(
      appWithWeb(
        {
          ...web,
          replicas: { desired: 3, ready: 1, updated: 3, available: 1 },
          pods: [...web.pods, healthy],
        },
        { kind: 'degraded', progress: null, message: 'web: 2 replica(s) OOMKilled.' },
      ),
      'Scale',
    );
    const card = screen.getByRole('region', { name: 'web' });
    expect(within(card).getByText('Crash loop (2 of 3) — OOMKilled')).toBeTruthy();
  });

  it('shows "Rolling out N%" while a rollout is in progress and its pods are coming up', async () => {
    const rolling = makeProcess({
      name: 'web',
      replicas: { desired: 2, ready: 1, updated: 1, available: 1 },
      pods: [
        makePod({ name: 'shop-web-new-0' }),
        makePod({
          name: 'shop-web-new-1',
          ready: false,
          phase: 'Pending',
          waitingReason: 'ContainerCreating',
        }),
      ],
      rollout: { state: 'progressing', progress: 0.5, message: '1 of 2 new replicas started.' },
    });
    await open(
      appWithWeb(rolling, { kind: 'deploying', progress: 0.5, message: 'web: rolling out' }),
      'Scale',
    );
    const web = screen.getByRole('region', { name: 'web' });
    expect(within(web).getByText('Rolling out 50%').className).toContain(
      'process-card__state--accent',
    );
    // A settled process says nothing beside its readiness.
    const worker = screen.getByRole('region', { name: 'worker' });
    expect(within(worker).queryByText(/Rolling out|Crash loop/)).toBeNull();
  });

  it('says the same on the Overview, and the sidebar badge shows no rollout percent', async () => {
    await open(appWithWeb(crashLoopingWeb(), oomStopped), 'Overview');
    const processes = screen.getByRole('region', { name: 'Processes' });
    const webRow = within(processes).getByRole('row', { name: /^web/ });
    expect(within(webRow).getByText('Crash loop — OOMKilled')).toBeTruthy();
    expect(within(processes).getByRole('row', { name: /^worker/ }).textContent).toContain(
      'Running',
    );
    const option = screen.getByRole('option', { name: /shop/ });
    expect(option.textContent).toContain('OOM stopped');
    expect(option.textContent).not.toMatch(/%/);
  });
});
