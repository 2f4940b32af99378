import { describe, expect, it } from 'vitest';
import {
  slimDeployment,
  slimLimitRange,
  slimNode,
  slimObject,
  slimPod,
} from '../../../main/kube/object-slimming';

/** A pod as the API server's JSON has it, with what a real cluster adds. */
function podJson() {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      name: 'web-1',
      namespace: 'shop',
      labels: { app: 'shop' },
      annotations: { 'kubernetes.io/limit-ranger': 'set' },
      ownerReferences: [{ kind: 'ReplicaSet', name: 'web-5d8', uid: 'u', apiVersion: 'apps/v1' }],
      creationTimestamp: '2026-11-27T06:24:38Z',
      deletionTimestamp: '2026-11-30T06:00:00Z',
      resourceVersion: '12',
      managedFields: [{ manager: 'kubelet', operation: 'Update', time: '2026-11-27T06:24:38Z' }],
    },
    spec: {
      nodeName: 'node-1',
      volumes: [{ name: 'token', projected: { sources: [] } }],
      tolerations: [{ key: 'node.kubernetes.io/not-ready', operator: 'Exists' }],
      affinity: { nodeAffinity: {} },
      containers: [
        {
          name: 'web',
          image: 'shop:1',
          command: ['gunicorn', 'app:app', '--workers=2'],
          env: [{ name: 'WEB_CONCURRENCY', value: '2' }],
          ports: [{ containerPort: 8000 }],
          resources: { limits: { memory: '512Mi' }, requests: { memory: '256Mi' } },
          volumeMounts: [{ name: 'token', mountPath: '/var/run/secrets' }],
          livenessProbe: { httpGet: { path: '/healthz', port: 8000 } },
        },
      ],
      initContainers: [{ name: 'migrate', image: 'shop:1', volumeMounts: [] }],
    },
    status: {
      phase: 'Running',
      startTime: '2026-11-27T06:24:38Z',
      podIP: '10.0.0.5',
      conditions: [{ type: 'Ready', status: 'True', lastTransitionTime: '2026-11-27T06:24:40Z' }],
      containerStatuses: [
        {
          name: 'web',
          ready: true,
          restartCount: 1,
          containerID:
            'containerd://8ca2b439011dfbacf37f36aa4cad0b7f884c7a2a93b9c1963caf8691059151a6',
          state: { running: { startedAt: '2026-11-27T06:24:41Z' } },
          lastState: {
            terminated: {
              reason: 'OOMKilled',
              exitCode: 137,
              startedAt: '2026-11-27T06:00:00Z',
              finishedAt: '2026-11-27T06:24:39Z',
            },
          },
        },
      ],
    },
  };
}

describe('what a watch keeps of an object', () => {
  it('drops managedFields and makes the metadata dates Dates', () => {
    const pod = slimPod(podJson());
    expect(pod.metadata?.managedFields).toBeUndefined();
    expect(pod.metadata?.creationTimestamp).toEqual(new Date('2026-11-27T06:24:38Z'));
    expect(pod.metadata?.deletionTimestamp).toEqual(new Date('2026-11-30T06:00:00Z'));
  });

  it('keeps what the model reads of a pod', () => {
    const pod = slimPod(podJson());
    expect(pod.metadata?.labels).toEqual({ app: 'shop' });
    expect(pod.metadata?.ownerReferences?.[0]?.name).toBe('web-5d8');
    expect(pod.spec?.nodeName).toBe('node-1');
    const [web] = pod.spec?.containers ?? [];
    expect(web).toEqual({
      name: 'web',
      image: 'shop:1',
      command: ['gunicorn', 'app:app', '--workers=2'],
      env: [{ name: 'WEB_CONCURRENCY', value: '2' }],
      ports: [{ containerPort: 8000 }],
      resources: { limits: { memory: '512Mi' }, requests: { memory: '256Mi' } },
    });
    expect(pod.status?.phase).toBe('Running');
    expect(pod.status?.podIP).toBe('10.0.0.5');
    expect(pod.status?.containerStatuses?.[0]?.restartCount).toBe(1);
    expect(pod.status?.containerStatuses?.[0]?.lastState?.terminated?.reason).toBe('OOMKilled');
  });

  it("drops what only the scheduler and kubelet read of a pod, and its conditions' times", () => {
    const pod = slimPod(podJson());
    expect(pod.status?.conditions).toEqual([{ type: 'Ready', status: 'True' }]);
    expect(pod.status?.startTime).toBeUndefined();
    expect(pod.status?.containerStatuses?.[0]).not.toHaveProperty('containerID');
    expect(pod.spec?.volumes).toBeUndefined();
    expect(pod.spec?.tolerations).toBeUndefined();
    expect(pod.spec?.affinity).toBeUndefined();
    expect(pod.spec?.initContainers?.[0]).toEqual({ name: 'migrate', image: 'shop:1' });
  });

  it("makes a pod's status times Dates, as client-node's models type them", () => {
    const status = slimPod(podJson()).status;
    const [web] = status?.containerStatuses ?? [];
    expect(web?.state?.running?.startedAt).toEqual(new Date('2026-11-27T06:24:41Z'));
    expect(web?.lastState?.terminated?.finishedAt).toEqual(new Date('2026-11-27T06:24:39Z'));
  });

  it("keeps a Deployment's template whole and dates its conditions", () => {
    const deployment = slimDeployment({
      metadata: { name: 'web', namespace: 'shop', managedFields: [{ manager: 'kubectl' }] },
      spec: {
        replicas: 2,
        template: { spec: { containers: [{ name: 'web', volumeMounts: [{ name: 'x' }] }] } },
      },
      status: {
        conditions: [
          { type: 'Progressing', status: 'True', lastUpdateTime: '2026-11-30T06:24:38Z' },
        ],
      },
    });
    expect(deployment.metadata?.managedFields).toBeUndefined();
    expect(deployment.spec?.template.spec?.containers[0]?.volumeMounts).toEqual([{ name: 'x' }]);
    expect(deployment.status?.conditions?.[0]?.lastUpdateTime).toEqual(
      new Date('2026-11-30T06:24:38Z'),
    );
  });

  it("reads a LimitRange's default as client-node's _default", () => {
    const range = slimLimitRange({
      metadata: { name: 'limits', namespace: 'shop' },
      spec: { limits: [{ type: 'Container', default: { memory: '512Mi' } }] },
    });
    expect(range.spec?.limits[0]?._default).toEqual({ memory: '512Mi' });
    expect(range.spec?.limits[0]).not.toHaveProperty('default');
  });

  it("drops a node's image list and keeps its room", () => {
    const node = slimNode({
      metadata: { name: 'node-1' },
      status: {
        allocatable: { memory: '16Gi', pods: '110' },
        images: [{ names: ['python:3.12'], sizeBytes: 1_000_000 }],
      },
    });
    expect(node.status?.images).toBeUndefined();
    expect(node.status?.allocatable).toEqual({ memory: '16Gi', pods: '110' });
  });

  it('leaves Dates that client-node already made as they are', () => {
    const created = new Date('2026-11-27T06:24:38Z');
    const object = slimObject({ metadata: { name: 'x', creationTimestamp: created } });
    expect(object.metadata?.creationTimestamp).toBe(created);
  });
});
