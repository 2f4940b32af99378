import protobuf from 'protobufjs';
import { ApiError } from './api-errors';

/**
 * Request bodies in Kubernetes' protobuf encoding, which kubectl's typed clients send for
 * built-in kinds (`kubectl auth can-i`, `kubectl create namespace|deployment|service`,
 * `kubectl run`, `kubectl expose`, `kubectl create pdb`, the Eviction and DeleteOptions of
 * `kubectl drain`). The body is the `k8s\0` magic and a runtime.Unknown envelope
 * around the object's message. The sandbox decodes the kinds it serves into the JSON shape the
 * rest of the server handles, with the field numbers of k8s.io/api's generated.proto files.
 *
 * The schema below covers the fields those commands set, not all of Kubernetes. So that nothing
 * is ever dropped silently, every field the schema does not know must carry its zero value (Go
 * encodes empty strings and zero structs); one that carries data makes the request fail with 415,
 * naming where, and the client can send JSON instead (`kubectl apply -f`).
 */

const MAGIC = Buffer.from([0x6b, 0x38, 0x73, 0x00]);

type Fields = Record<string, { type: string; id: number; rule?: 'repeated'; keyType?: string }>;
// proto2, as k8s.io/api's files are: a field written at its zero value (replicas: 0) is still present.
const msg = (fields: Fields) => ({ edition: 'proto2', fields });
const s = (id: number) => ({ type: 'string', id });
const i32 = (id: number) => ({ type: 'int32', id });
const i64 = (id: number) => ({ type: 'int64', id });
const b = (id: number) => ({ type: 'bool', id });
const m = (type: string, id: number) => ({ type, id });
const list = (type: string, id: number) => ({ type, id, rule: 'repeated' as const });
const map = (type: string, id: number) => ({ keyType: 'string', type, id });

