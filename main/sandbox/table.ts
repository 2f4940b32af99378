import type {
  ControllerRevision,
  Deployment,
  KubeEvent,
  KubeObject,
  Node,
  Pod,
  ReplicaSet,
  ResourceQuota,
  Service,
  StatefulSet,
} from './kube-types';
import { autoscalerRow } from './hpa-printing';
import type { ResourceType } from './resource-types';
import { selectorString } from './selectors';

/**
 * Server-side printing: the `meta.k8s.io` Table kubectl asks for
 * (`Accept: application/json;as=Table;v=v1;g=meta.k8s.io`) so `kubectl get` shows the same
 * columns as against a real cluster (READY, STATUS, RESTARTS, AGE for pods; READY, UP-TO-DATE,
 * AVAILABLE for deployments, ...). Kinds without their own columns get Name and Created At.
 */

interface Column {
  name: string;
  type: string;
  format?: string;
  description?: string;
  priority?: number;
}

export type IncludeObject = 'None' | 'Metadata' | 'Object';

/** kube's duration.HumanDuration, which every AGE column uses. */
export function humanDuration(ms: number): string {
  const seconds = Math.floor(ms / 1000);
  if (seconds < -1) return '<invalid>';
  if (seconds < 0) return '0s';
  if (seconds < 120) return `${seconds}s`;
  const minutes = Math.floor(seconds / 60);
  if (minutes < 10) return seconds % 60 === 0 ? `${minutes}m` : `${minutes}m${seconds % 60}s`;
  if (minutes < 180) return `${minutes}m`;
  const hours = Math.floor(minutes / 60);
  if (hours < 8) return minutes % 60 === 0 ? `${hours}h` : `${hours}h${minutes % 60}m`;
  if (hours < 48) return `${hours}h`;
  if (hours < 24 * 8)
    return hours % 24 === 0
      ? `${Math.floor(hours / 24)}d`
      : `${Math.floor(hours / 24)}d${hours % 24}h`;
  if (hours < 24 * 365 * 2) return `${Math.floor(hours / 24)}d`;
  if (hours < 24 * 365 * 8) {
    const days = Math.floor(hours / 24) % 365;
    return days === 0
      ? `${Math.floor(hours / 24 / 365)}y`
      : `${Math.floor(hours / 24 / 365)}y${days}d`;
  }
  return `${Math.floor(hours / 24 / 365)}y`;
}

function age(timestamp: string | undefined, now: number): string {
  if (!timestamp) return '<unknown>';
  return humanDuration(now - Date.parse(timestamp));
}

const NAME: Column = {
  name: 'Name',
  type: 'string',
  format: 'name',
  description: 'Name must be unique within a namespace.',
  priority: 0,
};
const AGE: Column = {
  name: 'Age',
  type: 'string',
  description:
    'CreationTimestamp is a timestamp representing the server time when this object was created.',
  priority: 0,
};
const col = (name: string, type = 'string', priority = 0): Column => ({
  name,
  type,
  description: '',
  priority,
});

function podStatus(pod: Pod): { ready: string; status: string; restarts: string } {
  const statuses = pod.status?.containerStatuses ?? [];
  let reason = (pod.status?.['reason'] as string | undefined) ?? pod.status?.phase ?? 'Unknown';
  let restarts = 0;
  let readyCount = 0;
  let lastRestart = 0;
  let hasRunning = false;
  for (const c of [...statuses].reverse()) {
    restarts += c.restartCount;
    if (c.ready) readyCount++;
    const finished = c.lastState.terminated?.finishedAt;
    if (finished) lastRestart = Math.max(lastRestart, Date.parse(finished));
    if (c.state.waiting?.reason) reason = c.state.waiting.reason;
    else if (c.state.terminated?.reason) reason = c.state.terminated.reason;
    else if (c.state.terminated) reason = `ExitCode:${c.state.terminated.exitCode}`;
    else if (c.ready && c.state.running) hasRunning = true;
  }
  if (reason === 'Completed' && hasRunning) reason = 'Running';
  if (pod.metadata.deletionTimestamp) reason = 'Terminating';
  const total = pod.spec.containers.length;
  return {
    ready: `${readyCount}/${total}`,
    status: reason,
    restarts:
      lastRestart > 0 && restarts > 0
        ? `${restarts} (${humanDuration(Date.now() - lastRestart)} ago)`
        : String(restarts),
  };
}

