import { execFileSync } from 'node:child_process';
import os from 'node:os';

/** What a run measured on: the machine, Node, and the commit (with whether the tree was clean). */

export interface Machine {
  cpu_model: string;
  cpu_cores: number;
  memory_gib: number;
  os: string;
  node: string;
  git_commit: string;
  /** Files changed against that commit when the run started (the figures include them). */
  git_dirty: boolean;
  /** 1-minute load average at the start: others' work on a shared machine shows here. */
  load_average_1m: number;
  started_at: string;
}

function git(args: string[]): string {
  try {
    return execFileSync('git', args, {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'ignore'],
    }).trim();
  } catch {
    return '';
  }
}

export function describeMachine(): Machine {
  const cpus = os.cpus();
  return {
    cpu_model: cpus[0]?.model.trim() ?? 'unknown',
    cpu_cores: os.availableParallelism(),
    memory_gib: Math.round((os.totalmem() / 1024 ** 3) * 10) / 10,
    os: `${os.type()} ${os.release()} ${os.arch()}`,
    node: process.version,
    git_commit: git(['rev-parse', 'HEAD']) || 'unknown',
    git_dirty: git(['status', '--porcelain', '--untracked-files=no']) !== '',
    load_average_1m: Math.round(os.loadavg()[0]! * 100) / 100,
    started_at: new Date().toISOString(),
  };
}
