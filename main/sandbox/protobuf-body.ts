import protobuf from 'protobufjs';
import { ApiError } from './api-errors';

/**
 * Request bodies in Kubernetes' protobuf encoding, which kubectl's typed clients send for some
 * built-in kinds (`kubectl auth can-i` posts its SelfSubjectAccessReview that way). The body is
 * the `k8s\0` magic and a runtime.Unknown envelope around the object's message; the sandbox
 * decodes the kinds it needs (the self reviews, and Namespace for `kubectl create namespace`) into
 * the JSON shape the rest of the server handles; other kinds get 415 and must come as JSON
 * (`kubectl create -f`, `kubectl apply -f` send JSON). Field numbers are those of k8s.io/api's
 * generated.proto files.
 */

const MAGIC = Buffer.from([0x6b, 0x38, 0x73, 0x00]);

const root = protobuf.Root.fromJSON({
  nested: {
    k8s: {
      nested: {
        TypeMeta: {
          fields: { apiVersion: { type: 'string', id: 1 }, kind: { type: 'string', id: 2 } },
        },
        Unknown: {
          fields: {
            typeMeta: { type: 'TypeMeta', id: 1 },
            raw: { type: 'bytes', id: 2 },
            contentEncoding: { type: 'string', id: 3 },
            contentType: { type: 'string', id: 4 },
          },
        },
        ObjectMeta: {
          fields: {
            name: { type: 'string', id: 1 },
            generateName: { type: 'string', id: 2 },
            namespace: { type: 'string', id: 3 },
            labels: { keyType: 'string', type: 'string', id: 11 },
            annotations: { keyType: 'string', type: 'string', id: 12 },
          },
        },
        Namespace: { fields: { metadata: { type: 'ObjectMeta', id: 1 } } },
        ResourceAttributes: {
          fields: {
            namespace: { type: 'string', id: 1 },
            verb: { type: 'string', id: 2 },
            group: { type: 'string', id: 3 },
            version: { type: 'string', id: 4 },
            resource: { type: 'string', id: 5 },
            subresource: { type: 'string', id: 6 },
            name: { type: 'string', id: 7 },
          },
        },
        NonResourceAttributes: {
          fields: { path: { type: 'string', id: 1 }, verb: { type: 'string', id: 2 } },
        },
        SelfSubjectAccessReviewSpec: {
          fields: {
            resourceAttributes: { type: 'ResourceAttributes', id: 1 },
            nonResourceAttributes: { type: 'NonResourceAttributes', id: 2 },
          },
        },
        SelfSubjectAccessReview: {
          fields: {
            metadata: { type: 'ObjectMeta', id: 1 },
            spec: { type: 'SelfSubjectAccessReviewSpec', id: 2 },
          },
        },
        SelfSubjectRulesReviewSpec: { fields: { namespace: { type: 'string', id: 1 } } },
        SelfSubjectRulesReview: {
          fields: {
            metadata: { type: 'ObjectMeta', id: 1 },
            spec: { type: 'SelfSubjectRulesReviewSpec', id: 2 },
          },
        },
        SelfSubjectReview: { fields: { metadata: { type: 'ObjectMeta', id: 1 } } },
      },
    },
  },
  // Map fields (keyType) are valid JSON descriptors but absent from protobufjs's IField type.
} as unknown as protobuf.INamespace);

/** The kinds kubectl sends as protobuf that the sandbox decodes; workload kinds are not among them. */
const DECODABLE = new Set([
  'SelfSubjectAccessReview',
  'SelfSubjectRulesReview',
  'SelfSubjectReview',
  'Namespace',
]);

export function isProtobuf(contentType: string | undefined): boolean {
  return (contentType ?? '').split(';')[0]?.trim() === 'application/vnd.kubernetes.protobuf';
}

/** The JSON form of a protobuf-encoded body; 415 for kinds the sandbox cannot decode. */
export function decodeProtobufBody(body: Buffer): unknown {
  if (body.length < MAGIC.length || !body.subarray(0, MAGIC.length).equals(MAGIC)) {
    throw new ApiError(400, 'BadRequest', 'provided input is not a Kubernetes protobuf message');
  }
  const unknown = root.lookupType('k8s.Unknown').decode(body.subarray(MAGIC.length)) as unknown as {
    typeMeta?: { apiVersion?: string; kind?: string };
    raw?: Uint8Array;
  };
  const kind = unknown.typeMeta?.kind ?? '';
  if (!DECODABLE.has(kind)) {
    throw new ApiError(
      415,
      'UnsupportedMediaType',
      `the sandbox accepts ${kind || 'this kind'} as application/json only`,
    );
  }
  const message = root.lookupType(`k8s.${kind}`).decode(unknown.raw ?? new Uint8Array());
  const object = root.lookupType(`k8s.${kind}`).toObject(message, { defaults: false }) as Record<
    string,
    unknown
  >;
  return { apiVersion: unknown.typeMeta?.apiVersion, kind, ...object };
}
