import http from 'node:http';
import https from 'node:https';
import type { KubeConfig, V1Service } from '@kubernetes/client-node';
import { COMPONENT_LABEL, PART_OF_LABEL, type EndpointHealth } from '../../shared/app-model';

/**
 * Whether an app answers, how fast and how often it fails: a GET of its web Service through the
 * API server's service proxy (with the kubeconfig's own credentials, applied by client-node), or
 * of the app's own URL where the admin configured one. The error rate is over the last
 * {@link ERROR_WINDOW} probes; crossing the latency or error thresholds (settings) is said in
 * the health's message.
 */

export const ERROR_WINDOW = 20;

export interface ProbeResult {
  at: number;
  /** The app answered (any status below 500). */
  ok: boolean;
  /**
   * The API server refused the probe (401 or 403 on services/proxy) before it reached the app:
   * neither an answer nor an error of the app's.
   */
  refused: boolean;
  latencyMs: number | null;
  status: number | null;
  message: string | null;
}

export interface WebService {
  name: string;
  port: number | string;
}

/** The Service in front of the app's web process: labelled for the app and `web`, or selecting its web pods. */
export function webServiceOf(
  services: Iterable<V1Service>,
  namespace: string,
  app: string,
): WebService | null {
  let bySelector: V1Service | null = null;
  for (const service of services) {
    if (service.metadata?.namespace !== namespace) continue;
    const port = service.spec?.ports?.[0];
    if (!port) continue;
    const labels = service.metadata?.labels ?? {};
    const selector = service.spec?.selector ?? {};
    if (labels[PART_OF_LABEL] === app && labels[COMPONENT_LABEL] === 'web') {
      return { name: service.metadata?.name ?? '', port: port.port };
    }
    if (selector[PART_OF_LABEL] === app && selector[COMPONENT_LABEL] === 'web')
      bySelector ??= service;
  }
  const port = bySelector?.spec?.ports?.[0];
  return bySelector && port ? { name: bySelector.metadata?.name ?? '', port: port.port } : null;
}

export function serviceProxyUrl(server: string, namespace: string, service: WebService): string {
  const base = server.replace(/\/+$/, '');
  return `${base}/api/v1/namespaces/${encodeURIComponent(namespace)}/services/${encodeURIComponent(service.name)}:${service.port}/proxy/`;
}

/** Through the API server's service proxy: with the kubeconfig's credentials, into a namespace. */
export interface ViaCluster {
  kubeConfig: KubeConfig;
  namespace: string;
}

/** The most of a refusal's body read to tell the API server's Status from the app's own page. */
const STATUS_BODY_LIMIT = 64 * 1024;

/**
 * A 401 or 403 through the proxy is the API server's where its body is a Kubernetes Status: the
 * app behind the proxy may answer 401 or 403 itself, which is the app answering.
 */
function refusedByCluster(status: number, body: string): boolean {
  if (status !== 401 && status !== 403) return false;
  try {
    const parsed: unknown = JSON.parse(body);
    return (
      typeof parsed === 'object' && parsed !== null && 'kind' in parsed && parsed.kind === 'Status'
    );
  } catch {
    return false;
  }
}

function refusal(status: number, namespace: string): string {
  return status === 403
    ? `Cannot check this app: you may not use services/proxy in namespace ${namespace}.`
    : `Cannot check this app: the cluster did not accept your credentials for services/proxy in namespace ${namespace} (HTTP 401).`;
}

/**
 * One GET, timed to the last byte. Through the cluster (`via` given) the request carries the
 * kubeconfig's TLS and credentials; to an app's own URL it carries none, so credentials never go
 * anywhere but the API server. 5xx, network failures and timeouts count as errors; the API
 * server's own 401 or 403 is a refusal (nothing known of the app); any other answer means the
 * app answers.
 */
