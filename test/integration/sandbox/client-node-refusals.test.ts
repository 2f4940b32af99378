import { AuthorizationV1Api } from '@kubernetes/client-node';
import { describe, expect, it } from 'vitest';
import { merge, patchContainer, useTestSandbox } from '../../fixtures/client-node-sandbox';
import { failure, rawRequest } from '../../fixtures/sandbox';

/**
 * What the sandbox API refuses, and to whom, as the Kubernetes Status client-node hands back:
 * conflicts, missing and invalid objects, the viewer's missing permissions, a missing token.
 */

const fx = useTestSandbox();

/** Deployments of the seed the refusals are asked about. */
const KPI_BOARD_WEB = { name: 'kpi-board-web', namespace: 'analytics' };
const FORECAST_WEB = { name: 'forecast-web', namespace: 'demo' };

describe('sandbox API with @kubernetes/client-node', () => {
  it('rejects an update carrying a stale resourceVersion with 409 Conflict', async () => {
    const stale = await fx.apps.readNamespacedDeployment(KPI_BOARD_WEB);
    const fresh = structuredClone(stale);
    fresh.metadata!.labels = { ...fresh.metadata!.labels, team: 'bi' };
    await fx.apps.replaceNamespacedDeployment({ ...KPI_BOARD_WEB, body: fresh });
    stale.spec!.replicas = 4;
    const err = await failure(
      fx.apps.replaceNamespacedDeployment({ ...KPI_BOARD_WEB, body: stale }),
    );
    expect(err.code).toBe(409);
    expect(err.body.reason).toBe('Conflict');
    expect(err.body.message).toContain('the object has been modified');
    const staleMerge = await failure(
      fx.apps.patchNamespacedDeploymentScale(
        {
          ...KPI_BOARD_WEB,
          body: {
            metadata: { resourceVersion: stale.metadata?.resourceVersion },
            spec: { replicas: 4 },
          },
        },
        merge,
      ),
    );
    expect(staleMerge.code).toBe(409);
    const now = await fx.apps.readNamespacedDeployment(KPI_BOARD_WEB);
    expect(now.spec?.replicas).toBe(1);
  });

  it('answers creating an existing object with 409 AlreadyExists and a missing one with 404 NotFound', async () => {
    const existing = await fx.apps.readNamespacedDeployment(KPI_BOARD_WEB);
    const again = await failure(
      fx.apps.createNamespacedDeployment({
        namespace: 'analytics',
        body: { metadata: { name: 'kpi-board-web' }, spec: existing.spec! },
      }),
    );
    expect(again.code).toBe(409);
    expect(again.body.reason).toBe('AlreadyExists');
    const missing = await failure(
      fx.apps.readNamespacedDeployment({ name: 'no-such-app', namespace: 'demo' }),
    );
    expect(missing.code).toBe(404);
    expect(missing.body.reason).toBe('NotFound');
    expect(missing.body.message).toBe('deployments.apps "no-such-app" not found');
  });

  it('refuses negative replicas and a malformed memory quantity with 422 Invalid, changing nothing', async () => {
    const before = await fx.apps.readNamespacedDeployment(FORECAST_WEB);
    const negative = await failure(
      fx.apps.patchNamespacedDeploymentScale(
        { ...FORECAST_WEB, body: { spec: { replicas: -1 } } },
        merge,
      ),
    );
    expect(negative.code).toBe(422);
    expect(negative.body.reason).toBe('Invalid');
    expect(negative.body.message).toContain('spec.replicas');
    expect(negative.body.message).toContain('must be greater than or equal to 0');

    const badQuantity = await failure(
      patchContainer(fx.apps, FORECAST_WEB, {
        name: 'web',
        resources: { limits: { memory: '8 gigs' } },
      }),
    );
    expect(badQuantity.code).toBe(422);
    expect(badQuantity.body.details?.causes?.[0]?.field).toBe(
      'spec.template.spec.containers[0].resources.limits[memory]',
    );
    const after = await fx.apps.readNamespacedDeployment(FORECAST_WEB);
    expect(after.metadata?.resourceVersion).toBe(before.metadata?.resourceVersion);
  });

  it('lets the viewer read but not write, with a Kubernetes 403 Status', async () => {
    const list = await fx.viewerApps.listNamespacedDeployment({ namespace: 'demo' });
    expect(list.items.length).toBeGreaterThan(0);
    const err = await failure(
      fx.viewerApps.patchNamespacedDeploymentScale(
        { ...FORECAST_WEB, body: { spec: { replicas: 3 } } },
        merge,
      ),
    );
    expect(err.code).toBe(403);
    expect(err.body.reason).toBe('Forbidden');
    expect(err.body.message).toBe(
      'deployments.apps "forecast-web" is forbidden: User "viewer" cannot patch resource "deployments/scale" in API group "apps" in the namespace "demo"',
    );
  });

  it('answers SelfSubjectAccessReviews truthfully for both users', async () => {
    const attributes = {
      namespace: 'demo',
      verb: 'patch',
      group: 'apps',
      resource: 'deployments',
      subresource: 'scale',
    };
    const ask = async (api: AuthorizationV1Api, attrs: typeof attributes) =>
      (await api.createSelfSubjectAccessReview({ body: { spec: { resourceAttributes: attrs } } }))
        .status?.allowed;
    const adminAuth = fx.admin.makeApiClient(AuthorizationV1Api);
    const viewerAuth = fx.viewer.makeApiClient(AuthorizationV1Api);
    expect(await ask(adminAuth, attributes)).toBe(true);
    expect(await ask(viewerAuth, attributes)).toBe(false);
    expect(await ask(viewerAuth, { ...attributes, verb: 'get', subresource: '' })).toBe(true);
  });

  it('refuses a request without a valid token with 401', async () => {
    const wrong = await rawRequest(fx.sandbox, '/api/v1/namespaces', 'not-a-token');
    expect(wrong.status).toBe(401);
    expect(JSON.parse(wrong.body)).toMatchObject({
      kind: 'Status',
      code: 401,
      reason: 'Unauthorized',
    });
    const none = await rawRequest(fx.sandbox, '/apis/apps/v1/deployments');
    expect(none.status).toBe(401);
  });
});
