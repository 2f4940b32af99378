import { useCallback, useEffect, useState } from 'react';
import { useApp, useConnectionStale, useStore } from './state/StoreContext';
import { Sidebar } from './components/Sidebar';
import { AppInfo, type AppTab } from './components/AppInfo';
import { ConnectionBanner } from './components/ConnectionBanner';
import './styles/layout.css';

/** The window: the sidebar of apps, and App Info for the one chosen. */
export function App() {
  useThemeSetting();
  const ids = useStore((state) => state.appIds);
  const [selectedId, setSelectedId] = useState<string | null>(null);
  const [tab, setTab] = useState<AppTab>('overview');
  const selected = useApp(selectedId);

  // The first app is chosen for the admin, and again in another context or namespace (another
  // list); a chosen app that goes away otherwise is said to be gone.
  const firstId = ids[0] ?? null;
  const scope = useStore((state) => `${state.connection?.context}|${state.connection?.namespace}`);
  const [chosenIn, setChosenIn] = useState(scope);
  if (chosenIn !== scope) {
    setChosenIn(scope);
    setSelectedId(null);
  }
  useEffect(() => {
    if (selectedId === null && firstId !== null) setSelectedId(firstId);
  }, [selectedId, firstId]);

  const title = selected ? `${selected.name} · ScaleDesk` : 'ScaleDesk';
  useEffect(() => {
    document.title = title;
  }, [title]);

  const select = useCallback((id: string) => setSelectedId(id), []);
  const stale = useConnectionStale();

  return (
    <div className="layout">
      <Sidebar selectedId={selectedId} onSelect={select} />
      <main className="layout__main" data-stale={stale || undefined}>
        <ConnectionBanner />
        {selected ? (
          <AppInfo key={selected.id} app={selected} tab={tab} onTabChange={setTab} />
        ) : (
          <EmptyState gone={selectedId !== null} />
        )}
      </main>
    </div>
  );
}

function EmptyState({ gone }: { gone: boolean }) {
  const loaded = useStore((state) => state.appsLoaded);
  const error = useStore((state) => state.appsError);
  return (
    <div className="layout__empty">
      <h1>
        {!loaded
          ? 'Loading apps…'
          : error
            ? 'Apps could not be listed'
            : gone
              ? 'This app is gone'
              : 'No app chosen'}
      </h1>
      <p className="muted">
        {error
          ? error.message
          : gone
            ? 'It was removed from the cluster. Choose another app in the list.'
            : 'Choose an app in the list to see its processes, replicas and memory.'}
      </p>
    </div>
  );
}

/** settings.theme overrides the OS: data-theme on <html>, read by the CSS tokens. */
function useThemeSetting() {
  const theme = useStore((state) => state.settings?.theme ?? 'system');
  useEffect(() => {
    const root = document.documentElement;
    if (theme === 'system') delete root.dataset.theme;
    else root.dataset.theme = theme;
  }, [theme]);
}
