import { useEffect, useState } from 'react';
import type { App } from '../../../shared/app-model';
import type { ScaleDeskBridge } from '../../../shared/contract';
import type { AppMemoryAdvice } from '../../../shared/memory-advice';
import { useBridge } from './StoreContext';

/**
 * Advice changes slowly (it rests on up to a day of peaks), so it is asked again once a minute,
 * and at once where what it is judged against changed: a limit, a worker count, the app's status,
 * a rollout, replicas measured for the first time.
 */
const REFRESH_MS = 60_000;

/**
 * One request per app and moment for every component that shows advice (the OOM banner, the
 * advice panel, each worker slider): they ask with the same key and share the answer.
 */
const inFlight = new WeakMap<ScaleDeskBridge, Map<string, Promise<AppMemoryAdvice | null>>>();

function ask(bridge: ScaleDeskBridge, app: App, key: string): Promise<AppMemoryAdvice | null> {
  let requests = inFlight.get(bridge);
  if (!requests) {
    requests = new Map();
    inFlight.set(bridge, requests);
  }
  let request = requests.get(key);
  if (!request) {
    request = bridge
      .invoke('app.memoryAdvice', { namespace: app.namespace, app: app.name })
      .then((result) => (result.ok ? result.value : null));
    // Only the newest key of an app is kept: a map of every minute of every app would only grow.
    for (const old of requests.keys()) if (old.startsWith(`${app.id}|`)) requests.delete(old);
    requests.set(key, request);
  }
  return request;
}

/** What the advice is judged against: a change to any of these asks again. */
function adviceKey(app: App, minute: number): string {
  const parts = app.processes.map(
    (p) =>
      `${p.name}:${p.memoryLimit.bytes}:${p.workers?.count ?? '-'}:${p.replicas.desired}:` +
      // New pods measured for the first time: the per-worker figure is there now.
      `${p.memoryUsedBytes === null ? 'unmeasured' : 'measured'}:${p.rollout.state}`,
  );
  return `${app.id}|${app.status.kind}|${parts.join(',')}|${minute}`;
}

/** The app's memory advice (`app.memoryAdvice`); null until it answers, or where it failed. */
export function useMemoryAdvice(app: App): AppMemoryAdvice | null {
  const bridge = useBridge();
  // The same minute for every component on screen, so they share one request.
  const [minute, setMinute] = useState(() => Math.floor(Date.now() / REFRESH_MS));
  const [answer, setAnswer] = useState<{ appId: string; advice: AppMemoryAdvice | null } | null>(
    null,
  );
  const key = adviceKey(app, minute);

  useEffect(() => {
    const timer = setInterval(() => setMinute(Math.floor(Date.now() / REFRESH_MS)), 5_000);
    return () => clearInterval(timer);
  }, []);

  useEffect(() => {
    let current = true;
    void ask(bridge, app, key).then((advice) => {
      if (current) setAnswer({ appId: app.id, advice });
    });
    return () => {
      current = false;
    };
    // The key holds all of the app the advice depends on.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [bridge, key]);

  // Another app's answer is never shown while this one's is on its way.
  return answer !== null && answer.appId === app.id ? answer.advice : null;
}

/** One process's advice, where there is any. */
export function processAdvice(advice: AppMemoryAdvice | null, process: string) {
  return advice?.processes.find((entry) => entry.process === process) ?? null;
}
