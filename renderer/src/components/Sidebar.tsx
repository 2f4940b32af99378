import { useDeferredValue, useMemo, useState } from 'react';
import { plural } from '../../../shared/format';
import { useStore } from '../state/StoreContext';
import { AppList } from './AppList';
import { AppSearch } from './AppSearch';
import { EmptyNamespace } from './EmptyNamespace';
import { Logo } from './Logo';
import { ContextSwitcher } from './ContextSwitcher';
import { NamespaceSwitcher } from './NamespaceSwitcher';
import { ThemeSwitcher } from './ThemeSwitcher';
import { SettingsDialog } from './SettingsDialog';
import './Sidebar.css';

interface SidebarProps {
  selectedId: string | null;
  onSelect: (id: string) => void;
}

export function Sidebar({ selectedId, onSelect }: SidebarProps) {
  // Only the ids: a change inside an app redraws its row, not the sidebar.
  const ids = useStore((state) => state.appIds);
  const loaded = useStore((state) => state.appsLoaded);
  const allNamespaces = useStore((state) => state.connection?.namespace === null);
  const [query, setQuery] = useState('');
  const [settingsOpen, setSettingsOpen] = useState(false);
  const deferredQuery = useDeferredValue(query);
  const visible = useMemo(() => {
    const needle = deferredQuery.trim().toLowerCase();
    return needle === '' ? ids : ids.filter((id) => id.toLowerCase().includes(needle));
  }, [ids, deferredQuery]);

  return (
    <aside className="sidebar" aria-label="Apps and cluster">
      <div className="sidebar__brand">
        <Logo />
        <span>ScaleDesk</span>
      </div>
      <div className="sidebar__switchers">
        <ContextSwitcher />
        <NamespaceSwitcher />
      </div>
      <AppSearch value={query} onChange={setQuery} />
      <div className="sidebar__count muted" aria-live="polite">
        {!loaded
          ? 'Loading apps…'
          : visible.length === ids.length
            ? plural(ids.length, 'app')
            : `${visible.length} of ${ids.length} apps`}
      </div>
      <AppList
        ids={visible}
        selectedId={selectedId}
        onSelect={onSelect}
        showNamespace={allNamespaces}
      />
      {loaded && ids.length === 0 && <EmptyNamespace />}
      {loaded && ids.length > 0 && visible.length === 0 && (
        <p className="sidebar__empty muted">No app matches the search.</p>
      )}
      <div className="sidebar__footer">
        <div className="sidebar__footer-row">
          <ThemeSwitcher />
          <button
            type="button"
            className="button button--small button--quiet"
            onClick={() => setSettingsOpen(true)}
          >
            Settings…
          </button>
        </div>
        <AppVersion />
      </div>
      {settingsOpen && <SettingsDialog onClose={() => setSettingsOpen(false)} />}
    </aside>
  );
}

/** "ScaleDesk 0.1.0", quietly, for bug reports and "which version do you run?". */
function AppVersion() {
  const info = useStore((state) => state.appInfo);
  if (!info) return null;
  const mode = info.mode === 'browser' ? 'browser mode' : 'desktop';
  return (
    <p
      className="sidebar__version"
      title={`${info.name} ${info.version}, ${mode} on ${info.platform}`}
    >
      {info.name} {info.version}
    </p>
  );
}
