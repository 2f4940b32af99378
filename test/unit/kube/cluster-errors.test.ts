import { ApiException, FetchError } from '@kubernetes/client-node';
import { describe, expect, it } from 'vitest';
import {
  markCredentialPluginFailure,
  RequestTimeoutError,
  toClusterError,
  type ClusterRequest,
} from '../../../main/kube/cluster-errors';

const scale: ClusterRequest = {
  verb: 'patch',
  resource: 'deployments/scale',
  namespace: 'shop',
  name: 'sales-web',
  context: 'prod',
  server: 'https://prod:6443',
};

function status(code: number, reason: string, message: string, extra: object = {}) {
  return new ApiException(
    code,
    message,
    JSON.stringify({ kind: 'Status', status: 'Failure', code, reason, message, ...extra }),
    {},
  );
}

describe('cluster errors', () => {
  it('401: credentials expired or rejected, naming the context', () => {
    const error = toClusterError(status(401, 'Unauthorized', 'Unauthorized'), scale);
    expect(error.code).toBe('UNAUTHORIZED');
    expect(error.message).toMatch(/credentials/);
    expect(error.message).toMatch(/prod/);
  });

  it('403: names the verb, the resource and the namespace', () => {
    const error = toClusterError(
      status(
        403,
        'Forbidden',
        'deployments.apps "sales-web" is forbidden: User "viewer" cannot patch resource "deployments/scale"',
      ),
      scale,
    );
    expect(error.code).toBe('FORBIDDEN');
    expect(error.message).toContain('patch deployments/scale "sales-web" in namespace "shop"');
    expect(error.details).toMatchObject({
      verb: 'patch',
      resource: 'deployments/scale',
      namespace: 'shop',
    });
  });

  it('403 from an exceeded quota is a quota error', () => {
    const error = toClusterError(
      status(403, 'Forbidden', 'pods "x" is forbidden: exceeded quota: pods, requested: pods=1'),
      {
        verb: 'create',
        resource: 'pods',
        namespace: 'shop',
      },
    );
    expect(error.code).toBe('QUOTA_EXCEEDED');
  });

  it('404, 409 and 422 map to NOT_FOUND, CONFLICT and INVALID with the causes', () => {
    expect(
      toClusterError(status(404, 'NotFound', 'deployments.apps "x" not found'), scale).code,
    ).toBe('NOT_FOUND');
    expect(
      toClusterError(status(409, 'Conflict', 'the object has been modified'), scale).code,
    ).toBe('CONFLICT');
    const invalid = toClusterError(
      status(422, 'Invalid', 'Scale.autoscaling "x" is invalid', {
        details: {
          causes: [{ field: 'spec.replicas', message: 'must be greater than or equal to 0' }],
        },
      }),
      scale,
    );
    expect(invalid.code).toBe('INVALID');
    expect(invalid.details?.['causes']).toEqual([
      'spec.replicas: must be greater than or equal to 0',
    ]);
  });

  it("maps a watch's HTTP status the same way", () => {
    const error = Object.assign(new Error('Forbidden'), { statusCode: 403 });
    expect(
      toClusterError(error, { verb: 'watch', resource: 'pods', namespace: null }).message,
    ).toContain('watch pods in all namespaces');
  });

  it('connection refused, DNS and timeouts are UNREACHABLE', () => {
    const refused = new FetchError(
      'request to https://prod:6443/api failed, reason: connect ECONNREFUSED 127.0.0.1:6443',
      'system',
      {
        code: 'ECONNREFUSED',
      } as unknown as Error,
    );
    expect(toClusterError(refused, scale).code).toBe('UNREACHABLE');
    expect(
      toClusterError(
        Object.assign(new Error('getaddrinfo ENOTFOUND prod'), { code: 'ENOTFOUND' }),
        scale,
      ).code,
    ).toBe('UNREACHABLE');
    expect(toClusterError(new RequestTimeoutError(30_000), scale).code).toBe('UNREACHABLE');
  });

  it('a network failure folded by Metrics into a 500 is still UNREACHABLE, with the system code', () => {
    const folded = new ApiException(
      500,
      'Error occurred in metrics request: request to https://x failed, reason: connect ECONNREFUSED 127.0.0.1:1',
      {},
      {},
    );
    const error = toClusterError(folded, {
      verb: 'list',
      resource: 'pods.metrics.k8s.io',
      namespace: 'shop',
    });
    expect(error.code).toBe('UNREACHABLE');
    expect(error.details?.['code']).toBe('ECONNREFUSED');
  });

  it('an untrusted certificate is TLS', () => {
    const error = Object.assign(new Error('self-signed certificate in certificate chain'), {
      code: 'SELF_SIGNED_CERT_IN_CHAIN',
    });
    const mapped = toClusterError(error, scale);
    expect(mapped.code).toBe('TLS');
    expect(mapped.message).toMatch(/certificate/);
  });

  it('a missing credential plugin is UNAUTHORIZED, a missing certificate file KUBECONFIG', () => {
    const spawn = Object.assign(new Error('spawn kubelogin ENOENT'), {
      code: 'ENOENT',
      syscall: 'spawn kubelogin',
    });
    expect(toClusterError(spawn, scale).code).toBe('UNAUTHORIZED');
    const file = Object.assign(new Error("ENOENT: no such file or directory, open '/x/ca.crt'"), {
      code: 'ENOENT',
      path: '/x/ca.crt',
    });
    const mapped = toClusterError(file, scale);
    expect(mapped.code).toBe('KUBECONFIG');
    expect(mapped.message).toContain('/x/ca.crt');
  });

  it('a credential plugin that failed is UNAUTHORIZED, quoting only its first line, redacted', () => {
    // client-node rejects with a bare Error of everything the plugin wrote to stderr.
    const error = new Error(
      '\nerror: token=SECRET-abc123 was refused\nsecond line: eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ4In0.c2ln\n',
    );
    markCredentialPluginFailure(error);
    const mapped = toClusterError(error, scale);
    expect(mapped.code).toBe('UNAUTHORIZED');
    expect(mapped.message).toBe(
      'The credential plugin of the kubeconfig failed: error: token=[redacted] was refused. Log in again or fix the plugin, then reconnect.',
    );
    expect(mapped.details?.['cause']).toBe('error: token=[redacted] was refused');
    expect(JSON.stringify(mapped.toContract())).not.toMatch(/SECRET|second line|eyJ/);
  });

  it("does not quote a plugin's output that is not JSON", () => {
    let error: unknown;
    try {
      JSON.parse('token-in-plain-text-1234');
    } catch (caught) {
      error = caught;
    }
    markCredentialPluginFailure(error);
    const mapped = toClusterError(error, scale);
    expect(mapped.code).toBe('UNAUTHORIZED');
    expect(mapped.message).not.toContain('token-in-plain-text');
    expect(mapped.message).toContain('not the JSON of an ExecCredential');
  });

  it('a bare Error not from a plugin keeps its INTERNAL mapping', () => {
    expect(toClusterError(new Error('No active cluster!'), scale).code).toBe('INTERNAL');
  });

  it('shows the server without the user and password of its URL', () => {
    const refused = Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' });
    const mapped = toClusterError(refused, { ...scale, server: 'https://alice:pw-9@prod:6443' });
    expect(mapped.message).toContain('(https://prod:6443)');
    expect(mapped.message).not.toContain('alice');
  });
});

