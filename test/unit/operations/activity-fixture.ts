import type { NewActivity } from '../../../main/activity-log';

/** A replicas change of shop's web from `to - 1` to `to`, as the Scale tab would record it. */
export function replicasChange(to: number): NewActivity {
  return {
    context: 'sandbox',
    namespace: 'shop',
    app: 'shop',
    process: 'web',
    kind: 'replicas',
    from: to - 1,
    to,
    command: `kubectl scale deployment/shop-web --replicas=${to} -n shop --context sandbox`,
  };
}
