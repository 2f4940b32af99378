import { describe, expect, it } from 'vitest';
import {
  FAULT_COMMANDS_HELP,
  runFaultCommand,
  type FaultTarget,
} from '../../../main/sandbox/fault-commands';
import { createFaults } from '../../../main/sandbox/faults';

/** The CLI's fault hooks against a sandbox that records what it was asked to do. */
function recordingSandbox() {
  const calls: string[] = [];
  const record = (call: string) => {
    calls.push(call);
  };
  const target: FaultTarget = {
    faults: createFaults({
      cutWatches: () => {
        record('cutWatches');
        return 3;
      },
      down: async (ms) => record(`down ${ms}`),
      expireWatchHistory: () => record('expireWatchHistory'),
    }),
    triggerOom: (namespace, app) => record(`triggerOom ${namespace} ${app}`),
    scrapeMetrics: () => record('scrapeMetrics'),
    restart: async () => record('restart'),
  };
  return { target, calls };
}

describe('fault commands of npm run sandbox', () => {
  it('sets latency and the 500 and 429 shares, and reset clears them', async () => {
    const { target } = recordingSandbox();
    expect(await runFaultCommand(target, 'latency 250')).toBe(
      'latency: 250 ms before every API answer',
    );
    expect(await runFaultCommand(target, '  errors 0.25 ')).toBe(
      '500 InternalError: 25% of API requests',
    );
    expect(await runFaultCommand(target, 'throttle 1')).toBe(
      '429 TooManyRequests: 100% of API requests',
    );
    expect(target.faults).toMatchObject({ latencyMs: 250, serverErrorRate: 0.25, throttleRate: 1 });

    await runFaultCommand(target, 'reset');
    expect(target.faults).toMatchObject({ latencyMs: 0, serverErrorRate: 0, throttleRate: 0 });
  });

  it('runs the actions: cut watches, down, expire history, restart, oom, scrape', async () => {
    const { target, calls } = recordingSandbox();
    expect(await runFaultCommand(target, 'cut-watches')).toBe('cut 3 watch stream(s)');
    expect(await runFaultCommand(target, 'down 1500')).toBe('back up after 1500 ms down');
    await runFaultCommand(target, 'expire-history');
    await runFaultCommand(target, 'restart');
    expect(await runFaultCommand(target, 'oom demo churn-report')).toContain('demo/churn-report');
    await runFaultCommand(target, 'scrape');
    expect(calls).toEqual([
      'cutWatches',
      'down 1500',
      'expireWatchHistory',
      'restart',
      'triggerOom demo churn-report',
      'scrapeMetrics',
    ]);
  });

  it('refuses unknown commands and malformed arguments, changing nothing', async () => {
    const { target, calls } = recordingSandbox();
    await expect(runFaultCommand(target, 'explode')).rejects.toThrow(
      'unknown command "explode" (type help)',
    );
    await expect(runFaultCommand(target, 'errors 2')).rejects.toThrow(
      'errors takes a share from 0 to 1, got "2"',
    );
    await expect(runFaultCommand(target, 'throttle lots')).rejects.toThrow('got "lots"');
    await expect(runFaultCommand(target, 'latency -5')).rejects.toThrow(
      'latency takes a whole number of milliseconds, got "-5"',
    );
    await expect(runFaultCommand(target, 'down')).rejects.toThrow('usage: down MS');
    await expect(runFaultCommand(target, 'oom demo')).rejects.toThrow('usage: oom NAMESPACE APP');
    expect(target.faults).toMatchObject({ latencyMs: 0, serverErrorRate: 0, throttleRate: 0 });
    expect(calls).toEqual([]);
  });

  it('ignores a blank line and lists every command on help', async () => {
    const { target } = recordingSandbox();
    expect(await runFaultCommand(target, '   ')).toBe('');
    const help = await runFaultCommand(target, 'help');
    expect(help).toBe(FAULT_COMMANDS_HELP);
    for (const command of [
      'latency',
      'errors',
      'throttle',
      'reset',
      'cut-watches',
      'down',
      'expire-history',
      'restart',
      'oom',
      'scrape',
    ]) {
      expect(help).toMatch(new RegExp(`^  ${command}\\b`, 'm'));
    }
  });
});
