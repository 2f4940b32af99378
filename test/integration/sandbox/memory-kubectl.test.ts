import { execFile } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hasKubectl, kubectlFor } from '../../fixtures/kubectl';
import { eventually, startTestSandbox, type SandboxFixture } from '../../fixtures/sandbox';

/**
 * Memory limits in the sandbox as the real kubectl sees them (issue #13): a limit set on a
 * Deployment reaches pods as the rollout replaces them; a LimitRange default edited or patched
 * reaches pods created after it; nodes have 32Gi allocatable that the scheduler holds pods'
 * requests to; a ResourceQuota on limits.memory refuses pods past it.
 */

if (!hasKubectl)
  console.warn('kubectl is not installed: the memory-limit kubectl tests are skipped');

let fx: SandboxFixture;
const runner = kubectlFor(() => fx.sandbox.kubeconfigPath);
const ok = runner.ok;

interface PodJson {
  metadata: { name: string; uid: string; annotations?: Record<string, string> };
  spec: {
    nodeName?: string;
    containers: {
      resources?: { limits?: Record<string, string>; requests?: Record<string, string> };
    }[];
  };
  status?: {
    phase?: string;
    conditions?: { type: string; status: string; reason?: string; message?: string }[];
  };
}

async function pods(namespace: string, selector: string): Promise<PodJson[]> {
  const out = await ok('get', 'pods', '-n', namespace, '-l', selector, '-o', 'json');
  return (JSON.parse(out) as { items: PodJson[] }).items;
}

function memoryLimit(pod: PodJson): string | undefined {
  return pod.spec.containers[0]?.resources?.limits?.['memory'];
}

/** A manifest in kubectl's throwaway HOME, for `apply -f` / `create -f`. */
function manifest(name: string, object: unknown): string {
  const path = join(runner.home, `${name}.json`);
  writeFileSync(path, JSON.stringify(object));
  return path;
}

function deployment(namespace: string, name: string, replicas: number, memory: string): unknown {
  const labels = { app: name };
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name, namespace },
    spec: {
      replicas,
      selector: { matchLabels: labels },
      template: {
        metadata: { labels },
        spec: {
          containers: [
            {
              name: 'web',
              image: 'registry.sandbox.local/big:1',
              command: ['gunicorn', 'app:server', '--workers', '2'],
              resources: { limits: { memory } },
            },
          ],
        },
      },
    },
  };
}

