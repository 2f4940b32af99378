import type { ControllerRevision, KubeObject, LabelSelector, PodTemplateSpec } from './kube-types';
import { podTemplateHash } from './deployment-controller';
import type { ObjectStore } from './object-store';
import { controllerOf, controllerReference } from './owner-references';
import type { Registry } from './registry';
import { TYPES } from './resource-types';
import { selectorMatches } from './selectors';

/**
 * ControllerRevisions as the StatefulSet controller keeps them (client-go's controller history):
 * one per distinct pod template, named `<owner>-<hash>` and labelled with the hash, numbered in
 * the order the templates were put in use. Its `data` is the strategic merge patch that restores
 * the template (`{"spec":{"template":{"$patch":"replace",...}}}`), which is what
 * `kubectl rollout undo` sends back to the owner. Going back to an earlier template renumbers
 * that template's revision instead of making a new one, as the real controller does.
 */

export const REVISION_HASH_LABEL = 'controller.kubernetes.io/hash';

interface TemplateOwner extends KubeObject {
  spec: { selector: LabelSelector; template: PodTemplateSpec };
}

/** The template a revision snapshots, as the owner's pods are made from it. */
export function revisionTemplate(revision: ControllerRevision): PodTemplateSpec | undefined {
  const data = revision.data as { spec?: { template?: Record<string, unknown> } } | undefined;
  const template = data?.spec?.template;
  if (!template || typeof template !== 'object') return undefined;
  const { $patch: _directive, ...rest } = template;
  return rest as unknown as PodTemplateSpec;
}

/** The revision name the owner's current template gets: `<owner>-<hash of the template>`. */
export function revisionName(owner: TemplateOwner): string {
  return `${owner.metadata.name}-${podTemplateHash(owner.spec.template)}`;
}

/**
 * The owner's revisions, oldest first, adopting orphans its selector matches (left behind by
 * `kubectl delete --cascade=orphan`) as the controller's ref manager does.
 */
export function claimRevisions(store: ObjectStore, owner: TemplateOwner): ControllerRevision[] {
  const uid = owner.metadata.uid;
  const out: ControllerRevision[] = [];
  for (const object of store.each(TYPES.controllerrevisions, owner.metadata.namespace)) {
    const revision = object as ControllerRevision;
    const ref = controllerOf(revision);
    if (ref?.uid === uid) {
      out.push(revision);
    } else if (!ref && selectorMatches(owner.spec.selector, revision.metadata.labels ?? {})) {
      out.push(
        store.update(TYPES.controllerrevisions, {
          ...revision,
          metadata: {
            ...revision.metadata,
            ownerReferences: [
              ...(revision.metadata.ownerReferences ?? []),
              controllerReference(owner.apiVersion ?? 'apps/v1', owner.kind ?? '', owner),
            ],
          },
        }) as ControllerRevision,
      );
    }
  }
  return out.sort((a, b) => a.revision - b.revision);
}

/**
 * The revision of the owner's current template: the existing one (renumbered to be the newest
 * if an older template came back) or a new one numbered after the newest.
 */
export function ensureRevision(
  store: ObjectStore,
  registry: Registry,
  owner: TemplateOwner,
  revisions: ControllerRevision[],
): ControllerRevision {
  const name = revisionName(owner);
  const newest = revisions.reduce((n, r) => Math.max(n, r.revision), 0);
  const existing = revisions.find((r) => r.metadata.name === name);
  if (existing) {
    if (existing.revision >= newest) return existing;
    return store.update(TYPES.controllerrevisions, {
      ...existing,
      revision: newest + 1,
    }) as ControllerRevision;
  }
  const hash = name.slice((owner.metadata.name ?? '').length + 1);
  const revision: ControllerRevision = {
    apiVersion: 'apps/v1',
    kind: 'ControllerRevision',
    metadata: {
      name,
      namespace: owner.metadata.namespace,
      labels: { ...(owner.spec.template.metadata?.labels ?? {}), [REVISION_HASH_LABEL]: hash },
      // The owner's annotations go along (kubectl's change-cause among them), as upstream.
      ...(owner.metadata.annotations ? { annotations: { ...owner.metadata.annotations } } : {}),
      ownerReferences: [
        controllerReference(owner.apiVersion ?? 'apps/v1', owner.kind ?? '', owner),
      ],
    },
    data: { spec: { template: { $patch: 'replace', ...owner.spec.template } } },
    revision: newest + 1,
  };
  return registry.create(
    TYPES.controllerrevisions,
    owner.metadata.namespace ?? '',
    revision,
  ) as ControllerRevision;
}

/** Revisions no pod uses beyond `limit` go, oldest first (the live ones always stay). */
export function truncateHistory(
  store: ObjectStore,
  revisions: ControllerRevision[],
  live: Set<string>,
  limit: number,
): void {
  const history = revisions
    .filter((r) => !live.has(r.metadata.name ?? ''))
    .sort((a, b) => a.revision - b.revision);
  for (const revision of history.slice(0, Math.max(0, history.length - limit))) {
    const namespace = revision.metadata.namespace ?? '';
    const name = revision.metadata.name ?? '';
    if (store.get(TYPES.controllerrevisions, namespace, name)) {
      store.remove(TYPES.controllerrevisions, namespace, name);
    }
  }
}
