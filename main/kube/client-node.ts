// The two client-node internals below are not exported from its package root (1.3); this module is
// the only one allowed to reach past the root (eslint.config.js), so an upgrade that moves them
// breaks here and in test/unit/kube/client-node.test.ts, not in every module that uses them.
import { ObjectSerializer as ClientNodeSerializer } from '@kubernetes/client-node/dist/serializer.js';
import { quantityToScalar as clientNodeQuantityToScalar } from '@kubernetes/client-node/dist/util.js';

/**
 * The value of a Kubernetes quantity (`1Gi`, `512Mi`, `250m`, `1e3`) by client-node's own parser,
 * so that we read quantities as client-node's typed APIs do. Whole values come back as bigint and
 * fractions as number: callers convert with `Number()`. Throws on what it cannot parse, including
 * a fraction with a binary suffix (`1.5Gi`), which the API server never returns as it stores `1536Mi`.
 */
export const quantityToScalar: (quantity: string) => number | bigint = clientNodeQuantityToScalar;

/** client-node's model-aware serializer, with `unknown` where client-node says `any`. */
export interface ModelSerializer {
  /**
   * JSON as the API server sends it, turned into the model named `type` (`V1Pod`, `V1Deployment`)
   * the way the typed APIs return it: nested objects as their model classes, date-times as Dates.
   * A watch hands out raw JSON, so this is what makes a watched object look like a listed one.
   */
  deserialize(data: unknown, type: string): unknown;
  /** The reverse: a model instance as the API server's JSON. */
  serialize(data: unknown, type: string): unknown;
}

export const ObjectSerializer: ModelSerializer = ClientNodeSerializer;