export async function probe(
  url: string,
  via: ViaCluster | null,
  timeoutMs: number,
): Promise<ProbeResult> {
  const startedAt = Date.now();
  const options: https.RequestOptions = {};
  try {
    if (via) await via.kubeConfig.applyToHTTPSOptions(options);
  } catch (error) {
    return {
      at: startedAt,
      ok: false,
      refused: false,
      latencyMs: null,
      status: null,
      message: (error as Error).message,
    };
  }
  const client = url.startsWith('https:') ? https : http;
  return new Promise<ProbeResult>((resolve) => {
    let settled = false;
    const done = (result: Omit<ProbeResult, 'at'>) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      resolve({ at: startedAt, ...result });
    };
    const request = client.request(url, { ...options, method: 'GET' }, (response) => {
      const status = response.statusCode ?? 0;
      const keep = via !== null && (status === 401 || status === 403);
      let body = '';
      response.setEncoding('utf8');
      response.on('data', (chunk: string) => {
        if (keep && body.length < STATUS_BODY_LIMIT) body += chunk;
      });
      response.on('error', (error) =>
        done({ ok: false, refused: false, latencyMs: null, status: null, message: error.message }),
      );
      response.on('end', () => {
        if (via && refusedByCluster(status, body)) {
          done({
            ok: false,
            refused: true,
            latencyMs: null,
            status,
            message: refusal(status, via.namespace),
          });
          return;
        }
        const ok = status > 0 && status < 500;
        done({
          ok,
          refused: false,
          latencyMs: Date.now() - startedAt,
          status,
          message: ok ? null : `HTTP ${status} ${response.statusMessage ?? ''}`.trim(),
        });
      });
    });
    const timer = setTimeout(() => {
      request.destroy();
      done({
        ok: false,
        refused: false,
        latencyMs: null,
        status: null,
        message: `no answer within ${timeoutMs} ms`,
      });
    }, timeoutMs);
    request.on('error', (error) =>
      done({ ok: false, refused: false, latencyMs: null, status: null, message: error.message }),
    );
    request.end();
  });
}

export interface Thresholds {
  latencyThresholdMs: number;
  errorRateThreshold: number;
}

/** The recent probes of each app and the health they add up to. */
export class EndpointMonitor {
  private readonly results = new Map<string, ProbeResult[]>();

  record(appId: string, result: ProbeResult): void {
    let list = this.results.get(appId);
    if (!list) {
      list = [];
      this.results.set(appId, list);
    }
    list.push(result);
    if (list.length > ERROR_WINDOW) list.splice(0, list.length - ERROR_WINDOW);
  }

  latest(appId: string): ProbeResult | undefined {
    const list = this.results.get(appId);
    return list?.[list.length - 1];
  }

  /** Over the probes that reached the app (a refusal tells nothing of it); null: none did. */
  errorRate(appId: string): number | null {
    const list = this.results.get(appId)?.filter((r) => !r.refused);
    if (!list || list.length === 0) return null;
    return list.filter((r) => !r.ok).length / list.length;
  }

  health(appId: string, thresholds: Thresholds): EndpointHealth | null {
    const last = this.latest(appId);
    if (!last) return null;
    if (last.refused) {
      return {
        state: 'cannot-check',
        latencyMs: null,
        errorRate: null,
        checkedAt: new Date(last.at).toISOString(),
        message: last.message,
      };
    }
    const errorRate = this.errorRate(appId) ?? 0;
    let message = last.message;
    if (last.ok && last.latencyMs !== null && last.latencyMs > thresholds.latencyThresholdMs) {
      message = `Slow: answered in ${last.latencyMs} ms, over the ${thresholds.latencyThresholdMs} ms threshold.`;
    }
    if (errorRate > thresholds.errorRateThreshold) {
      const rate = `${Math.round(errorRate * 1000) / 10}%`;
      const limit = `${Math.round(thresholds.errorRateThreshold * 1000) / 10}%`;
      const checks = this.results.get(appId)?.filter((r) => !r.refused).length ?? 0;
      const failing = `${rate} of the last ${checks} checks failed, over the ${limit} threshold.`;
      message = message ? `${failing} ${message}` : failing;
    }
    return {
      state: last.ok ? 'answering' : 'not-answering',
      latencyMs: last.ok ? last.latencyMs : null,
      errorRate,
      checkedAt: new Date(last.at).toISOString(),
      message,
    };
  }

  forget(appId: string): void {
    this.results.delete(appId);
  }
}
