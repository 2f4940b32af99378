import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { createServer, type Server } from 'node:https';
import type { Socket } from 'node:net';
import { ApiError, badRequest, methodNotAllowed } from './api-errors';
import {
  authenticate,
  authorizeNonResource,
  authorizeResource,
  forbidden,
  unauthorized,
  type ResourceAttributes,
  type Tokens,
  type UserInfo,
} from './authorization';
import {
  apiGroupDocument,
  apiGroupList,
  apiResourceList,
  apiVersions,
  SERVER_VERSION,
} from './discovery';
import { injectedFailure, metricsApiFailure, servedGroups, type SandboxFaults } from './faults';
import { execPluginUserOf, type ExecPlugin } from './exec-plugin';
import { openApiDocument, openApiRoot } from './openapi';
import type { KubeObject, Pod } from './kube-types';
import type { LoadModel } from './load-model';
import type { MetricsServer } from './metrics-server';
import type { ObjectStore } from './object-store';
import { fieldManagerFor } from './managed-fields';
import { Registry, type DeleteOptions } from './registry';
import { apiVersionOf, findResourceType, type ResourceType } from './resource-types';
import { listPage } from './list-pages';
import { combine, labelMatcher, type Matcher } from './selectors';
import { podLogs } from './pod-logs';
import { decodeProtobufBody, isProtobuf } from './protobuf-body';
import { duplicateFields } from './duplicate-fields';
import { fieldSelectorMatcher } from './field-selectors';
import { checkFields, decodingPrefix, fieldValidationMode, modelOf } from './field-validation';
import { boolParam, intParam } from './query-params';
import { negotiate, renderObjects, watchRenderer, type MediaRequest } from './representation';
import { selfReview } from './self-reviews';
import { proxyToService } from './service-proxy';
import { toServedVersion } from './version-conversion';
import { serveWatch, type WatchStream } from './watch';

/**
 * The Kubernetes API server on 127.0.0.1 over HTTPS: authentication by bearer token,
 * authorization, discovery, the REST verbs on every served resource (get, list with selectors
 * and paging, watch, create, update, patch, delete, deletecollection), the scale and status
 * subresources, the service proxy, the metrics API, server-side Table printing for kubectl, and
 * the fault gate in front of it all. Restart and down periods keep every object: only the
 * listening socket and the connections go.
 */

export interface ApiServerDeps {
  store: ObjectStore;
  registry: Registry;
  metrics: MetricsServer;
  load: LoadModel;
  tokens: Tokens;
  /** The exec credential plugin's tokens, beside the static ones (exec-plugin.ts). */
  execPlugin?: ExecPlugin;
  faults: SandboxFaults;
  bookmarkIntervalMs: number;
}

interface Route {
  type: ResourceType;
  namespace: string | undefined;
  name: string | undefined;
  subresource: string | undefined;
  /** Path after `proxy` for the service proxy. */
  rest: string;
}

const MAX_BODY_BYTES = 3 * 1024 * 1024;

/** The `labelSelector` and `fieldSelector` of a request, the fields checked for the resource. */
function selection(type: ResourceType, q: URLSearchParams): Matcher {
  return combine(
    labelMatcher(q.get('labelSelector')),
    fieldSelectorMatcher(type, q.get('fieldSelector')),
  );
}

function sendJson(res: ServerResponse, code: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(code, {
    'Content-Type': 'application/json',
    'Cache-Control': 'no-cache, private',
    'Content-Length': Buffer.byteLength(text),
    'Audit-Id': randomUUID(),
  });
  res.end(text);
}

function sendError(res: ServerResponse, error: ApiError): void {
  if (res.headersSent) {
    res.destroy();
    return;
  }
  const headers: Record<string, string> = {};
  const retryAfter = error.details?.retryAfterSeconds;
  // 0: no header, as upstream sends none (an eviction a disruption budget refuses).
  if (retryAfter !== undefined) {
    if (retryAfter > 0) headers['Retry-After'] = String(retryAfter);
  } else if (error.code === 429) headers['Retry-After'] = '1';
  const text = JSON.stringify(error.toStatus());
  res.writeHead(error.code, {
    'Content-Type': 'application/json',
    'Cache-Control': 'no-cache, private',
    'Content-Length': String(Buffer.byteLength(text)),
    ...headers,
  });
  res.end(text);
}

/** A decoded body, and its JSON text where it came as JSON (duplicate keys are found in it). */
interface Body {
  value: unknown;
  json?: string;
}

