import { createContext, useContext, useSyncExternalStore, type ReactNode } from 'react';
import type { App } from '../../../shared/app-model';
import type { MetricsAvailability, ScaleDeskBridge } from '../../../shared/contract';
import type { State, Store } from './store';
import { Drafts } from './drafts';
import { isMemoryStale } from '../format/metrics-availability';

interface Client {
  store: Store;
  drafts: Drafts;
}

const ClientContext = createContext<Client | null>(null);

export function StoreProvider({ store, children }: { store: Store; children: ReactNode }) {
  // One drafts map per store: what the admin typed outlives the editor that holds it.
  const client = useClientFor(store);
  return <ClientContext.Provider value={client}>{children}</ClientContext.Provider>;
}

const clients = new WeakMap<Store, Client>();
function useClientFor(store: Store): Client {
  let client = clients.get(store);
  if (!client) {
    client = { store, drafts: new Drafts() };
    clients.set(store, client);
  }
  return client;
}

function useClient(): Client {
  const client = useContext(ClientContext);
  if (!client) throw new Error('useStore outside <StoreProvider>');
  return client;
}

/** A slice of the state; the component redraws only when the slice's identity changes. */
export function useStore<T>(selector: (state: State) => T): T {
  const { store } = useClient();
  return useSyncExternalStore(store.subscribe, () => selector(store.getState()));
}

export function useApp(id: string | null): App | undefined {
  return useStore((state) => (id === null ? undefined : state.apps.get(id)));
}

/** What is shown may be out of date: the cluster stopped answering, or the connection failed. */
export function useConnectionStale(): boolean {
  return useStore(
    (state) => state.connection?.state === 'stale' || state.connection?.state === 'error',
  );
}

/** Whether the cluster serves memory figures; null before the first connection. */
export function useMetricsAvailability(): MetricsAvailability | null {
  return useStore((state) => state.connection?.metrics ?? null);
}

/**
 * When the memory figures on screen are the last good ones of a metrics API that stopped
 * answering, the time they are of ("10:42"); null while they are current. Every place that shows
 * a memory figure marks it with this, so an old value is never read as the value now.
 */
export function useMemoryAsOf(): string | null {
  const metrics = useMetricsAvailability();
  return isMemoryStale(metrics) ? (metrics?.lastSampleAt ?? null) : null;
}

export function useBridge(): ScaleDeskBridge {
  return useClient().store.bridge;
}

export function useStoreInstance(): Store {
  return useClient().store;
}

export function useDrafts(): Drafts {
  return useClient().drafts;
}
