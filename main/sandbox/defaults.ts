import type {
  Container,
  Deployment,
  KubeObject,
  LimitRange,
  Namespace,
  Pod,
  PodSpec,
  ReplicaSet,
  Service,
  StatefulSet,
} from './kube-types';
import {
  cpuUtilizationMetric,
  DEFAULT_CPU_UTILIZATION,
  type HorizontalPodAutoscaler,
} from './hpa-types';
import { limitRangeDefaults } from './limit-range';
import { effectiveRequests } from './pod-resources';

/**
 * The defaults the API server fills in on create, so objects read back as they would from a
 * real cluster (kubectl and client-node rely on several: strategy, progressDeadlineSeconds,
 * a Service's clusterIP and targetPort, a pod's phase).
 */

function containerDefaults(c: Container): Container {
  return {
    imagePullPolicy: 'IfNotPresent',
    terminationMessagePath: '/dev/termination-log',
    terminationMessagePolicy: 'File',
    ...c,
    ...(c.ports ? { ports: c.ports.map((p) => ({ ...p, protocol: p.protocol ?? 'TCP' })) } : {}),
    resources: c.resources ?? {},
  };
}

function requestsFromLimits(c: Container): Container {
  if (!c.resources?.limits) return c;
  return { ...c, resources: { ...c.resources, requests: effectiveRequests(c) } };
}

export function podSpecDefaults(spec: PodSpec): PodSpec {
  return {
    restartPolicy: 'Always',
    terminationGracePeriodSeconds: 30,
    dnsPolicy: 'ClusterFirst',
    schedulerName: 'default-scheduler',
    securityContext: {},
    ...spec,
    containers: (spec.containers ?? []).map(containerDefaults),
  };
}

/**
 * apps/v1 StatefulSet defaults (SetDefaults_StatefulSet, with the feature gates of 1.32): a
 * RollingUpdate strategy gets partition 0 when it names a rollingUpdate or no type at all; an
 * explicit `type: RollingUpdate` alone stays without one, as upstream.
 */
function statefulSetDefaults(s: StatefulSet): KubeObject {
  const spec: Partial<StatefulSet['spec']> = s.spec ?? {};
  let strategy = spec.updateStrategy ?? {};
  if (!strategy.type) strategy = { type: 'RollingUpdate', rollingUpdate: {}, ...strategy };
  if (strategy.type === 'RollingUpdate' && strategy.rollingUpdate) {
    strategy = {
      ...strategy,
      rollingUpdate: { partition: 0, ...strategy.rollingUpdate },
    };
  }
  const retention = spec.persistentVolumeClaimRetentionPolicy as
    { whenDeleted?: string; whenScaled?: string } | undefined;
  return {
    ...s,
    metadata: { ...s.metadata, generation: 1 },
    spec: {
      replicas: 1,
      podManagementPolicy: 'OrderedReady',
      revisionHistoryLimit: 10,
      ...spec,
      updateStrategy: strategy,
      persistentVolumeClaimRetentionPolicy: {
        whenDeleted: 'Retain',
        whenScaled: 'Retain',
        ...(retention ?? {}),
      },
      // A StatefulSet as sent may lack a spec or template; validation answers for that.
      template: spec.template
        ? {
            ...spec.template,
            metadata: spec.template.metadata ?? {},
            spec: podSpecDefaults(spec.template.spec ?? { containers: [] }),
          }
        : spec.template,
    },
    status: { replicas: 0, availableReplicas: 0 },
  };
}

let nextClusterIp = 10;

function clusterIp(): string {
  const n = nextClusterIp++;
  return `10.96.${Math.floor(n / 250) % 250}.${(n % 250) + 1}`;
}

export function applyCreateDefaults(kind: string | undefined, object: KubeObject): KubeObject {
  switch (kind) {
    case 'Deployment': {
      const d = object as Deployment;
      // A Deployment as sent may lack a spec; validation answers for that, after the defaults.
      const spec: Partial<Deployment['spec']> = d.spec ?? {};
      return {
        ...d,
        metadata: { ...d.metadata, generation: 1 },
        spec: {
          replicas: 1,
          revisionHistoryLimit: 10,
          progressDeadlineSeconds: 600,
          ...spec,
          strategy: spec.strategy ?? {
            type: 'RollingUpdate',
            rollingUpdate: { maxSurge: '25%', maxUnavailable: '25%' },
          },
          template: spec.template
            ? {
                ...spec.template,
                metadata: spec.template.metadata ?? {},
                spec: podSpecDefaults(spec.template.spec ?? { containers: [] }),
              }
            : spec.template,
        },
        status: {},
      };
    }
    case 'StatefulSet':
      return statefulSetDefaults(object as StatefulSet);
    case 'ReplicaSet': {
      const rs = object as ReplicaSet;
      return {
        ...rs,
        metadata: { ...rs.metadata, generation: 1 },
        spec: { replicas: 1, ...rs.spec },
        status: { replicas: 0 },
      };
    }
    case 'HorizontalPodAutoscaler': {
      // SetDefaults_HorizontalPodAutoscaler; the create strategy drops any status sent.
      const hpa = object as HorizontalPodAutoscaler;
      const spec: Partial<HorizontalPodAutoscaler['spec']> = hpa.spec ?? {};
      return {
        ...hpa,
        spec: {
          minReplicas: 1,
          ...spec,
          metrics: spec.metrics?.length
            ? spec.metrics
            : [cpuUtilizationMetric(DEFAULT_CPU_UTILIZATION)],
        },
        status: { desiredReplicas: 0 },
      };
    }
    case 'Pod': {
      const p = object as Pod;
      const spec = podSpecDefaults(p.spec ?? { containers: [] });
      return {
        ...p,
        spec: {
          ...spec,
          // SetDefaults_Pod (pods only, not templates): a limit without a request requests it.
          containers: spec.containers.map(requestsFromLimits),
          ...(Array.isArray(spec['initContainers'])
            ? { initContainers: (spec['initContainers'] as Container[]).map(requestsFromLimits) }
            : {}),
        },
        status: { phase: 'Pending', qosClass: 'Burstable' },
      };
    }
    case 'LimitRange':
      return limitRangeDefaults(object as LimitRange);
    case 'Namespace': {
      const ns = object as Namespace;
      const name = ns.metadata.name ?? '';
      return {
        ...ns,
        metadata: {
          ...ns.metadata,
          labels: { ...(ns.metadata.labels ?? {}), 'kubernetes.io/metadata.name': name },
        },
        spec: { finalizers: ['kubernetes'] },
        status: { phase: 'Active' },
      };
    }
    case 'Service': {
      const s = object as Service;
      const spec = s.spec ?? {};
      const ip = spec.clusterIP ?? clusterIp();
      return {
        ...s,
        spec: {
          type: 'ClusterIP',
          sessionAffinity: 'None',
          ...spec,
          clusterIP: ip,
          clusterIPs: [ip],
          ipFamilies: ['IPv4'],
          ipFamilyPolicy: 'SingleStack',
          internalTrafficPolicy: 'Cluster',
          ports: (spec.ports ?? []).map((p) => ({
            protocol: 'TCP',
            ...p,
            targetPort: p.targetPort ?? p.port,
          })),
        },
        status: { loadBalancer: {} },
      };
    }
    default:
      return object;
  }
}