async function readBody(req: IncomingMessage): Promise<unknown> {
  return (await readBodyAndText(req)).value;
}

async function readBodyAndText(req: IncomingMessage): Promise<Body> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    const buf = chunk as Buffer;
    size += buf.length;
    if (size > MAX_BODY_BYTES)
      throw new ApiError(413, 'RequestEntityTooLarge', 'request is too large');
    chunks.push(buf);
  }
  const raw = Buffer.concat(chunks);
  if (isProtobuf(req.headers['content-type'])) return { value: decodeProtobufBody(raw) };
  const text = raw.toString('utf8').trim();
  if (text === '') return { value: undefined };
  try {
    return { value: JSON.parse(text), json: text };
  } catch (e) {
    throw badRequest(
      `the request body could not be decoded as JSON: ${e instanceof Error ? e.message : String(e)}`,
    );
  }
}

function verbOf(method: string, route: Route, watch: boolean, legacyWatch: boolean): string {
  if (route.subresource === 'proxy') {
    return (
      { GET: 'get', HEAD: 'get', POST: 'create', PUT: 'update', PATCH: 'patch', DELETE: 'delete' }[
        method
      ] ?? 'get'
    );
  }
  switch (method) {
    case 'GET':
    case 'HEAD':
      // A named object is watched only on the legacy `/watch/` path (a watch of one object).
      if (route.name) return legacyWatch ? 'watch' : 'get';
      return watch ? 'watch' : 'list';
    case 'POST':
      return 'create';
    case 'PUT':
      return 'update';
    case 'PATCH':
      return 'patch';
    case 'DELETE':
      return route.name ? 'delete' : 'deletecollection';
    default:
      return method.toLowerCase();
  }
}

export class ApiServer {
  private server: Server | undefined;
  private readonly sockets = new Set<Socket>();
  private readonly watches = new Set<WatchStream>();
  private port = 0;
  private total = 0;
  private readonly byVerb = new Map<string, number>();
  private stopped = false;

  constructor(
    private readonly deps: ApiServerDeps,
    private readonly tls: { cert: string; key: string },
  ) {}

  get listeningPort(): number {
    return this.port;
  }

  requestCount(): number {
    return this.total;
  }

  requestCountsByVerb(): Record<string, number> {
    return Object.fromEntries(this.byVerb);
  }