describe.skipIf(!hasKubectl)('memory limits in the sandbox, through kubectl', () => {
  beforeAll(async () => {
    fx = await startTestSandbox();
  });
  afterAll(async () => {
    await fx?.sandbox.stop();
    runner.dispose();
  });

  it('seeds 32Gi allocatable nodes, and describe node shows what is allocated on them', async () => {
    const nodes = JSON.parse(await ok('get', 'nodes', '-o', 'json')) as {
      items: { status: { allocatable: Record<string, string> } }[];
    };
    expect(nodes.items.map((n) => n.status.allocatable['memory'])).toEqual([
      '33554432Ki',
      '33554432Ki',
      '33554432Ki',
    ]);
    const out = await ok('describe', 'node', 'sandbox-node-1');
    expect(out).toMatch(/Allocatable:[\s\S]*memory:\s+32Gi/);
    expect(out).toMatch(/Allocated resources:[\s\S]*memory\s+\d+Mi \(\d+%\)\s+\d+Mi \(\d+%\)/);
  });

  it('seeds a demo quota on limits.memory that the seed fits under', async () => {
    const quota = JSON.parse(
      await ok('get', 'resourcequota', 'pod-quota', '-n', 'demo', '-o', 'json'),
    ) as {
      status: { hard: Record<string, string>; used: Record<string, string> };
    };
    expect(quota.status.hard['limits.memory']).toBe('256Gi');
    expect(quota.status.used['limits.memory']).toBe('132Gi');
  });

  it('keeps a pod that fits on no node Pending with FailedScheduling, and schedules it once room appears', async () => {
    await ok('create', 'namespace', 'big');
    // 24Gi fits on each 32Gi node beside the seed; a fourth finds no node with room.
    await ok('apply', '-f', manifest('fill', deployment('big', 'fill', 3, '24Gi')));
    await eventually(
      'three 24Gi pods bound',
      async () => (await pods('big', 'app=fill')).filter((p) => p.spec.nodeName).length === 3,
    );
    await ok('apply', '-f', manifest('late', deployment('big', 'late', 1, '24Gi')));
    const pending = await eventually('the late pod is judged unschedulable', async () => {
      const [pod] = await pods('big', 'app=late');
      const scheduled = pod?.status?.conditions?.find((c) => c.type === 'PodScheduled');
      return scheduled?.status === 'False' ? pod : undefined;
    });
    const message =
      '0/3 nodes are available: 3 Insufficient memory. preemption: 0/3 nodes are available: 3 No preemption victims found for incoming pod.';
    expect(pending.status?.phase).toBe('Pending');
    expect(pending.status?.conditions).toContainEqual(
      expect.objectContaining({
        type: 'PodScheduled',
        status: 'False',
        reason: 'Unschedulable',
        message,
      }),
    );
    const described = await ok('describe', 'pod', pending.metadata.name, '-n', 'big');
    expect(described).toContain('FailedScheduling');
    expect(described.replace(/\s+/g, ' ')).toContain(message);
    await ok('scale', 'deployment/fill', '-n', 'big', '--replicas=2');
    const bound = await eventually('the late pod is bound', async () => {
      const [pod] = await pods('big', 'app=late');
      return pod?.spec.nodeName ? pod : undefined;
    });
    expect(bound.metadata.name).toBe(pending.metadata.name);
    // The room goes back for the tests after this one.
    await ok('delete', 'namespace', 'big', '--wait=true', '--timeout=60s');
    await eventually('the big pods are gone', async () => (await pods('big', 'app')).length === 0);
  });

  it('set resources rolls the Deployment: new pods carry the new limit, the old keep theirs until replaced', async () => {
    const before = await pods(
      'demo',
      'app.kubernetes.io/part-of=inventory,app.kubernetes.io/component=web',
    );
    expect(before.map(memoryLimit)).toEqual(['8Gi', '8Gi']);
    await ok('set', 'resources', 'deployment/inventory-web', '-c', 'web', '--limits=memory=12Gi');
    // While it rolls, any pod still from before has its own 8Gi, any new one 12Gi.
    const during = await pods(
      'demo',
      'app.kubernetes.io/part-of=inventory,app.kubernetes.io/component=web',
    );
    for (const pod of during) {
      const old = before.some((b) => b.metadata.uid === pod.metadata.uid);
      expect([pod.metadata.name, memoryLimit(pod)]).toEqual([
        pod.metadata.name,
        old ? '8Gi' : '12Gi',
      ]);
    }
    await ok('rollout', 'status', 'deployment/inventory-web', '-n', 'demo', '--timeout=60s');
    const after = await eventually('only the new pods are left', async () => {
      const now = await pods(
        'demo',
        'app.kubernetes.io/part-of=inventory,app.kubernetes.io/component=web',
      );
      return now.length === 2 && now.every((p) => memoryLimit(p) === '12Gi') ? now : undefined;
    });
    expect(after.some((p) => before.some((b) => b.metadata.uid === p.metadata.uid))).toBe(false);
    expect(after.map((p) => p.spec.containers[0]?.resources?.requests?.['memory'])).toEqual([
      '12Gi',
      '12Gi',
    ]);
  });

  it('refuses to change a running pod’s limit in place', async () => {
    const [pod] = await pods('demo', 'app.kubernetes.io/part-of=pricing-api');
    const result = await runner.run(
      'patch',
      'pod',
      pod?.metadata.name ?? '',
      '-n',
      'demo',
      '--type=strategic',
      '-p',
      '{"spec":{"containers":[{"name":"web","resources":{"limits":{"memory":"4Gi"}}}]}}',
    );
    expect(result.code).not.toBe(0);
    expect(result.stderr).toContain(
      'is invalid: spec: Forbidden: pod updates may not change fields other than',
    );
  });

  it('edit limitrange changes the default for pods created after it, and a restart brings it to an app', async () => {
    const edited = await new Promise<{ code: number; stderr: string }>((resolve) => {
      execFile(
        'kubectl',
        ['edit', 'limitrange', 'memory-defaults', '-n', 'analytics'],
        { env: { ...runner.env(), KUBE_EDITOR: "sed -i 's/memory: 8Gi/memory: 12Gi/'" } },
        (error, _stdout, stderr) => resolve({ code: error ? 1 : 0, stderr }),
      );
    });
    expect(edited).toEqual({ code: 0, stderr: '' });
    const range = JSON.parse(
      await ok('get', 'limitrange', 'memory-defaults', '-n', 'analytics', '-o', 'json'),
    ) as {
      spec: { limits: { default: Record<string, string> }[] };
    };
    expect(range.spec.limits[0]?.default['memory']).toBe('12Gi');
    // Running pods keep the default they were admitted with.
    const running = await pods('analytics', 'app.kubernetes.io/part-of=kpi-board');
    expect(running.map(memoryLimit)).toEqual(running.map(() => '8Gi'));
    await ok('rollout', 'restart', 'deployment/kpi-board-web', '-n', 'analytics');
    await ok('rollout', 'status', 'deployment/kpi-board-web', '-n', 'analytics', '--timeout=60s');
    const web = await eventually('the restarted pod carries the new default', async () => {
      const now = await pods(
        'analytics',
        'app.kubernetes.io/part-of=kpi-board,app.kubernetes.io/component=web',
      );
      return now.length === 1 && memoryLimit(now[0] as PodJson) === '12Gi' ? now[0] : undefined;
    });
    expect(web.metadata.annotations?.['kubernetes.io/limit-ranger']).toContain(
      'memory limit for container web',
    );
    const worker = await pods(
      'analytics',
      'app.kubernetes.io/part-of=kpi-board,app.kubernetes.io/component=worker',
    );
    expect(worker.map(memoryLimit)).toEqual(['8Gi']);
  });

  it('patch limitrange works, and a replace from a stale copy is refused with a conflict', async () => {
    const stale = await ok('get', 'limitrange', 'memory-defaults', '-n', 'demo', '-o', 'json');
    await ok(
      'patch',
      'limitrange',
      'memory-defaults',
      '-n',
      'demo',
      '--type=json',
      '-p',
      '[{"op":"replace","path":"/spec/limits/0/default/memory","value":"10Gi"}]',
    );
    const changed = JSON.parse(stale) as {
      spec: { limits: { default: Record<string, string> }[] };
    };
    (changed.spec.limits[0] as { default: Record<string, string> }).default['memory'] = '9Gi';
    const result = await runner.run('replace', '-f', manifest('stale-limitrange', changed));
    expect(result.code).not.toBe(0);
    expect(result.stderr).toContain(
      'the object has been modified; please apply your changes to the latest version and try again',
    );
    expect(
      await ok(
        'get',
        'limitrange',
        'memory-defaults',
        '-n',
        'demo',
        '-o',
        'jsonpath={.spec.limits[0].default.memory}',
      ),
    ).toBe('10Gi');
  });

  it('refuses a pod past the limits.memory quota with upstream’s 403, and the ReplicaSet says FailedCreate', async () => {
    await ok('create', 'namespace', 'quota-test');
    await ok(
      'apply',
      '-f',
      manifest('quota', {
        apiVersion: 'v1',
        kind: 'ResourceQuota',
        metadata: { name: 'compute', namespace: 'quota-test' },
        spec: { hard: { 'limits.memory': '48Gi', 'requests.memory': '48Gi' } },
      }),
    );
    await ok('apply', '-f', manifest('five', deployment('quota-test', 'five', 5, '8Gi')));
    await eventually(
      'five pods counted',
      async () =>
        (await ok(
          'get',
          'resourcequota',
          'compute',
          '-n',
          'quota-test',
          '-o',
          'jsonpath={.status.used.limits\\.memory}',
        )) === '40Gi',
    );
    const pod = {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name: 'one-more', namespace: 'quota-test' },
      spec: {
        containers: [{ name: 'web', image: 'x:1', resources: { limits: { memory: '12Gi' } } }],
      },
    };
    const result = await runner.run('create', '-f', manifest('one-more', pod));
    expect(result.code).not.toBe(0);
    expect(result.stderr).toContain(
      'pods "one-more" is forbidden: exceeded quota: compute, requested: limits.memory=12Gi,requests.memory=12Gi, used: limits.memory=40Gi,requests.memory=40Gi, limited: limits.memory=48Gi,requests.memory=48Gi',
    );
    await ok('scale', 'deployment/five', '-n', 'quota-test', '--replicas=7');
    const events = await eventually('a FailedCreate event', async () => {
      const out = await ok(
        'get',
        'events',
        '-n',
        'quota-test',
        '--field-selector',
        'reason=FailedCreate',
        '-o',
        'json',
      );
      const items = (JSON.parse(out) as { items: { message: string }[] }).items;
      return items.length > 0 ? items : undefined;
    });
    expect(events[0]?.message).toMatch(
      /^Error creating: pods "five-[a-z0-9]+-[a-z0-9]{5}" is forbidden: exceeded quota: compute, requested: limits\.memory=8Gi,requests\.memory=8Gi, used: limits\.memory=48Gi,requests\.memory=48Gi, limited: limits\.memory=48Gi,requests\.memory=48Gi$/,
    );
    const described = await ok('describe', 'resourcequota', 'compute', '-n', 'quota-test');
    expect(described).toMatch(/limits\.memory\s+48Gi\s+48Gi/);
  });
});
