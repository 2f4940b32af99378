import { KubeConfig } from '@kubernetes/client-node';
import { describe, expect, it } from 'vitest';
import { SettingsSchema } from '../../../shared/contract';
import { ClusterSession } from '../../../main/session/cluster-session';
import { EventBus } from '../../../main/transport/event-bus';

describe('the session of a context', () => {
  it('shows its server without the user and password of the URL', async () => {
    const kubeConfig = new KubeConfig();
    kubeConfig.loadFromOptions({
      clusters: [{ name: 'prod', server: 'https://alice:s3cret-pw@k8s.example.com:6443' }],
      users: [{ name: 'alice', token: 'not-used' }],
      contexts: [{ name: 'prod', cluster: 'prod', user: 'alice' }],
      currentContext: 'prod',
    });
    // Never started: nothing is asked of the (made up) cluster.
    const session = new ClusterSession({
      kubeConfig,
      contextName: 'prod',
      namespace: 'shop',
      source: 'kubeconfig',
      kubeconfigPaths: [],
      bus: new EventBus(),
      settings: () => SettingsSchema.parse({}),
    });
    try {
      const { server } = session.connection();
      expect(server).toBe('https://k8s.example.com:6443');
      expect(JSON.stringify(session.connection())).not.toContain('s3cret-pw');
    } finally {
      await session.stop();
    }
  });
});
