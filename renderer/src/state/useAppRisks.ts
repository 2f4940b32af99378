import type { App } from '../../../shared/app-model';
import { appRisks, type ProcessRisk } from '../../../shared/memory-risk';
import { useMemoryAsOf } from './StoreContext';

/**
 * The app's processes at risk of their memory limit (shared/memory-risk.ts), as the sidebar and
 * the app's header show them: judged on current figures only (stale ones mark nothing), and none
 * for an app already stopped by its limit, whose status says more than "at risk" would.
 */
export function useAppRisks(app: App | undefined): ProcessRisk[] {
  const memoryStale = useMemoryAsOf() !== null;
  if (!app || app.status.kind === 'oom-stopped') return [];
  return appRisks(app, { memoryStale });
}
