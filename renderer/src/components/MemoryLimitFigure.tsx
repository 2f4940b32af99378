import type { MemoryLimit, MemoryLimitSource } from '../../../shared/app-model';
import { formatBytes } from '../../../shared/format';
import './MemoryLimitFigure.css';

/**
 * A limit per replica with where it comes from written next to it ("8 GiB, namespace default"),
 * as the pods run it; where a new replica would get another (a rollout, or a namespace default
 * changed since the pods started), that one too.
 */

const SOURCE_WORDS: Record<MemoryLimitSource, string> = {
  container: 'set for this process',
  limitrange: 'namespace default',
  default: 'built-in default',
};

export function limitSourceWords(source: MemoryLimitSource): string {
  return SOURCE_WORDS[source];
}

/** "8 GiB, namespace default" */
export function limitText(bytes: number, source: MemoryLimitSource): string {
  return `${formatBytes(bytes)}, ${limitSourceWords(source)}`;
}

/** "8 GiB, namespace default" or "8 GiB per replica, namespace default" (one text, as read aloud). */
export function MemoryLimitFigure({
  limit,
  perReplica = false,
}: {
  limit: MemoryLimit;
  perReplica?: boolean;
}) {
  const bytes = `${formatBytes(limit.bytes)}${perReplica ? ' per replica' : ''}`;
  return (
    <span className="memory-limit-figure">{`${bytes}, ${limitSourceWords(limit.source)}`}</span>
  );
}

/**
 * What a new replica would get, as a sentence under the figure ("Rolling out to 12 GiB, set for
 * this process; replicas not replaced yet run 8 GiB."); nothing where the running ones have it.
 */
export function NextLimitNote({ limit }: { limit: MemoryLimit }) {
  const next = limit.next;
  if (!next) return null;
  const running = formatBytes(limit.bytes);
  return (
    <span className="memory-limit-figure__next" data-testid="next-limit">
      {next.reason === 'rollout'
        ? `Rolling out to ${limitText(next.bytes, next.source)}; replicas not replaced yet run ${running}.`
        : `Runs the old default ${running}; the new default ${formatBytes(next.bytes)} applies after a restart.`}
    </span>
  );
}
