import { describe, expect, it, vi } from 'vitest';
import type { Connection } from '../../../shared/contract';
import { ScaleDeskError } from '../../../shared/errors';
import { ConnectionState, NO_METRICS_YET } from '../../../main/session/connection-state';
import { Throttling } from '../../../main/session/throttling';
import { EventBus } from '../../../main/transport/event-bus';

function setup() {
  const inputs: {
    watchError: ScaleDeskError | null;
    synced: boolean;
    metricsError: ScaleDeskError | null;
  } = { watchError: null, synced: false, metricsError: null };
  const bus = new EventBus();
  const throttling = new Throttling(null);
  const sent: Connection[] = [];
  bus.on('connection', (connection) => sent.push(connection));
  const state = new ConnectionState(
    {
      context: 'prod',
      namespace: 'shop',
      source: 'kubeconfig',
      kubeconfigPaths: ['/home/admin/.kube/config'],
      server: 'https://k8s.example.com',
    },
    {
      watchError: () => inputs.watchError,
      synced: () => inputs.synced,
      metricsError: () => inputs.metricsError,
      metrics: () => NO_METRICS_YET,
      throttling,
    },
    bus,
  );
  return { inputs, state, sent, throttling };
}

describe('connection state', () => {
  it('sends the connection only when its state or error changed', () => {
    const { inputs, state, sent } = setup();
    state.emitIfChanged();
    state.emitIfChanged();
    expect(sent.map((c) => c.state)).toEqual(['connecting']);
    inputs.synced = true;
    state.emitIfChanged();
    state.emitIfChanged();
    expect(sent.map((c) => c.state)).toEqual(['connecting', 'live']);
    expect(sent[1]).toMatchObject({ context: 'prod', namespace: 'shop', error: null });
    expect(sent[1]?.syncedAt).not.toBeNull();
  });

  it('is stale while the cluster is unreachable, keeping when it was last live', () => {
    const { inputs, state, sent } = setup();
    inputs.synced = true;
    state.emitIfChanged();
    const liveAt = sent[0]?.syncedAt;
    inputs.metricsError = new ScaleDeskError('UNREACHABLE', 'connect ECONNREFUSED', {
      code: 'ECONNREFUSED',
    });
    state.emitIfChanged();
    expect(sent[1]).toMatchObject({
      state: 'stale',
      error: { code: 'UNREACHABLE', message: 'connect ECONNREFUSED' },
      syncedAt: liveAt,
    });
    inputs.metricsError = null;
    inputs.watchError = new ScaleDeskError('FORBIDDEN', 'pods is forbidden');
    state.emitIfChanged();
    expect(sent[2]).toMatchObject({ state: 'error', error: { code: 'FORBIDDEN' } });
  });

  it('is stale while the cluster throttles, in its own words, and live again after', () => {
    const { inputs, state, sent } = setup();
    inputs.synced = true;
    state.emitIfChanged();
    const throttled = new ScaleDeskError(
      'THROTTLED',
      'The cluster is throttling requests (429 Too Many Requests); retrying after 1 s.',
      { status: 429, retryAfterSeconds: 1 },
    );
    inputs.metricsError = throttled;
    state.emitIfChanged();
    expect(sent[1]).toMatchObject({
      state: 'stale',
      error: { code: 'THROTTLED', message: throttled.message },
    });
    inputs.metricsError = null;
    inputs.watchError = throttled;
    state.emitIfChanged();
    expect(state.current()).toMatchObject({ state: 'stale', error: { code: 'THROTTLED' } });
    inputs.watchError = null;
    state.emitIfChanged();
    expect(sent.at(-1)).toMatchObject({ state: 'live', error: null });
  });

  it('stays live where only metrics-server fails on its own (a 503 of its API)', () => {
    const { inputs, state } = setup();
    inputs.synced = true;
    inputs.metricsError = new ScaleDeskError('UNREACHABLE', 'could not serve (HTTP 503)', {
      status: 503,
    });
    expect(state.current()).toMatchObject({ state: 'live', error: null });
  });

  it('is disconnected once stopped, and sends nothing more', () => {
    const { inputs, state, sent } = setup();
    inputs.synced = true;
    state.stop();
    state.emitIfChanged();
    expect(sent).toEqual([]);
    expect(state.current().state).toBe('disconnected');
  });
});

describe('connection state while the cluster throttles', () => {
  it('sends throttledSince when throttling starts and again when it ends', () => {
    vi.useFakeTimers({ now: new Date('2026-11-30T06:00:00Z') });
    try {
      const { inputs, state, sent, throttling } = setup();
      inputs.synced = true;
      state.emitIfChanged();
      for (let i = 0; i < 3; i++) {
        throttling.heard('throttled');
        vi.advanceTimersByTime(1_000);
      }
      expect(sent.at(-1)).toMatchObject({
        state: 'live',
        throttledSince: '2026-11-30T06:00:00.000Z',
      });
      throttling.heard('passed');
      vi.advanceTimersByTime(30_000);
      expect(sent.at(-1)?.throttledSince).toBeNull();
      expect(sent.map((c) => c.throttledSince !== null)).toEqual([false, true, false]);
    } finally {
      vi.useRealTimers();
    }
  });
});
