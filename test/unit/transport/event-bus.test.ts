import { describe, expect, it, vi } from 'vitest';
import type { Connection, EventPayload } from '../../../shared/contract';
import { EventBus } from '../../../main/transport/event-bus';

const failed: Connection = {
  state: 'error',
  context: 'prod',
  namespace: null,
  source: 'kubeconfig',
  kubeconfigPaths: ['/home/a/.kube/config'],
  server: 'https://alice:hunter22@prod:6443',
  error: {
    code: 'UNAUTHORIZED',
    message: 'The credential plugin failed: token=SECRET-XYZ; \u202Eend',
  },
  syncedAt: null,
  metrics: { state: 'ok', lastSampleAt: null, message: null },
  throttledSince: null,
};

describe('event bus', () => {
  it('hands the transports (onAny) the payload redacted, its messages escaped', () => {
    const bus = new EventBus();
    const forwarded: unknown[] = [];
    bus.onAny((event, payload) => forwarded.push({ event, payload }));
    bus.emit('connection', failed);
    expect(forwarded).toEqual([
      {
        event: 'connection',
        payload: {
          ...failed,
          server: 'https://prod:6443',
          error: {
            code: 'UNAUTHORIZED',
            message: 'The credential plugin failed: token=[redacted]; \\u{202E}end',
          },
        },
      },
    ]);
  });

  it("gives main's own listeners (on) the payload as emitted", () => {
    const bus = new EventBus();
    const listener = vi.fn();
    bus.on('connection', listener);
    bus.emit('connection', failed);
    expect(listener).toHaveBeenCalledWith(failed);
  });

  it('redacts an event once, however many transports forward it', () => {
    const bus = new EventBus();
    const seen: EventPayload<'connection'>[] = [];
    bus.onAny((_event, payload) => seen.push(payload as EventPayload<'connection'>));
    bus.onAny((_event, payload) => seen.push(payload as EventPayload<'connection'>));
    bus.emit('connection', failed);
    expect(seen).toHaveLength(2);
    expect(seen[0]).toBe(seen[1]);
    expect(seen[0]).not.toBe(failed);
  });

  it('delivers in the order of subscription, transports and listeners alike', () => {
    const bus = new EventBus();
    const order: string[] = [];
    bus.on('settings', () => order.push('first'));
    const off = bus.onAny(() => order.push('any'));
    bus.on('settings', () => order.push('last'));
    const settings: EventPayload<'settings'> = {
      lastContext: null,
      lastNamespace: null,
      metricsIntervalSeconds: 15,
      maxReplicas: 10,
      theme: 'system',
      groupingLabel: 'app.kubernetes.io/part-of',
      latencyThresholdMs: 500,
      recommendationHeadroom: 0.15,
      settleSeconds: 30,
      errorRateThreshold: 0.01,
      appUrls: {},
    };
    bus.emit('settings', settings);
    off();
    bus.emit('settings', settings);
    expect(order).toEqual(['first', 'any', 'last', 'first', 'last']);
  });

  it('keeps delivering when one listener throws', () => {
    const bus = new EventBus();
    vi.spyOn(console, 'error').mockImplementation(() => undefined);
    const after = vi.fn();
    bus.onAny(() => {
      throw new Error('broken transport');
    });
    bus.onAny(after);
    bus.emit('connection', failed);
    expect(after).toHaveBeenCalledOnce();
  });
});
