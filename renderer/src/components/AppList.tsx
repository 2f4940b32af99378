import { memo, useEffect, useRef, type KeyboardEvent } from 'react';
import { useVirtualizer } from '@tanstack/react-virtual';
import type { App } from '../../../shared/app-model';
import { useApp, useMemoryAsOf } from '../state/StoreContext';
import { useAppRisks } from '../state/useAppRisks';
import { formatClock } from '../format/time';
import { AtRiskBadge, StatusBadge } from './StatusBadge';
import { formatBytes } from '../../../shared/format';
import './AppList.css';

const ROW_HEIGHT = 52;

interface AppListProps {
  ids: readonly string[];
  selectedId: string | null;
  onSelect: (id: string) => void;
  showNamespace: boolean;
}

/**
 * The apps, as a listbox the arrow keys move through. Only the rows in view exist in the DOM, so a
 * thousand apps cost what twenty do; each row redraws only when its own app changes.
 */
export function AppList({ ids, selectedId, onSelect, showNamespace }: AppListProps) {
  const scrollRef = useRef<HTMLDivElement>(null);
  const virtualizer = useVirtualizer({
    count: ids.length,
    getScrollElement: () => scrollRef.current,
    estimateSize: () => ROW_HEIGHT,
    overscan: 8,
    // Where the element cannot be measured (tests without layout), assume a window's height.
    initialRect: { width: 280, height: 800 },
  });
  const selectedIndex = selectedId === null ? -1 : ids.indexOf(selectedId);

  useEffect(() => {
    if (selectedIndex >= 0) virtualizer.scrollToIndex(selectedIndex, { align: 'auto' });
  }, [selectedIndex, virtualizer]);

  const onKeyDown = (event: KeyboardEvent<HTMLDivElement>) => {
    if (ids.length === 0) return;
    const page = Math.max(1, Math.floor((scrollRef.current?.clientHeight ?? 400) / ROW_HEIGHT));
    const moves: Record<string, number> = {
      ArrowDown: selectedIndex + 1,
      ArrowUp: selectedIndex - 1,
      PageDown: selectedIndex + page,
      PageUp: selectedIndex - page,
      Home: 0,
      End: ids.length - 1,
    };
    const target = moves[event.key];
    if (target === undefined) return;
    event.preventDefault();
    const id = ids[Math.min(ids.length - 1, Math.max(0, target))];
    if (id !== undefined) onSelect(id);
  };

  if (ids.length === 0) return null;
  return (
    <div
      ref={scrollRef}
      className="app-list"
      role="listbox"
      aria-label="Apps"
      tabIndex={0}
      aria-activedescendant={selectedIndex >= 0 ? rowDomId(selectedId!) : undefined}
      onKeyDown={onKeyDown}
    >
      <div style={{ height: virtualizer.getTotalSize(), position: 'relative' }}>
        {virtualizer.getVirtualItems().map((item) => {
          const id = ids[item.index]!;
          return (
            <AppRow
              key={id}
              id={id}
              top={item.start}
              selected={id === selectedId}
              onSelect={onSelect}
              showNamespace={showNamespace}
              position={item.index + 1}
              setSize={ids.length}
            />
          );
        })}
      </div>
    </div>
  );
}

function rowDomId(id: string): string {
  return `app-row-${id.replace(/[^a-zA-Z0-9_-]/g, '_')}`;
}

interface AppRowProps {
  id: string;
  top: number;
  selected: boolean;
  onSelect: (id: string) => void;
  showNamespace: boolean;
  position: number;
  setSize: number;
}

const AppRow = memo(function AppRow({
  id,
  top,
  selected,
  onSelect,
  showNamespace,
  position,
  setSize,
}: AppRowProps) {
  const app = useApp(id);
  const asOf = useMemoryAsOf();
  // Per replica, whatever the total (shared/memory-risk.ts).
  const risks = useAppRisks(app);
  if (!app) return null;
  const { usedBytes, maxBytes } = app.memory;
  const fraction = usedBytes !== null && maxBytes > 0 ? Math.min(1, usedBytes / maxBytes) : 0;
  return (
    <div
      id={rowDomId(id)}
      role="option"
      aria-selected={selected}
      aria-posinset={position}
      aria-setsize={setSize}
      className={`app-row${selected ? ' app-row--selected' : ''}`}
      style={{ transform: `translateY(${top}px)`, height: ROW_HEIGHT }}
      onClick={() => onSelect(id)}
    >
      <div className="app-row__line">
        <span className="app-row__name">{app.name}</span>
        <span className="app-row__badges">
          <AtRiskBadge risks={risks} />
          <StatusBadge status={app.status} compact />
        </span>
      </div>
      <div className="app-row__line app-row__meta">
        <span className="app-row__namespace">
          {showNamespace ? app.namespace : replicaSummary(app)}
        </span>
        <span
          className={`app-row__memory numeric${asOf ? ' memory-figure--stale' : ''}`}
          title={
            asOf
              ? `Memory used of maximum, as of ${formatClock(asOf)} (the metrics API is not answering)`
              : 'Memory used of maximum'
          }
        >
          {formatBytes(usedBytes)} / {formatBytes(maxBytes)}
        </span>
      </div>
      <div className="app-row__bar" aria-hidden="true">
        <div
          className={`app-row__fill${fraction > 0.85 || risks.length > 0 ? ' app-row__fill--high' : ''}`}
          style={{ width: `${fraction * 100}%` }}
        />
      </div>
    </div>
  );
});

/** "web 2 · worker 1": the replicas of each process, for the row's second line. */
function replicaSummary(app: App): string {
  return app.processes.map((process) => `${process.name} ${process.replicas.desired}`).join(' · ');
}
