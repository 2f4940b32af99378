import type { V1Deployment, V1Pod } from '@kubernetes/client-node';
import {
  COMPONENT_LABEL,
  PART_OF_LABEL,
  PROCFILE_INDEX_ANNOTATION,
} from '../../../shared/app-model';

/** Deployments and pods shaped as the API server sends them, for the pure model tests. */

export interface DeploymentFixture {
  namespace?: string;
  app: string;
  component: string;
  replicas?: number;
  command?: string[];
  args?: string[];
  env?: Record<string, string>;
  memoryLimit?: string;
  procfileIndex?: number;
  status?: V1Deployment['status'];
  generation?: number;
  annotations?: Record<string, string>;
}

export function deployment(f: DeploymentFixture): V1Deployment {
  const namespace = f.namespace ?? 'shop';
  const name = `${f.app}-${f.component}`;
  const replicas = f.replicas ?? 1;
  const labels = { [PART_OF_LABEL]: f.app, [COMPONENT_LABEL]: f.component };
  return {
    metadata: {
      name,
      namespace,
      labels,
      resourceVersion: '100',
      generation: f.generation ?? 1,
      annotations: {
        ...(f.procfileIndex === undefined
          ? {}
          : { [PROCFILE_INDEX_ANNOTATION]: String(f.procfileIndex) }),
        ...f.annotations,
      },
    },
    spec: {
      replicas,
      selector: { matchLabels: labels },
      template: {
        metadata: { labels },
        spec: {
          containers: [
            {
              name: f.component,
              image: 'python:3.12',
              command: f.command ?? ['gunicorn'],
              args: f.args ?? ['app:server', '--workers', '4'],
              env: Object.entries(f.env ?? {}).map(([envName, value]) => ({
                name: envName,
                value,
              })),
              ...(f.memoryLimit ? { resources: { limits: { memory: f.memoryLimit } } } : {}),
            },
          ],
        },
      },
    },
    status: f.status ?? {
      observedGeneration: f.generation ?? 1,
      replicas,
      readyReplicas: replicas,
      updatedReplicas: replicas,
      availableReplicas: replicas,
      conditions: [{ type: 'Progressing', status: 'True', reason: 'NewReplicaSetAvailable' }],
    },
  };
}

export interface PodFixture {
  deployment: V1Deployment;
  index: number;
  node?: string;
  ready?: boolean;
  phase?: string;
  restarts?: number;
  waiting?: string;
  lastTerminated?: { reason: string; exitCode: number };
  owned?: boolean;
  deleting?: boolean;
}

export function pod(f: PodFixture): V1Pod {
  const d = f.deployment;
  const hash = '5d8f7c9b4';
  const labels = { ...(d.spec?.template.metadata?.labels ?? {}), 'pod-template-hash': hash };
  const ready = f.ready ?? true;
  return {
    metadata: {
      name: `${d.metadata?.name}-${hash}-${f.index}`,
      namespace: d.metadata?.namespace,
      labels,
      resourceVersion: '200',
      creationTimestamp: new Date('2025-01-01T10:00:00Z'),
      ...(f.deleting ? { deletionTimestamp: new Date('2025-01-01T11:00:00Z') } : {}),
      ownerReferences:
        f.owned === false
          ? []
          : [
              {
                apiVersion: 'apps/v1',
                kind: 'ReplicaSet',
                name: `${d.metadata?.name}-${hash}`,
                uid: 'rs-uid',
                controller: true,
              },
            ],
    },
    spec: {
      nodeName: f.node ?? `node-${f.index % 3}`,
      containers: d.spec!.template.spec!.containers,
    },
    status: {
      phase: f.phase ?? 'Running',
      conditions: [{ type: 'Ready', status: ready ? 'True' : 'False' }],
      containerStatuses: [
        {
          name: 'main',
          image: 'python:3.12',
          imageID: '',
          ready,
          restartCount: f.restarts ?? 0,
          state: f.waiting ? { waiting: { reason: f.waiting } } : { running: {} },
          ...(f.lastTerminated
            ? {
                lastState: {
                  terminated: { ...f.lastTerminated, finishedAt: new Date('2025-01-01T10:30:00Z') },
                },
              }
            : {}),
        },
      ],
    },
  };
}
