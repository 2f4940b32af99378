/**
 * The hidden character of each simulated app: how much memory its processes take (a base and a
 * share per worker) and how much traffic it gets (requests per second, what one worker can
 * serve, how fast it answers when idle). The seed sets them per app; apps created later get a
 * profile derived from their name, so the same app always behaves the same way.
 */

export interface MemoryProfile {
  /** The process without workers: interpreter, framework, master process. */
  baseMiB: number;
  /** Each worker process (its own copy of the app and its data). */
  perWorkerMiB: number;
}

export interface LoadProfile {
  /** Mean requests per second to the app's web process. */
  requestsPerSecond: number;
  /** Requests per second one gunicorn worker serves at full use. */
  perWorkerRps: number;
  /** Response time with no queueing. */
  baseLatencyMs: number;
}

export interface AppProfile {
  memory: Partial<Record<string, MemoryProfile>>;
  load: LoadProfile;
}

const DEFAULT_MEMORY: Record<string, MemoryProfile> = {
  web: { baseMiB: 180, perWorkerMiB: 260 },
  worker: { baseMiB: 150, perWorkerMiB: 200 },
  workspace: { baseMiB: 900, perWorkerMiB: 0 },
};

/** A stable 0..1 number from a string (FNV-1a), so derived profiles do not change between runs. */
export function stableFraction(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return (h >>> 0) / 0xffffffff;
}

export class AppProfiles {
  private readonly profiles = new Map<string, AppProfile>();

  set(namespace: string, app: string, profile: AppProfile): void {
    this.profiles.set(`${namespace}/${app}`, profile);
  }

  get(namespace: string, app: string): AppProfile {
    const key = `${namespace}/${app}`;
    let profile = this.profiles.get(key);
    if (!profile) {
      profile = derivedProfile(key);
      this.profiles.set(key, profile);
    }
    return profile;
  }

  memory(namespace: string, app: string, component: string): MemoryProfile {
    const profile = this.get(namespace, app);
    return profile.memory[component] ?? DEFAULT_MEMORY[component] ?? DEFAULT_MEMORY['web']!;
  }
}

export function derivedProfile(key: string): AppProfile {
  const f = stableFraction(key);
  const g = stableFraction(`${key}#load`);
  return {
    memory: {
      web: { baseMiB: Math.round(150 + 250 * f), perWorkerMiB: Math.round(180 + 420 * g) },
      worker: { baseMiB: 140, perWorkerMiB: Math.round(150 + 200 * f) },
      workspace: { baseMiB: Math.round(700 + 800 * g), perWorkerMiB: 0 },
    },
    load: {
      requestsPerSecond: Math.round((2 + 30 * g) * 10) / 10,
      perWorkerRps: Math.round(6 + 10 * f),
      baseLatencyMs: Math.round(30 + 50 * f),
    },
  };
}
