import { useRef, type KeyboardEvent } from 'react';
import type { App } from '../../../shared/app-model';
import { groupingDescription } from '../../../shared/app-grouping';
import { useConnectionStale } from '../state/StoreContext';
import { useAppRisks } from '../state/useAppRisks';
import { AtRiskBadge, StatusBadge } from './StatusBadge';
import { OverviewTab } from './OverviewTab';
import { ScaleTab } from './ScaleTab';
import './AppInfo.css';

export type AppTab = 'overview' | 'scale';

const TABS: ReadonlyArray<{ id: AppTab; label: string }> = [
  { id: 'overview', label: 'Overview' },
  { id: 'scale', label: 'Scale' },
];

interface AppInfoProps {
  app: App;
  tab: AppTab;
  onTabChange: (tab: AppTab) => void;
}

/** App Info: the app's name and status, and its tabs (arrow keys move between them). */
export function AppInfo({ app, tab, onTabChange }: AppInfoProps) {
  const tabRefs = useRef<Array<HTMLButtonElement | null>>([]);
  const stale = useConnectionStale();
  const risks = useAppRisks(app);

  const onKeyDown = (event: KeyboardEvent<HTMLDivElement>) => {
    const index = TABS.findIndex((candidate) => candidate.id === tab);
    const next =
      event.key === 'ArrowRight'
        ? (index + 1) % TABS.length
        : event.key === 'ArrowLeft'
          ? (index - 1 + TABS.length) % TABS.length
          : event.key === 'Home'
            ? 0
            : event.key === 'End'
              ? TABS.length - 1
              : null;
    if (next === null) return;
    event.preventDefault();
    onTabChange(TABS[next]!.id);
    tabRefs.current[next]?.focus();
  };

  return (
    <div className="app-info">
      <header className="app-info__header">
        <div className="app-info__title">
          <h1>{app.name}</h1>
          <span className="app-info__namespace muted">{app.namespace}</span>
          <StatusBadge status={app.status} />
          <AtRiskBadge risks={risks} />
          {stale && <span className="app-info__stale">Stale</span>}
          <span className="app-info__grouping muted">{groupingDescription(app)}</span>
        </div>
        <div role="tablist" aria-label="App Info" className="tabs" onKeyDown={onKeyDown}>
          {TABS.map((candidate, index) => (
            <button
              key={candidate.id}
              ref={(element) => {
                tabRefs.current[index] = element;
              }}
              type="button"
              role="tab"
              id={`tab-${candidate.id}`}
              aria-selected={tab === candidate.id}
              aria-controls={`panel-${candidate.id}`}
              tabIndex={tab === candidate.id ? 0 : -1}
              className="tabs__tab"
              onClick={() => onTabChange(candidate.id)}
            >
              {candidate.label}
            </button>
          ))}
        </div>
      </header>
      <div
        className={`app-info__panel${stale ? ' stale-dim' : ''}`}
        role="tabpanel"
        id={`panel-${tab}`}
        aria-labelledby={`tab-${tab}`}
      >
        {tab === 'overview' ? (
          <OverviewTab app={app} onOpenScale={() => onTabChange('scale')} />
        ) : (
          <ScaleTab app={app} />
        )}
      </div>
    </div>
  );
}