const root = protobuf.Root.fromJSON({
  nested: {
    k8s: {
      nested: {
        TypeMeta: msg({ apiVersion: s(1), kind: s(2) }),
        Unknown: msg({
          typeMeta: m('TypeMeta', 1),
          raw: { type: 'bytes', id: 2 },
          contentEncoding: s(3),
          contentType: s(4),
        }),
        Time: msg({ seconds: i64(1), nanos: i32(2) }),
        Quantity: msg({ string: s(1) }),
        IntOrString: msg({ type: i64(1), intVal: i32(2), strVal: s(3) }),
        ObjectMeta: msg({
          name: s(1),
          generateName: s(2),
          namespace: s(3),
          creationTimestamp: m('Time', 8),
          labels: map('string', 11),
          annotations: map('string', 12),
        }),
        LabelSelectorRequirement: msg({ key: s(1), operator: s(2), values: list('string', 3) }),
        LabelSelector: msg({
          matchLabels: map('string', 1),
          matchExpressions: list('LabelSelectorRequirement', 2),
        }),
        ResourceAttributes: msg({
          namespace: s(1),
          verb: s(2),
          group: s(3),
          version: s(4),
          resource: s(5),
          subresource: s(6),
          name: s(7),
        }),
        NonResourceAttributes: msg({ path: s(1), verb: s(2) }),
        SelfSubjectAccessReviewSpec: msg({
          resourceAttributes: m('ResourceAttributes', 1),
          nonResourceAttributes: m('NonResourceAttributes', 2),
        }),
        SelfSubjectAccessReview: msg({
          metadata: m('ObjectMeta', 1),
          spec: m('SelfSubjectAccessReviewSpec', 2),
          status: m('Ignored', 3),
        }),
        SelfSubjectRulesReviewSpec: msg({ namespace: s(1) }),
        SelfSubjectRulesReview: msg({
          metadata: m('ObjectMeta', 1),
          spec: m('SelfSubjectRulesReviewSpec', 2),
          status: m('Ignored', 3),
        }),
        SelfSubjectReview: msg({ metadata: m('ObjectMeta', 1), status: m('Ignored', 2) }),
        /** Status blocks and the like: read, never kept. */
        Ignored: msg({}),
        Namespace: msg({
          metadata: m('ObjectMeta', 1),
          spec: m('Ignored', 2),
          status: m('Ignored', 3),
        }),
        ContainerPort: msg({
          name: s(1),
          hostPort: i32(2),
          containerPort: i32(3),
          protocol: s(4),
          hostIP: s(5),
        }),
        EnvVar: msg({ name: s(1), value: s(2) }),
        ResourceRequirements: msg({ limits: map('Quantity', 1), requests: map('Quantity', 2) }),
        Container: msg({
          name: s(1),
          image: s(2),
          command: list('string', 3),
          args: list('string', 4),
          workingDir: s(5),
          ports: list('ContainerPort', 6),
          env: list('EnvVar', 7),
          resources: m('ResourceRequirements', 8),
          terminationMessagePath: s(13),
          imagePullPolicy: s(14),
          stdin: b(16),
          stdinOnce: b(17),
          tty: b(18),
          terminationMessagePolicy: s(20),
        }),
        PodSpec: msg({
          containers: list('Container', 2),
          restartPolicy: s(3),
          terminationGracePeriodSeconds: i64(4),
          dnsPolicy: s(6),
          nodeSelector: map('string', 7),
          serviceAccountName: s(8),
          serviceAccount: s(9),
          nodeName: s(10),
          hostNetwork: b(11),
          hostPID: b(12),
          hostIPC: b(13),
          hostname: s(16),
          subdomain: s(17),
          schedulerName: s(19),
          initContainers: list('Container', 20),
        }),
        PodTemplateSpec: msg({ metadata: m('ObjectMeta', 1), spec: m('PodSpec', 2) }),
        Pod: msg({ metadata: m('ObjectMeta', 1), spec: m('PodSpec', 2), status: m('Ignored', 3) }),
        RollingUpdateDeployment: msg({
          maxUnavailable: m('IntOrString', 1),
          maxSurge: m('IntOrString', 2),
        }),
        DeploymentStrategy: msg({ type: s(1), rollingUpdate: m('RollingUpdateDeployment', 2) }),
        DeploymentSpec: msg({
          replicas: i32(1),
          selector: m('LabelSelector', 2),
          template: m('PodTemplateSpec', 3),
          strategy: m('DeploymentStrategy', 4),
          minReadySeconds: i32(5),
          revisionHistoryLimit: i32(6),
          paused: b(7),
          progressDeadlineSeconds: i32(9),
        }),
        Deployment: msg({
          metadata: m('ObjectMeta', 1),
          spec: m('DeploymentSpec', 2),
          status: m('Ignored', 3),
        }),
        ServicePort: msg({
          name: s(1),
          protocol: s(2),
          port: i32(3),
          targetPort: m('IntOrString', 4),
          nodePort: i32(5),
        }),
        ServiceSpec: msg({
          ports: list('ServicePort', 1),
          selector: map('string', 2),
          clusterIP: s(3),
          type: s(4),
          sessionAffinity: s(7),
        }),
        Service: msg({
          metadata: m('ObjectMeta', 1),
          spec: m('ServiceSpec', 2),
          status: m('Ignored', 3),
        }),
        // meta/v1 DeleteOptions and policy/v1 Eviction: what `kubectl drain` and typed deletes send.
        Preconditions: msg({ uid: s(1), resourceVersion: s(2) }),
        DeleteOptions: msg({
          gracePeriodSeconds: i64(1),
          preconditions: m('Preconditions', 2),
          orphanDependents: b(3),
          propagationPolicy: s(4),
          dryRun: list('string', 5),
          ignoreStoreReadErrorWithClusterBreakingPotential: b(6),
        }),
        Eviction: msg({ metadata: m('ObjectMeta', 1), deleteOptions: m('DeleteOptions', 2) }),
        PodDisruptionBudgetSpec: msg({
          minAvailable: m('IntOrString', 1),
          selector: m('LabelSelector', 2),
          maxUnavailable: m('IntOrString', 3),
          unhealthyPodEvictionPolicy: s(4),
        }),
        PodDisruptionBudget: msg({
          metadata: m('ObjectMeta', 1),
          spec: m('PodDisruptionBudgetSpec', 2),
          status: m('Ignored', 3),
        }),
        CrossVersionObjectReference: msg({ kind: s(1), name: s(2), apiVersion: s(3) }),
        HorizontalPodAutoscalerSpecV1: msg({
          scaleTargetRef: m('CrossVersionObjectReference', 1),
          minReplicas: i32(2),
          maxReplicas: i32(3),
          targetCPUUtilizationPercentage: i32(4),
        }),
        HorizontalPodAutoscalerV1: msg({
          metadata: m('ObjectMeta', 1),
          spec: m('HorizontalPodAutoscalerSpecV1', 2),
          status: m('Ignored', 3),
        }),
      },
    },
  },
  // Map fields (keyType) are valid JSON descriptors but absent from protobufjs's IField type.
} as unknown as protobuf.INamespace);

