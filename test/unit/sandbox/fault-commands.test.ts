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
    execPlugin: {
      scriptPath: '/nowhere/sandbox-exec-plugin.cjs',
      set: (mode) => record(`execPlugin.set ${JSON.stringify(mode)}`),
      runs: () => 7,
      resetRuns: () => record('execPlugin.resetRuns'),
      revokeTokens: () => record('execPlugin.revokeTokens'),
      authenticate: () => undefined,
    },
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

  it('makes the metrics API absent or failing, refuses any other state, and reset serves it again', async () => {
    const { target } = recordingSandbox();
    expect(await runFaultCommand(target, 'metrics absent')).toBe(
      'metrics API: absent, as without metrics-server (404, not in discovery)',
    );
    expect(target.faults.metricsApi).toBe('absent');
    expect(await runFaultCommand(target, 'metrics failing')).toMatch(/^metrics API: failing/);
    expect(target.faults.metricsApi).toBe('failing');
    await expect(runFaultCommand(target, 'metrics gone')).rejects.toThrow(
      'metrics takes ok, absent or failing, got "gone"',
    );
    await runFaultCommand(target, 'reset');
    expect(target.faults.metricsApi).toBe('ok');
    expect(FAULT_COMMANDS_HELP).toMatch(/^ {2}metrics STATE\b/m);
  });

  it('tells the exec plugin to fail, hand out short-lived or lasting tokens, revoke them, and counts its runs', async () => {
    const { target, calls } = recordingSandbox();
    expect(await runFaultCommand(target, 'exec-plugin fail')).toBe(
      'exec plugin: fails with "error: the login has expired; run `sandbox-login`"',
    );
    await runFaultCommand(target, 'exec-plugin fail no route to the IdP');
    await runFaultCommand(target, 'exec-plugin ttl 5');
    await runFaultCommand(target, 'exec-plugin no-expiry');
    await runFaultCommand(target, 'exec-plugin revoke');
    expect(await runFaultCommand(target, 'exec-plugin runs')).toBe('exec plugin: 7 run(s)');
    await expect(runFaultCommand(target, 'exec-plugin ttl 0')).rejects.toThrow(
      /usage: exec-plugin ttl/,
    );
    await expect(runFaultCommand(target, 'exec-plugin sing')).rejects.toThrow(/usage: exec-plugin/);
    expect(calls).toEqual([
      'execPlugin.set {"kind":"fail","message":"error: the login has expired; run `sandbox-login`"}',
      'execPlugin.set {"kind":"fail","message":"no route to the IdP"}',
      'execPlugin.set {"kind":"tokens","ttlSeconds":5}',
      'execPlugin.set {"kind":"no-expiry"}',
      'execPlugin.revokeTokens',
    ]);
    expect(FAULT_COMMANDS_HELP).toMatch(/^ {2}exec-plugin WHAT\b/m);
  });
});
