import type { IncomingMessage, ServerResponse } from 'node:http';
import { ApiError, notFound } from './api-errors';
import type { LoadModel } from './load-model';
import type { KubeObject, Pod, Service } from './kube-types';
import type { ObjectStore } from './object-store';
import { isActive, isPodReady } from './replicaset-controller';
import { TYPES } from './resource-types';

/**
 * The API server's service proxy (`/api/v1/namespaces/NS/services/NAME[:PORT]/proxy/PATH`):
 * the request goes to one of the Service's ready endpoints, here the simulated app, which
 * answers after the load model's response time with its status. With no ready endpoint the API
 * server itself answers 503, as a real one does.
 */

export function readyEndpoints(store: ObjectStore, service: Service): Pod[] {
  const selector = service.spec.selector;
  if (!selector || Object.keys(selector).length === 0) return [];
  const out: Pod[] = [];
  for (const object of store.each(TYPES.pods, service.metadata.namespace)) {
    const pod = object as Pod;
    const labels = pod.metadata.labels ?? {};
    if (!Object.entries(selector).every(([k, v]) => labels[k] === v)) continue;
    if (isActive(pod) && isPodReady(pod)) out.push(pod);
  }
  return out;
}

function appOf(service: KubeObject): string {
  return service.metadata.labels?.['app.kubernetes.io/part-of'] ?? service.metadata.name ?? '';
}

/** A health check (or Dash's own layout calls): it answers from the app's process, not its views. */
const HEALTH_PATH = /(^|\/)(healthz|_health|_dash-layout|_dash-dependencies)$/;

function page(app: string, path: string): { type: string; body: string } {
  if (HEALTH_PATH.test(path)) {
    return { type: 'application/json', body: JSON.stringify({ status: 'ok', app }) };
  }
  return {
    type: 'text/html; charset=utf-8',
    body: `<!DOCTYPE html>\n<html><head><title>${app}</title></head><body><div id="react-entry-point"><div class="_dash-loading">Loading...</div></div></body></html>\n`,
  };
}

const ERROR_PAGES: Record<number, string> = {
  500: '<!doctype html>\n<html lang=en>\n<title>500 Internal Server Error</title>\n<h1>Internal Server Error</h1>\n<p>The server encountered an internal error and was unable to complete your request.</p>\n',
  502: '<html><head><title>502 Bad Gateway</title></head><body><h1>Bad Gateway</h1><p>The worker timed out.</p></body></html>\n',
};

export async function proxyToService(
  store: ObjectStore,
  load: LoadModel,
  namespace: string,
  nameAndPort: string,
  path: string,
  req: IncomingMessage,
  res: ServerResponse,
): Promise<void> {
  const parts = nameAndPort.split(':');
  // `scheme:name:port`, `name:port` or `name`.
  const name = parts.length === 3 ? (parts[1] ?? '') : (parts[0] ?? '');
  const port = parts.length === 3 ? parts[2] : parts[1];
  const service = store.get(TYPES.services, namespace, name) as Service | undefined;
  if (!service) throw notFound('services', '', name);
  const ports = service.spec.ports ?? [];
  if (port && !ports.some((p) => String(p.port) === port || p.name === port)) {
    throw new ApiError(
      503,
      'ServiceUnavailable',
      `no endpoints available for service "${nameAndPort}"`,
    );
  }
  const endpoints = readyEndpoints(store, service);
  if (endpoints.length === 0) {
    throw new ApiError(503, 'ServiceUnavailable', `no endpoints available for service "${name}"`);
  }
  const app = appOf(service);
  const drawn = load.request(namespace, app, endpoints);
  // The odd 500 a healthy app serves comes from its views; a health check of a worker that is
  // not overloaded answers (a 502 of an overloaded one still reaches it).
  const outcome =
    drawn.status === 500 && HEALTH_PATH.test(path) ? { ...drawn, status: 200 } : drawn;
  await new Promise((resolve) => setTimeout(resolve, outcome.delayMs));
  if (res.destroyed) return;
  const served =
    outcome.status === 200
      ? page(app, path)
      : { type: 'text/html; charset=utf-8', body: ERROR_PAGES[outcome.status] ?? '' };
  res.writeHead(outcome.status, {
    'Content-Type': served.type,
    'Content-Length': Buffer.byteLength(served.body),
    Server: 'gunicorn',
  });
  res.end(req.method === 'HEAD' ? undefined : served.body);
}