const DECODABLE = new Set([
  'SelfSubjectAccessReview',
  'SelfSubjectRulesReview',
  'SelfSubjectReview',
  'Namespace',
  'Pod',
  'Deployment',
  'Service',
  'HorizontalPodAutoscalerV1',
  'DeleteOptions',
  'Eviction',
  'PodDisruptionBudget',
]);

/** Kinds whose message differs by version (`kubectl autoscale` sends autoscaling/v1). */
const VERSIONED_MESSAGES: Record<string, string> = {
  'autoscaling/v1 HorizontalPodAutoscaler': 'HorizontalPodAutoscalerV1',
};

/** Numbers that mean something at zero (pointers in Go); every other zero is an unset field. */
const MEANINGFUL_ZEROS = new Set([
  'replicas',
  'revisionHistoryLimit',
  'progressDeadlineSeconds',
  'terminationGracePeriodSeconds',
  'gracePeriodSeconds',
  'minReplicas',
  'maxReplicas',
  'targetCPUUtilizationPercentage',
]);

export function isProtobuf(contentType: string | undefined): boolean {
  return (contentType ?? '').split(';')[0]?.trim() === 'application/vnd.kubernetes.protobuf';
}

function unsupported(message: string): ApiError {
  return new ApiError(415, 'UnsupportedMediaType', message);
}

/** Whether bytes of an unknown length-delimited field hold nothing but zero values. */
function allZero(bytes: Uint8Array, depth = 0): boolean {
  if (bytes.length === 0) return true;
  if (depth > 20) return false;
  try {
    const reader = protobuf.Reader.create(bytes);
    while (reader.pos < reader.len) {
      const tag = reader.uint32();
      if (tag >>> 3 === 0) return false;
      switch (tag & 7) {
        case 0:
          if (reader.uint64().toString() !== '0') return false;
          break;
        case 1:
          if (reader.fixed64().toString() !== '0') return false;
          break;
        case 5:
          if (reader.fixed32() !== 0) return false;
          break;
        case 2:
          if (!allZero(reader.bytes(), depth + 1)) return false;
          break;
        default:
          return false;
      }
    }
    return true;
  } catch {
    return false;
  }
}