  async listen(port: number): Promise<number> {
    const server = createServer({ cert: this.tls.cert, key: this.tls.key }, (req, res) => {
      void this.handle(req, res);
    });
    server.keepAliveTimeout = 60_000;
    // Every TCP connection, tracked from accept (not from the end of the TLS handshake), so a
    // close cuts them all at once: one still in its handshake would otherwise keep the old
    // server alive for a keep-alive period and delay a restart by as much.
    server.on('connection', (socket: Socket) => {
      this.sockets.add(socket);
      socket.on('close', () => this.sockets.delete(socket));
    });
    server.on('tlsClientError', () => undefined);
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, '127.0.0.1', () => {
        server.off('error', reject);
        resolve();
      });
    });
    const address = server.address();
    this.port = typeof address === 'object' && address ? address.port : port;
    this.server = server;
    return this.port;
  }

  cutWatches(): number {
    const streams = [...this.watches];
    for (const w of streams) w.close();
    return streams.length;
  }

  async close(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    this.cutWatches();
    if (!server) return;
    const closed = new Promise<void>((resolve) => server.close(() => resolve()));
    server.closeAllConnections();
    for (const socket of this.sockets) socket.destroy();
    this.sockets.clear();
    await closed;
  }

  /** Stops and listens again on the same port; objects and simulation are untouched. */
  async restart(): Promise<void> {
    if (this.stopped) throw new Error('the sandbox is stopped; it cannot restart');
    await this.close();
    await this.listen(this.port);
  }

  async down(ms: number): Promise<void> {
    await this.close();
    await new Promise((resolve) => setTimeout(resolve, ms));
    // Stopped meanwhile: stay down.
    if (!this.stopped) await this.listen(this.port);
  }

  /** Closes for good: a down period running now does not come back up. */
  async stop(): Promise<void> {
    this.stopped = true;
    await this.close();
  }

  private count(verb: string): void {
    this.byVerb.set(verb, (this.byVerb.get(verb) ?? 0) + 1);
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    this.total++;
    try {
      await this.route(req, res);
    } catch (error) {
      if (error instanceof ApiError) sendError(res, error);
      else {
        console.error('sandbox api server error:', error);
        sendError(
          res,
          new ApiError(
            500,
            'InternalError',
            `Internal error occurred: ${error instanceof Error ? error.message : String(error)}`,
          ),
        );
      }
    }
  }

  private async route(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'https://127.0.0.1');
    const path = url.pathname.length > 1 ? url.pathname.replace(/\/+$/, '') : url.pathname;
    const method = req.method ?? 'GET';

    if (path === '/healthz' || path === '/livez' || path === '/readyz') {
      this.count('health');
      res.writeHead(200, { 'Content-Type': 'text/plain; charset=utf-8' });
      res.end('ok');
      return;
    }
    const user =
      authenticate(req.headers.authorization, this.deps.tokens) ??
      execPluginUserOf(req.headers.authorization, this.deps.execPlugin);
    if (!user) {
      this.count('unauthorized');
      throw unauthorized();
    }

    const faults = this.deps.faults;
    if (faults.latencyMs > 0) await new Promise((r) => setTimeout(r, faults.latencyMs));
    const failure = injectedFailure(faults);
    if (failure === 429) {
      this.count('throttled');
      throw new ApiError(429, 'TooManyRequests', 'Too many requests, please try again later.', {
        retryAfterSeconds: 1,
      });
    }
    if (failure === 500) {
      this.count('failed');
      throw new ApiError(500, 'InternalError', 'Internal error occurred: injected fault');
    }
    const metricsFailure = metricsApiFailure(faults, path);
    if (metricsFailure) {
      this.count('failed');
      throw metricsFailure;
    }

    if (!path.startsWith('/api/') && !path.startsWith('/apis') && path !== '/api') {
      this.count('discovery');
      if (!authorizeNonResource(user, { verb: method.toLowerCase(), path }).allowed) {
        throw new ApiError(
          403,
          'Forbidden',
          `forbidden: User "${user.name}" cannot ${method.toLowerCase()} path "${path}"`,
        );
      }
      if (path === '/version') return sendJson(res, 200, SERVER_VERSION);
      if (path === '/openapi/v3') return sendJson(res, 200, openApiRoot());
      if (path.startsWith('/openapi/v3/')) {
        const doc = openApiDocument(path.slice('/openapi/v3/'.length));
        if (doc) return sendJson(res, 200, doc);
      }
      throw new ApiError(404, 'NotFound', 'the server could not find the requested resource');
    }
    if (path === '/api') {
      this.count('discovery');
      return sendJson(res, 200, apiVersions(`127.0.0.1:${this.port}`));
    }
    if (path === '/apis') {
      this.count('discovery');
      return sendJson(res, 200, servedGroups(faults, apiGroupList()));
    }

    const segments = path.split('/').slice(1).map(decodeURIComponent);
    let group: string;
    let version: string;
    let rest: string[];
    if (segments[0] === 'api') {
      group = '';
      version = segments[1] ?? '';
      rest = segments.slice(2);
    } else {
      group = segments[1] ?? '';
      if (segments.length === 2) {
        this.count('discovery');
        const doc = apiGroupDocument(group);
        if (!doc)
          throw new ApiError(404, 'NotFound', 'the server could not find the requested resource');
        return sendJson(res, 200, doc);
      }
      version = segments[2] ?? '';
      rest = segments.slice(3);
    }
    if (rest.length === 0) {
      this.count('discovery');
      const list = apiResourceList(group, version);
      if (!list)
        throw new ApiError(404, 'NotFound', 'the server could not find the requested resource');
      return sendJson(res, 200, list);
    }

    const watch = boolParam(url.searchParams, 'watch');
    const legacyWatch = rest[0] === 'watch';
    if (legacyWatch) rest = rest.slice(1);
    const route = this.parseRoute(group, version, rest);
    const verb = verbOf(method, route, watch || legacyWatch, legacyWatch);
    this.count(route.subresource === 'proxy' ? 'proxy' : verb);
    const attrs: ResourceAttributes = {
      verb,
      group,
      resource: route.type.resource,
      subresource: route.subresource,
      namespace: route.namespace,
      name: route.name,
    };
    if (!authorizeResource(user, attrs).allowed) throw forbidden(user, attrs);
    if (!route.type.verbs.includes(verb) && route.subresource === undefined) {
      throw methodNotAllowed();
    }
    if (
      route.subresource !== undefined &&
      !route.type.subresources.some((s) => s.name === route.subresource)
    ) {
      throw new ApiError(404, 'NotFound', 'the server could not find the requested resource');
    }
    await this.serve(req, res, url, route, verb, user);
  }

  private parseRoute(group: string, version: string, rest: string[]): Route {
    const notFoundRoute = (): ApiError =>
      new ApiError(404, 'NotFound', 'the server could not find the requested resource');
    if (rest[0] === 'namespaces' && rest.length >= 3) {
      const namespaced = findResourceType(group, version, rest[2] ?? '');
      if (namespaced?.namespaced) {
        return {
          type: namespaced,
          namespace: rest[1],
          name: rest[3],
          subresource: rest[4],
          rest: rest.slice(5).join('/'),
        };
      }
    }
    const type = findResourceType(group, version, rest[0] ?? '');
    if (!type) throw notFoundRoute();
    if (type.namespaced && rest.length > 1) throw notFoundRoute();
    return {
      type,
      namespace: undefined,
      name: rest[1],
      subresource: rest[2],
      rest: rest.slice(3).join('/'),
    };
  }

  private async serve(
    req: IncomingMessage,
    res: ServerResponse,
    url: URL,
    route: Route,
    verb: string,
    user: UserInfo,
  ): Promise<void> {
    const { type, name, subresource } = route;
    const namespace = route.namespace ?? '';
    const q = url.searchParams;
    const dryRun = q.getAll('dryRun');
    if (dryRun.some((d) => d !== 'All')) {
      throw badRequest(
        `dryRun: Unsupported value: "${dryRun.find((d) => d !== 'All')}": supported values: "All"`,
      );
    }
    const registry = (
      dryRun.length > 0 ? Registry.dryRun(this.deps.store) : this.deps.registry
    ).managedBy(fieldManagerFor(verb, q, req.headers['user-agent']));

    if (subresource === 'proxy') {
      if (type.resource !== 'services' || !name)
        throw new ApiError(404, 'NotFound', 'the server could not find the requested resource');
      await proxyToService(this.deps.store, this.deps.load, namespace, name, route.rest, req, res);
      return;
    }
    if (type.group === 'metrics.k8s.io') return this.serveMetrics(res, route, q);
    if (subresource === 'log') {
      const pod = registry.get(type, namespace, name ?? '') as Pod;
      const text = podLogs(pod, {
        container: q.get('container'),
        previous: boolParam(q, 'previous'),
        tailLines: intParam(q.get('tailLines'), 'tailLines'),
      });
      res.writeHead(200, { 'Content-Type': 'text/plain', 'Cache-Control': 'no-cache, private' });
      res.end(text);
      return;
    }
    if (!type.stored) {
      if (verb !== 'create') throw methodNotAllowed();
      return sendJson(res, 201, selfReview(type, user, await readBody(req)));
    }
    if (subresource === 'eviction') {
      return sendJson(res, 201, registry.evict(namespace, name ?? '', await readBody(req)));
    }
    const media = negotiate(req.headers.accept);

    switch (verb) {
      case 'get': {
        // A Scale is not printed as its parent kind: it goes as plain JSON whatever was asked.
        if (subresource === 'scale')
          return sendJson(res, 200, registry.getScale(type, namespace, name ?? ''));
        const object = registry.get(type, namespace, name ?? '');
        return sendJson(res, 200, renderObjects(type, [object], media, q, false));
      }
      case 'list':
        return this.serveList(res, route, media, q);
      case 'watch':
        return this.serveWatchRequest(res, route, media, q);
      case 'create': {
        const body = this.knownFields(res, route, q, await readBodyAndText(req), true);
        const created = registry.create(type, namespace, body);
        return sendJson(res, 201, created);
      }
      case 'update': {
        const body = this.knownFields(res, route, q, await readBodyAndText(req), true);
        const updated =
          subresource === 'scale'
            ? registry.updateScale(type, namespace, name ?? '', body)
            : subresource === 'status'
              ? registry.updateStatus(type, namespace, name ?? '', body)
              : registry.update(type, namespace, name ?? '', body);
        return sendJson(res, 200, updated);
      }
      case 'patch': {
        const body = this.knownFields(res, route, q, await readBodyAndText(req), false);
        const patched = registry.patch(
          type,
          namespace,
          name ?? '',
          subresource,
          req.headers['content-type'] ?? '',
          body,
        );
        return sendJson(res, 200, patched);
      }
      case 'delete': {
        const body = (await readBody(req)) as DeleteOptions | undefined;
        const options: DeleteOptions = { ...(body ?? {}) };
        const grace = intParam(q.get('gracePeriodSeconds'), 'gracePeriodSeconds');
        if (grace !== undefined) options.gracePeriodSeconds = grace;
        const policy = q.get('propagationPolicy');
        if (policy) options.propagationPolicy = policy;
        return sendJson(res, 200, registry.delete(type, namespace, name ?? '', options));
      }
      case 'deletecollection': {
        const body = (await readBody(req)) as DeleteOptions | undefined;
        const match = selection(type, q);
        const victims = this.deps.store.list(type, route.namespace).filter(match);
        const deleted = victims.map((v) =>
          registry.delete(type, v.metadata.namespace ?? '', v.metadata.name ?? '', body ?? {}),
        );
        return sendJson(res, 200, {
          kind: `${type.kind}List`,
          apiVersion: apiVersionOf(type),
          metadata: { resourceVersion: String(this.deps.store.resourceVersion) },
          items: deleted.filter((d) => (d as KubeObject).metadata?.name !== undefined),
        });
      }
      default:
        throw methodNotAllowed();
    }
  }

  /**
   * The body with the fields its kind does not know pruned, refused or warned of, as
   * `fieldValidation` asks (field-validation.ts). A patch's message has no decoding prefix.
   */
  private knownFields(
    res: ServerResponse,
    route: Route,
    q: URLSearchParams,
    body: Body,
    wholeObject: boolean,
  ): unknown {
    const mode = fieldValidationMode(q);
    const checked = checkFields(
      modelOf(route.type, route.subresource),
      body.value,
      mode,
      wholeObject ? decodingPrefix(route.type) : '',
      mode !== 'Ignore' && body.json !== undefined ? duplicateFields(body.json) : [],
    );
    if (checked.warnings.length > 0) res.setHeader('Warning', checked.warnings);
    return checked.body;
  }

  private serveList(
    res: ServerResponse,
    route: Route,
    media: MediaRequest,
    q: URLSearchParams,
  ): void {
    const { items, resourceVersion, continueToken, remaining } = listPage(this.deps.store, {
      type: route.type,
      namespace: route.namespace,
      match: selection(route.type, q),
      selective: Boolean(q.get('labelSelector') || q.get('fieldSelector')),
      limit: intParam(q.get('limit'), 'limit'),
      continueToken: q.get('continue'),
      resourceVersion: q.get('resourceVersion'),
      resourceVersionMatch: q.get('resourceVersionMatch'),
    });
    sendJson(
      res,
      200,
      renderObjects(route.type, items, media, q, true, {
        resourceVersion,
        continueToken,
        remaining,
      }),
    );
  }

  private serveWatchRequest(
    res: ServerResponse,
    route: Route,
    media: MediaRequest,
    q: URLSearchParams,
  ): void {
    // A watch of one object (the legacy `/watch/.../NAME` path) is a watch of its name.
    const match = combine(
      selection(route.type, q),
      route.name === undefined ? undefined : (o: KubeObject) => o.metadata.name === route.name,
    );
    const timeout = intParam(q.get('timeoutSeconds'), 'timeoutSeconds');
    const type = route.type;
    // Without a timeout the real server picks 30 to 60 minutes; so does this.
    const timeoutSeconds =
      timeout !== undefined && timeout > 0 ? timeout : 1800 + Math.floor(Math.random() * 1800);
    const render = watchRenderer(type, media, q);
    let stream: WatchStream | undefined = undefined;
    stream = serveWatch(
      this.deps.store,
      {
        type,
        namespace: route.namespace,
        matcher: match,
        resourceVersion: q.get('resourceVersion') ?? undefined,
        timeoutSeconds,
        allowBookmarks: boolParam(q, 'allowWatchBookmarks'),
        sendInitialEvents: boolParam(q, 'sendInitialEvents'),
        render: (o: KubeObject) => render(toServedVersion(type, o)),
        bookmarkIntervalMs: this.deps.bookmarkIntervalMs,
      },
      res,
      () => {
        if (stream) this.watches.delete(stream);
      },
    );
    if (!res.writableEnded) this.watches.add(stream);
  }

  private serveMetrics(res: ServerResponse, route: Route, q: URLSearchParams): void {
    const metrics = this.deps.metrics;
    const labels = q.get('labelSelector');
    const fields = q.get('fieldSelector');
    if (route.type.resource === 'pods') {
      if (route.name) return sendJson(res, 200, metrics.getPod(route.namespace ?? '', route.name));
      return sendJson(res, 200, metrics.listPods(route.namespace, labels, fields));
    }
    if (route.name) return sendJson(res, 200, metrics.getNode(route.name));
    return sendJson(res, 200, metrics.listNodes(labels, fields));
  }
}