/** The wide columns kubectl shows alike for every owner of a pod template (Deployment, ReplicaSet). */
const POD_TEMPLATE_COLUMNS: Column[] = [
  col('Containers', 'string', 1),
  col('Images', 'string', 1),
  col('Selector', 'string', 1),
];

function podTemplateCells(spec: {
  template: { spec: { containers: { name: string; image?: string }[] } };
  selector: Parameters<typeof selectorString>[0];
}): unknown[] {
  const containers = spec.template.spec.containers;
  return [
    containers.map((c) => c.name).join(','),
    containers.map((c) => c.image ?? '').join(','),
    selectorString(spec.selector),
  ];
}

interface Printer {
  columns: Column[];
  cells(object: KubeObject, now: number): unknown[];
}

const PRINTERS: Record<string, Printer> = {
  Pod: {
    columns: [
      NAME,
      col('Ready'),
      col('Status'),
      col('Restarts'),
      AGE,
      col('IP', 'string', 1),
      col('Node', 'string', 1),
      col('Nominated Node', 'string', 1),
      col('Readiness Gates', 'string', 1),
    ],
    cells(o, now) {
      const pod = o as Pod;
      const s = podStatus(pod);
      return [
        pod.metadata.name,
        s.ready,
        s.status,
        s.restarts,
        age(pod.metadata.creationTimestamp, now),
        pod.status?.podIP ?? '<none>',
        pod.spec.nodeName ?? '<none>',
        '<none>',
        '<none>',
      ];
    },
  },
  Deployment: {
    columns: [
      NAME,
      col('Ready'),
      col('Up-to-date', 'string'),
      col('Available', 'string'),
      AGE,
      ...POD_TEMPLATE_COLUMNS,
    ],
    cells(o, now) {
      const d = o as Deployment;
      return [
        d.metadata.name,
        `${d.status?.readyReplicas ?? 0}/${d.spec.replicas ?? 1}`,
        d.status?.updatedReplicas ?? 0,
        d.status?.availableReplicas ?? 0,
        age(d.metadata.creationTimestamp, now),
        ...podTemplateCells(d.spec),
      ];
    },
  },
  ReplicaSet: {
    columns: [
      NAME,
      col('Desired', 'integer'),
      col('Current', 'integer'),
      col('Ready', 'integer'),
      AGE,
      ...POD_TEMPLATE_COLUMNS,
    ],
    cells(o, now) {
      const rs = o as ReplicaSet;
      return [
        rs.metadata.name,
        rs.spec.replicas ?? 1,
        rs.status?.replicas ?? 0,
        rs.status?.readyReplicas ?? 0,
        age(rs.metadata.creationTimestamp, now),
        ...podTemplateCells(rs.spec),
      ];
    },
  },
  StatefulSet: {
    columns: [NAME, col('Ready'), AGE, col('Containers', 'string', 1), col('Images', 'string', 1)],
    cells(o, now) {
      const s = o as StatefulSet;
      const containers = s.spec.template.spec.containers;
      return [
        s.metadata.name,
        `${s.status?.readyReplicas ?? 0}/${s.spec.replicas ?? 1}`,
        age(s.metadata.creationTimestamp, now),
        containers.map((c) => c.name).join(','),
        containers.map((c) => c.image ?? '').join(','),
      ];
    },
  },
  ControllerRevision: {
    columns: [NAME, col('Controller'), col('Revision'), AGE],
    cells(o, now) {
      const r = o as ControllerRevision;
      const owner = r.metadata.ownerReferences?.find((ref) => ref.controller);
      // kubectl names the controller by its group kind: statefulset.apps/web.
      const group = owner?.apiVersion.includes('/') ? owner.apiVersion.split('/')[0] : '';
      const controller = owner
        ? `${owner.kind.toLowerCase()}${group ? `.${group}` : ''}/${owner.name}`
        : '<none>';
      return [r.metadata.name, controller, r.revision, age(r.metadata.creationTimestamp, now)];
    },
  },
  HorizontalPodAutoscaler: {
    columns: [
      NAME,
      col('Reference'),
      col('Targets'),
      col('MinPods'),
      col('MaxPods', 'integer'),
      col('Replicas', 'integer'),
      AGE,
    ],
    cells(o, now) {
      const r = autoscalerRow(o);
      const created = age(o.metadata.creationTimestamp, now);
      return [o.metadata.name, r.reference, r.targets, r.minPods, r.maxPods, r.replicas, created];
    },
  },
  Node: {
    columns: [
      NAME,
      col('Status'),
      col('Roles'),
      AGE,
      col('Version'),
      col('Internal-IP', 'string', 1),
      col('External-IP', 'string', 1),
      col('OS-Image', 'string', 1),
      col('Kernel-Version', 'string', 1),
      col('Container-Runtime', 'string', 1),
    ],
    cells(o, now) {
      const n = o as Node;
      const ready = n.status.conditions.find((c) => c.type === 'Ready')?.status === 'True';
      const unschedulable = (n.spec as { unschedulable?: boolean } | undefined)?.unschedulable;
      const roles = Object.keys(n.metadata.labels ?? {})
        .filter((k) => k.startsWith('node-role.kubernetes.io/'))
        .map((k) => k.slice('node-role.kubernetes.io/'.length));
      const ip = n.status.addresses.find((a) => a.type === 'InternalIP')?.address ?? '<none>';
      return [
        n.metadata.name,
        `${ready ? 'Ready' : 'NotReady'}${unschedulable ? ',SchedulingDisabled' : ''}`,
        roles.join(',') || '<none>',
        age(n.metadata.creationTimestamp, now),
        n.status.nodeInfo['kubeletVersion'] ?? '',
        ip,
        '<none>',
        n.status.nodeInfo['osImage'] ?? '',
        n.status.nodeInfo['kernelVersion'] ?? '',
        n.status.nodeInfo['containerRuntimeVersion'] ?? '',
      ];
    },
  },
  Namespace: {
    columns: [NAME, col('Status'), AGE],
    cells(o, now) {
      return [
        o.metadata.name,
        (o['status'] as { phase?: string } | undefined)?.phase ?? 'Active',
        age(o.metadata.creationTimestamp, now),
      ];
    },
  },
  Service: {
    columns: [
      NAME,
      col('Type'),
      col('Cluster-IP'),
      col('External-IP'),
      col('Port(s)'),
      AGE,
      col('Selector', 'string', 1),
    ],
    cells(o, now) {
      const s = o as Service;
      const ports = (s.spec.ports ?? []).map((p) => `${p.port}/${p.protocol ?? 'TCP'}`).join(',');
      const selector = Object.entries(s.spec.selector ?? {})
        .map(([k, v]) => `${k}=${v}`)
        .join(',');
      return [
        s.metadata.name,
        s.spec.type ?? 'ClusterIP',
        s.spec.clusterIP ?? '<none>',
        '<none>',
        ports || '<none>',
        age(s.metadata.creationTimestamp, now),
        selector || '<none>',
      ];
    },
  },
  Event: {
    columns: [
      col('Last Seen'),
      col('Type'),
      col('Reason'),
      col('Object'),
      col('Subobject', 'string', 1),
      col('Source', 'string', 1),
      col('Message'),
      col('First Seen', 'string', 1),
      col('Count', 'string', 1),
      { ...NAME, priority: 1 },
    ],
    cells(o, now) {
      const e = o as KubeEvent;
      const object = `${(e.involvedObject.kind ?? '').toLowerCase()}/${e.involvedObject.name}`;
      const source = e.source.host ? `${e.source.component}, ${e.source.host}` : e.source.component;
      return [
        age(e.lastTimestamp, now),
        e.type,
        e.reason,
        object,
        e.involvedObject.fieldPath ?? '',
        source,
        e.message,
        age(e.firstTimestamp, now),
        e.count,
        e.metadata.name,
      ];
    },
  },
  Endpoints: {
    columns: [NAME, col('Endpoints'), AGE],
    cells(o, now) {
      const subsets =
        (o['subsets'] as
          { addresses?: { ip: string }[]; ports?: { port: number }[] }[] | undefined) ?? [];
      const list: string[] = [];
      for (const s of subsets)
        for (const a of s.addresses ?? [])
          for (const p of s.ports ?? [{ port: 0 }]) list.push(`${a.ip}:${p.port}`);
      const shown =
        list.length > 3
          ? `${list.slice(0, 3).join(',')} + ${list.length - 3} more...`
          : list.join(',');
      return [o.metadata.name, shown || '<none>', age(o.metadata.creationTimestamp, now)];
    },
  },
  EndpointSlice: {
    columns: [NAME, col('AddressType'), col('Ports'), col('Endpoints'), AGE],
    cells(o, now) {
      const ports = ((o['ports'] as { port: number }[] | undefined) ?? [])
        .map((p) => p.port)
        .join(',');
      const ips = ((o['endpoints'] as { addresses: string[] }[] | undefined) ?? []).flatMap(
        (e) => e.addresses,
      );
      const shown =
        ips.length > 3 ? `${ips.slice(0, 3).join(',')} + ${ips.length - 3} more...` : ips.join(',');
      return [
        o.metadata.name,
        o['addressType'],
        ports || '<unset>',
        shown || '<unset>',
        age(o.metadata.creationTimestamp, now),
      ];
    },
  },
  ResourceQuota: {
    columns: [NAME, AGE, col('Request'), col('Limit')],
    cells(o, now) {
      const q = o as ResourceQuota;
      const request = Object.entries(q.spec.hard)
        .map(([k, v]) => `${k}: ${q.status?.used?.[k] ?? '0'}/${v}`)
        .join(', ');
      return [q.metadata.name, age(q.metadata.creationTimestamp, now), request, ''];
    },
  },
};

