import { useEffect, useMemo, useState } from 'react';
import type { HistoryWindow, Sample } from '../../../shared/contract';
import type { ContractError } from '../../../shared/errors';
import { useBridge, useStore } from './StoreContext';

/** What a chart can show: main downsamples each series to this before it crosses the wire. */
const CHART_POINTS = 300;

const WINDOW_MS: Record<HistoryWindow, number | null> = {
  '15m': 15 * 60_000,
  '1h': 60 * 60_000,
  all: null,
};

/** Past this many live samples on top of the fetched history, fetch again (downsampled). */
const REFETCH_AFTER_LIVE = 40;

export interface History {
  samples: readonly Sample[];
  loading: boolean;
  error: ContractError | null;
}

/**
 * An app's samples over a window: the history main keeps (downsampled by main to CHART_POINTS),
 * then the samples that arrived live since, so the chart moves without asking again.
 */
export function useHistory(namespace: string, app: string, window: HistoryWindow): History {
  const bridge = useBridge();
  const id = `${namespace}/${app}`;
  const live = useStore((state) => state.liveSamples.get(id));
  const [fetched, setFetched] = useState<{
    key: string;
    samples: readonly Sample[];
    error: ContractError | null;
  } | null>(null);
  const [generation, setGeneration] = useState(0);
  const key = `${id}|${window}|${generation}`;

  useEffect(() => {
    let current = true;
    void bridge
      .invoke('apps.history', { namespace, app, window, maxPoints: CHART_POINTS })
      .then((result) => {
        if (!current) return;
        setFetched(
          result.ok
            ? { key, samples: result.value, error: null }
            : { key, samples: [], error: result.error },
        );
      });
    return () => {
      current = false;
    };
  }, [bridge, namespace, app, window, key]);

  const valid = fetched !== null && fetched.key.startsWith(`${id}|${window}|`) ? fetched : null;
  const liveTail = useMemo(() => {
    const history = valid?.samples ?? [];
    const last = history.length > 0 ? history[history.length - 1]!.at : -Infinity;
    return (live ?? []).filter((sample) => sample.at > last);
  }, [valid, live]);

  useEffect(() => {
    if (liveTail.length > REFETCH_AFTER_LIVE) setGeneration((value) => value + 1);
  }, [liveTail.length]);

  const samples = useMemo(() => {
    const all = [...(valid?.samples ?? []), ...liveTail];
    const span = WINDOW_MS[window];
    if (span === null || all.length === 0) return all;
    const from = all[all.length - 1]!.at - span;
    return all.filter((sample) => sample.at >= from);
  }, [valid, liveTail, window]);

  return { samples, loading: valid === null, error: valid?.error ?? null };
}
