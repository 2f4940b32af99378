import { useCallback } from 'react';
import { useDraft } from './drafts';
import { useDrafts } from './StoreContext';

/**
 * The draft of a count main writes with a guard (replicas, workers): beside what the admin typed,
 * the count they saw when they began to change it, which is what main is told they saw. It is
 * taken at the first change, not when the editor opened: until then the editor shows the live
 * count. Both are kept in the drafts, so a redraw or a tab switch loses neither, and both end
 * together (saved, cancelled, or set back to the live count): the next change starts afresh,
 * seeing whatever ScaleDesk's own last write left.
 */
export interface GuardedDraft {
  /** What the admin typed; undefined: nothing (the live count is shown). */
  draft: string | undefined;
  setDraft: (value: string | undefined) => void;
  /** The count the admin saw when the change began; the live count while there is none. */
  seen: number | null;
}

/** The seen count as a draft string: '' for null (not set). */
function seenText(value: number | null): string {
  return value === null ? '' : String(value);
}

export function useGuardedDraft(key: string, live: number | null): GuardedDraft {
  const drafts = useDrafts();
  const seenKey = `${key}#seen`;
  const [draft, setDraftValue] = useDraft(key);
  const [seenDraft] = useDraft(seenKey);
  const setDraft = useCallback(
    (value: string | undefined) => {
      if (value === undefined) drafts.set(seenKey, undefined);
      else if (drafts.get(seenKey) === undefined) drafts.set(seenKey, seenText(live));
      setDraftValue(value);
    },
    [drafts, seenKey, live, setDraftValue],
  );
  const seen = seenDraft === undefined ? live : seenDraft === '' ? null : Number(seenDraft);
  return { draft, setDraft, seen };
}