const DEFAULT_PRINTER: Printer = {
  columns: [
    NAME,
    {
      name: 'Created At',
      type: 'date',
      description:
        'CreationTimestamp is a timestamp representing the server time when this object was created.',
      priority: 0,
    },
  ],
  cells(o) {
    return [o.metadata.name, o.metadata.creationTimestamp];
  },
};

/** A row for any object: an object a printer cannot read (odd user input) gets blank cells. */
function cellsOf(printer: Printer, object: KubeObject, now: number): unknown[] {
  try {
    return printer.cells(object, now);
  } catch {
    return printer.columns.map((c, i) =>
      i === 0 ? object.metadata?.name : c.format === 'name' ? object.metadata?.name : '',
    );
  }
}

function rowObject(object: KubeObject, include: IncludeObject): object | undefined {
  if (include === 'None') return undefined;
  if (include === 'Object') return object;
  return { kind: 'PartialObjectMetadata', apiVersion: 'meta.k8s.io/v1', metadata: object.metadata };
}

export function toTable(
  type: ResourceType,
  objects: KubeObject[],
  options: {
    include: IncludeObject;
    apiVersion: string;
    resourceVersion?: string;
    continueToken?: string;
    withColumns?: boolean;
  },
): object {
  const printer = PRINTERS[type.kind] ?? DEFAULT_PRINTER;
  const now = Date.now();
  return {
    kind: 'Table',
    apiVersion: options.apiVersion,
    metadata: {
      ...(options.resourceVersion ? { resourceVersion: options.resourceVersion } : {}),
      ...(options.continueToken ? { continue: options.continueToken } : {}),
    },
    columnDefinitions: options.withColumns === false ? null : printer.columns,
    rows: objects.map((o) => {
      const object = rowObject(o, options.include);
      return { cells: cellsOf(printer, o, now), ...(object ? { object } : {}) };
    }),
  };
}
