import {
  AuthorizationV1Api,
  KubeConfig,
  type V1SelfSubjectAccessReview,
} from '@kubernetes/client-node';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { NamespacePermissions } from '../../../main/session/namespace-permissions';
import { makeApp } from '../../fixtures/app-model';

/** A cluster whose access reviews fail until `healthy`, then answer "denied". */
function flakyReviews() {
  const state = { healthy: false, asked: 0 };
  const api: Pick<AuthorizationV1Api, 'createSelfSubjectAccessReview'> = {
    createSelfSubjectAccessReview: async (): Promise<V1SelfSubjectAccessReview> => {
      state.asked++;
      if (!state.healthy) throw new Error('connect ETIMEDOUT');
      return { spec: {}, status: { allowed: false } };
    },
  };
  class OneApiKubeConfig extends KubeConfig {
    override makeApiClient<T>(): T {
      return api as T;
    }
  }
  return { state, kubeConfig: new OneApiKubeConfig() };
}

afterEach(() => {
  vi.useRealTimers();
});

describe('the permissions of the app on screen', () => {
  it('asks a failed review again by itself once it may, without the app being reopened', async () => {
    vi.useFakeTimers();
    const { state, kubeConfig } = flakyReviews();
    const told: string[] = [];
    const permissions = new NamespacePermissions(kubeConfig, 1_000, (ns) => told.push(ns));
    const app = makeApp();
    permissions.lookAt(app);
    await vi.advanceTimersByTimeAsync(0);
    expect(permissions.of(app.namespace, ['Deployment']).scale.state).toBe('unknown');
    const failedAsks = state.asked;
    expect(failedAsks).toBeGreaterThan(0);

    state.healthy = true;
    // Not at once: a failed review is not asked again in a hot loop.
    await vi.advanceTimersByTimeAsync(10_000);
    expect(state.asked).toBe(failedAsks);
    await vi.advanceTimersByTimeAsync(25_000);
    expect(permissions.of(app.namespace, ['Deployment']).scale.state).toBe('denied');
    expect(told.length).toBeGreaterThan(1);
    permissions.stop();
  });
});