describe('throttling (429) keeps its own wording', () => {
  const podsList: ClusterRequest = {
    verb: 'list',
    resource: 'pods',
    namespace: 'shop',
    context: 'prod',
    server: 'https://prod:6443',
  };

  function tooMany(headers: Record<string, string>, details?: object) {
    return new ApiException(
      429,
      'Too Many Requests',
      JSON.stringify({
        kind: 'Status',
        status: 'Failure',
        code: 429,
        reason: 'TooManyRequests',
        message: 'Too many requests, please try again later.',
        ...(details ? { details } : {}),
      }),
      headers,
    );
  }

  it('is THROTTLED, not UNREACHABLE, waiting what Retry-After says', () => {
    const error = toClusterError(tooMany({ 'retry-after': '3' }), podsList);
    expect(error.code).toBe('THROTTLED');
    expect(error.message).toBe(
      'The cluster is throttling requests (429 Too Many Requests); retrying after 3 s.',
    );
    expect(error.details).toMatchObject({ status: 429, retryAfterSeconds: 3, resource: 'pods' });
  });

  it("reads the wait from the Status's retryAfterSeconds, or from a Retry-After date", () => {
    expect(
      toClusterError(tooMany({}, { retryAfterSeconds: 2 }), podsList).details?.[
        'retryAfterSeconds'
      ],
    ).toBe(2);
    const inFiveSeconds = new Date(Date.now() + 4_500).toUTCString();
    const wait = toClusterError(tooMany({ 'Retry-After': inFiveSeconds }), podsList).details?.[
      'retryAfterSeconds'
    ];
    expect(wait).toBeGreaterThanOrEqual(3);
    expect(wait).toBeLessThanOrEqual(5);
  });

  it("says 'shortly' where the cluster said no wait, as for a watch's refusal", () => {
    const refused = Object.assign(new Error('Too Many Requests'), { statusCode: 429 });
    const error = toClusterError(refused, { ...podsList, verb: 'watch' });
    expect(error.code).toBe('THROTTLED');
    expect(error.message).toBe(
      'The cluster is throttling requests (429 Too Many Requests); retrying shortly.',
    );
    expect(error.details?.['retryAfterSeconds']).toBeNull();
  });

  it('tells the admin to try a write again, as nothing retries it', () => {
    const error = toClusterError(tooMany({ 'retry-after': '1' }), scale);
    expect(error.code).toBe('THROTTLED');
    expect(error.message).toBe(
      'The cluster is throttling requests (429 Too Many Requests); try again after 1 s.',
    );
  });

  it('a 5xx is still UNREACHABLE', () => {
    const error = toClusterError(
      status(503, 'ServiceUnavailable', 'the server is currently unable to handle the request'),
      podsList,
    );
    expect(error.code).toBe('UNREACHABLE');
    expect(error.message).toContain('(HTTP 503)');
  });
});
