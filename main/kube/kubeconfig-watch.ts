import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';

/**
 * Watches the kubeconfig files, so a fresh login (`kubelogin`, `aws eks update-kubeconfig`,
 * `gcloud ... get-credentials` write a new token, client certificate or CA into the file) is
 * picked up without a restart. Each file's folder is watched rather than the file: editors and
 * those tools replace the file (write a temp file, rename it over), after which a watch on the
 * old file would hear nothing more; a file that does not exist yet (a KUBECONFIG entry, or
 * ~/.kube/config before the first login) is seen when it appears. Changes are debounced (a save
 * is several events) and reported only when a file's content really changed.
 */

export interface KubeconfigWatchOptions {
  /** Quiet time after the last event before reporting (default 300 ms). */
  debounceMs?: number;
}

function contentOf(file: string): string | null {
  try {
    return createHash('sha256').update(fs.readFileSync(file)).digest('hex');
  } catch {
    return null;
  }
}

export class KubeconfigWatch {
  private readonly watchers: fs.FSWatcher[] = [];
  private readonly seen = new Map<string, string | null>();
  private timer: NodeJS.Timeout | undefined;
  private closed = false;

  constructor(
    files: readonly string[],
    private readonly onChange: () => void,
    private readonly options: KubeconfigWatchOptions = {},
  ) {
    const byFolder = new Map<string, Set<string>>();
    for (const file of files.map((f) => path.resolve(f))) {
      this.seen.set(file, contentOf(file));
      const folder = path.dirname(file);
      const names = byFolder.get(folder) ?? new Set<string>();
      names.add(path.basename(file));
      byFolder.set(folder, names);
    }
    for (const [folder, names] of byFolder) {
      try {
        const watcher = fs.watch(folder, { persistent: false }, (_event, name) => {
          // Some platforms give no name: any event in the folder may be the file.
          if (name === null || names.has(name.toString())) this.schedule();
        });
        watcher.on('error', () => watcher.close());
        this.watchers.push(watcher);
      } catch {
        // A folder that does not exist (no ~/.kube yet): nothing to hear until a restart.
      }
    }
  }

  /** How many folders are being watched (0: none of the files' folders exists). */
  folders(): number {
    return this.watchers.length;
  }

  close(): void {
    this.closed = true;
    clearTimeout(this.timer);
    for (const watcher of this.watchers) watcher.close();
  }

  private schedule(): void {
    if (this.closed) return;
    clearTimeout(this.timer);
    this.timer = setTimeout(() => this.check(), this.options.debounceMs ?? 300);
  }

  private check(): void {
    if (this.closed) return;
    let changed = false;
    for (const [file, before] of this.seen) {
      const now = contentOf(file);
      if (now !== before) {
        this.seen.set(file, now);
        changed = true;
      }
    }
    if (changed) this.onChange();
  }
}
