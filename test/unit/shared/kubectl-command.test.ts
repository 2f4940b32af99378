import { describe, expect, it } from 'vitest';
import {
  kubectlJsonPatch,
  kubectlRolloutRestart,
  kubectlScale,
  kubectlSequence,
  kubectlSetEnv,
  kubectlSetMemory,
  workloadOf,
  type KubectlWorkload,
} from '../../../shared/kubectl-command';

const target = { context: 'prod-eu', namespace: 'shop' };
const web: KubectlWorkload = { kind: 'Deployment', name: 'shop-web' };
const worker: KubectlWorkload = { kind: 'Deployment', name: 'shop-worker' };
const db: KubectlWorkload = { kind: 'StatefulSet', name: 'shop-db' };

describe('the kubectl command that makes the same change', () => {
  it('scales through kubectl scale', () => {
    expect(kubectlScale(target, web, 4)).toBe(
      'kubectl scale deployment/shop-web --replicas=4 -n shop --context prod-eu',
    );
  });
  it('scales a StatefulSet as statefulset/NAME', () => {
    expect(kubectlScale(target, db, 3)).toBe(
      'kubectl scale statefulset/shop-db --replicas=3 -n shop --context prod-eu',
    );
  });
  it('leaves the context to kubectl where none is known', () => {
    expect(kubectlScale({ context: null, namespace: 'shop' }, web, 0)).toBe(
      'kubectl scale deployment/shop-web --replicas=0 -n shop',
    );
  });
  it('restarts several workloads, of either kind, in one rollout restart', () => {
    expect(kubectlRolloutRestart(target, [web, worker, db])).toBe(
      'kubectl rollout restart deployment/shop-web deployment/shop-worker statefulset/shop-db -n shop --context prod-eu',
    );
  });
  it('sets an env variable on one container', () => {
    expect(kubectlSetEnv(target, web, 'web', { WEB_CONCURRENCY: '3' })).toBe(
      'kubectl set env deployment/shop-web -c web WEB_CONCURRENCY=3 -n shop --context prod-eu',
    );
  });
  it("sets one container's memory limit, and its request where it is lowered with it", () => {
    expect(kubectlSetMemory(target, web, 'web', { limit: '12Gi', request: null })).toBe(
      'kubectl set resources deployment/shop-web -c web --limits=memory=12Gi -n shop --context prod-eu',
    );
    expect(kubectlSetMemory(target, db, 'db', { limit: '4Gi', request: '4Gi' })).toBe(
      'kubectl set resources statefulset/shop-db -c db --limits=memory=4Gi --requests=memory=4Gi -n shop --context prod-eu',
    );
  });
  it('patches with a JSON patch quoted for the shell', () => {
    const command = kubectlJsonPatch(target, web, [
      { op: 'replace', path: '/spec/template/spec/containers/0/args', value: ["it's", '-w', '3'] },
    ]);
    expect(command).toBe(
      `kubectl patch deployment/shop-web --type=json -p '[{"op":"replace","path":"/spec/template/spec/containers/0/args","value":["it'\\''s","-w","3"]}]' -n shop --context prod-eu`,
    );
  });
  it('quotes a context name with spaces', () => {
    expect(
      kubectlScale({ context: 'my cluster', namespace: 'shop' }, { ...web, name: 'web' }, 1),
    ).toBe("kubectl scale deployment/web --replicas=1 -n shop --context 'my cluster'");
  });
  it('names the workload a process is, by its kind', () => {
    expect(workloadOf({ workloadKind: 'StatefulSet', deployment: 'shop-db' })).toEqual(db);
  });
  it('joins steps with &&', () => {
    expect(kubectlSequence(['a', 'b'])).toBe('a && b');
  });
});