/** Refuses a message carrying data in a field the schema does not know. */
function checkKnown(type: protobuf.Type, bytes: Uint8Array, path: string): void {
  if (type.name === 'Ignored') return;
  const reader = protobuf.Reader.create(bytes);
  while (reader.pos < reader.len) {
    const tag = reader.uint32();
    const id = tag >>> 3;
    const wire = tag & 7;
    const field = type.fieldsById[id];
    if (!field) {
      const start = reader.pos;
      reader.skipType(wire);
      const raw = bytes.subarray(start, reader.pos);
      // Varints and fixed numbers are zero when every byte is; a length-delimited field when its content is.
      const zero =
        wire === 2 ? allZero(protobuf.Reader.create(raw).bytes()) : raw.every((x) => x === 0);
      if (!zero) {
        throw unsupported(
          `the sandbox does not read field ${id} of ${type.name} (at ${path || 'the top'}) in protobuf; send this object as application/json (kubectl apply -f)`,
        );
      }
      continue;
    }
    const resolved = field.resolvedType;
    if (wire === 2 && field instanceof protobuf.MapField) {
      const entry = protobuf.Reader.create(reader.bytes());
      let key = '';
      while (entry.pos < entry.len) {
        const t = entry.uint32();
        if (t >>> 3 === 1) key = entry.string();
        else if (t >>> 3 === 2 && resolved instanceof protobuf.Type)
          checkKnown(resolved, entry.bytes(), `${path}.${field.name}[${key}]`);
        else entry.skipType(t & 7);
      }
    } else if (wire === 2 && resolved instanceof protobuf.Type) {
      checkKnown(resolved, reader.bytes(), path ? `${path}.${field.name}` : field.name);
    } else {
      reader.skipType(wire);
    }
  }
}

/** From protobufjs's object form to the API's JSON: quantities, int-or-strings, no unset fields. */
function toApiJson(type: protobuf.Type, value: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [name, v] of Object.entries(value)) {
    const field = type.fields[name];
    if (!field) continue;
    const resolved = field.resolvedType;
    if (resolved instanceof protobuf.Type && resolved.name === 'Ignored') continue;
    if (name === 'creationTimestamp') continue;
    let converted: unknown = v;
    if (resolved instanceof protobuf.Type) {
      const convert = (x: unknown): unknown => {
        const o = x as Record<string, unknown>;
        if (resolved.name === 'Quantity') return o['string'];
        if (resolved.name === 'IntOrString')
          return Number(o['type'] ?? 0) === 1 ? o['strVal'] : (o['intVal'] ?? 0);
        return toApiJson(resolved, o);
      };
      if (field instanceof protobuf.MapField) {
        converted = Object.fromEntries(
          Object.entries(v as Record<string, unknown>).map(([k, x]) => [k, convert(x)]),
        );
      } else if (field.repeated) {
        converted = (v as unknown[]).map(convert);
      } else {
        converted = convert(v);
      }
    }
    if (converted === '' || converted === false) continue;
    if (converted === 0 && !MEANINGFUL_ZEROS.has(name)) continue;
    if (Array.isArray(converted) && converted.length === 0) continue;
    if (
      converted &&
      typeof converted === 'object' &&
      !Array.isArray(converted) &&
      Object.keys(converted).length === 0 &&
      name !== 'resources'
    ) {
      continue;
    }
    out[name] = converted;
  }
  return out;
}

/** The JSON form of a protobuf-encoded body; 415 where it cannot be read faithfully. */
export function decodeProtobufBody(body: Buffer): unknown {
  if (body.length < MAGIC.length || !body.subarray(0, MAGIC.length).equals(MAGIC)) {
    throw new ApiError(400, 'BadRequest', 'provided input is not a Kubernetes protobuf message');
  }
  const unknown = root.lookupType('k8s.Unknown').decode(body.subarray(MAGIC.length)) as unknown as {
    typeMeta?: { apiVersion?: string; kind?: string };
    raw?: Uint8Array;
  };
  const kind = unknown.typeMeta?.kind ?? '';
  const message = VERSIONED_MESSAGES[`${unknown.typeMeta?.apiVersion} ${kind}`] ?? kind;
  if (!DECODABLE.has(message)) {
    throw unsupported(
      `the sandbox does not read ${kind || 'this kind'} in protobuf; send it as application/json`,
    );
  }
  const type = root.lookupType(`k8s.${message}`);
  const raw = unknown.raw ?? new Uint8Array();
  checkKnown(type, raw, '');
  const object = type.toObject(type.decode(raw), { longs: Number, defaults: false }) as Record<
    string,
    unknown
  >;
  return { apiVersion: unknown.typeMeta?.apiVersion, kind, ...toApiJson(type, object) };
}
