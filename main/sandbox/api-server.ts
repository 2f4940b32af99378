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
  rulesFor,
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
import { injectedFailure, type SandboxFaults } from './faults';
import { openApiDocument, openApiRoot } from './openapi';
import type { KubeObject, Pod } from './kube-types';
import type { LoadModel } from './load-model';
import type { MetricsServer } from './metrics-server';
import type { ObjectStore } from './object-store';
import { Registry, type DeleteOptions } from './registry';
import { apiVersionOf, findResourceType, type ResourceType } from './resource-types';
import { combine, fieldMatcher, labelMatcher } from './selectors';
import { podLogs } from './pod-logs';
import { decodeProtobufBody, isProtobuf } from './protobuf-body';
import { proxyToService } from './service-proxy';
import { toTable, type IncludeObject } from './table';
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
const MAX_LIST_LIMIT = 10_000;

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
  if (error.code === 429) headers['Retry-After'] = '1';
  const text = JSON.stringify(error.toStatus());
  res.writeHead(error.code, {
    'Content-Type': 'application/json',
    'Cache-Control': 'no-cache, private',
    'Content-Length': String(Buffer.byteLength(text)),
    ...headers,
  });
  res.end(text);
}

async function readBody(req: IncomingMessage): Promise<unknown> {
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
  if (isProtobuf(req.headers['content-type'])) return decodeProtobufBody(raw);
  const text = raw.toString('utf8').trim();
  if (text === '') return undefined;
  try {
    return JSON.parse(text);
  } catch (e) {
    throw badRequest(
      `the request body could not be decoded as JSON: ${e instanceof Error ? e.message : String(e)}`,
    );
  }
}

interface MediaRequest {
  table?: { version: string };
  partialMetadata?: { version: string; list: boolean };
}

/** Reads the Accept header the way content negotiation does: the first acceptable type wins. */
function negotiate(accept: string | undefined): MediaRequest {
  for (const part of (accept ?? '').split(',')) {
    const [type, ...params] = part.split(';').map((s) => s.trim());
    const p = new Map(params.map((x) => x.split('=') as [string, string]));
    if (type === 'application/json' || type === '*/*' || type === 'application/*') {
      const as = p.get('as');
      if (as === 'Table' && p.get('g') === 'meta.k8s.io')
        return { table: { version: p.get('v') ?? 'v1' } };
      if (
        (as === 'PartialObjectMetadata' || as === 'PartialObjectMetadataList') &&
        p.get('g') === 'meta.k8s.io'
      ) {
        return {
          partialMetadata: {
            version: p.get('v') ?? 'v1',
            list: as === 'PartialObjectMetadataList',
          },
        };
      }
      if (!as) return {};
    }
  }
  return {};
}

function verbOf(method: string, route: Route, watch: boolean): string {
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
      return route.name ? 'get' : watch ? 'watch' : 'list';
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

function truthy(value: string | null): boolean {
  return value === 'true' || value === '1';
}

function intParam(value: string | null, name: string): number | undefined {
  if (value === null || value === '') return undefined;
  if (!/^-?\d+$/.test(value)) throw badRequest(`invalid value for ${name}: ${value}`);
  return Number(value);
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
    const user = authenticate(req.headers.authorization, this.deps.tokens);
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
      return sendJson(res, 200, apiGroupList());
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

    let watch = truthy(url.searchParams.get('watch'));
    if (rest[0] === 'watch') {
      watch = true;
      rest = rest.slice(1);
    }
    const route = this.parseRoute(group, version, rest);
    const verb = verbOf(method, route, watch);
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
    const registry = dryRun.length > 0 ? Registry.dryRun(this.deps.store) : this.deps.registry;

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
        previous: truthy(q.get('previous')),
        tailLines: intParam(q.get('tailLines'), 'tailLines'),
      });
      res.writeHead(200, { 'Content-Type': 'text/plain', 'Cache-Control': 'no-cache, private' });
      res.end(text);
      return;
    }
    if (!type.stored) {
      if (verb !== 'create') throw methodNotAllowed();
      return this.serveReview(res, type, user, await readBody(req));
    }
    const media = negotiate(req.headers.accept);

    switch (verb) {
      case 'get': {
        // A Scale is not printed as its parent kind: it goes as plain JSON whatever was asked.
        if (subresource === 'scale')
          return sendJson(res, 200, registry.getScale(type, namespace, name ?? ''));
        const object = registry.get(type, namespace, name ?? '');
        return sendJson(res, 200, this.render(type, [object], media, q, false));
      }
      case 'list':
        return this.serveList(res, route, media, q);
      case 'watch':
        return this.serveWatchRequest(res, route, media, q);
      case 'create': {
        const created = registry.create(type, namespace, await readBody(req));
        return sendJson(res, 201, created);
      }
      case 'update': {
        const body = await readBody(req);
        const updated =
          subresource === 'scale'
            ? registry.updateScale(type, namespace, name ?? '', body)
            : subresource === 'status'
              ? registry.updateStatus(type, namespace, name ?? '', body)
              : registry.update(type, namespace, name ?? '', body);
        return sendJson(res, 200, updated);
      }
      case 'patch': {
        const body = await readBody(req);
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
        const match = combine(
          labelMatcher(q.get('labelSelector')),
          fieldMatcher(q.get('fieldSelector')),
        );
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

  private render(
    type: ResourceType,
    objects: KubeObject[],
    media: MediaRequest,
    q: URLSearchParams,
    asList: boolean,
    listMeta: { resourceVersion?: string; continueToken?: string; remaining?: number } = {},
  ): unknown {
    objects = objects.map((o) => toServedVersion(type, o));
    if (media.table) {
      const include = (q.get('includeObject') ?? 'Metadata') as IncludeObject;
      return toTable(type, objects, {
        include: include === 'None' || include === 'Object' ? include : 'Metadata',
        apiVersion: `meta.k8s.io/${media.table.version}`,
        resourceVersion: listMeta.resourceVersion,
        continueToken: listMeta.continueToken,
      });
    }
    if (media.partialMetadata) {
      const apiVersion = `meta.k8s.io/${media.partialMetadata.version}`;
      const items = objects.map((o) => ({
        kind: 'PartialObjectMetadata',
        apiVersion,
        metadata: o.metadata,
      }));
      if (!asList) return items[0];
      return {
        kind: 'PartialObjectMetadataList',
        apiVersion,
        metadata: { resourceVersion: listMeta.resourceVersion },
        items,
      };
    }
    if (!asList) return objects[0];
    return {
      kind: `${type.kind}List`,
      apiVersion: apiVersionOf(type),
      metadata: {
        resourceVersion: listMeta.resourceVersion,
        ...(listMeta.continueToken
          ? { continue: listMeta.continueToken, remainingItemCount: listMeta.remaining }
          : {}),
      },
      items: objects,
    };
  }

  private serveList(
    res: ServerResponse,
    route: Route,
    media: MediaRequest,
    q: URLSearchParams,
  ): void {
    const store = this.deps.store;
    const match = combine(
      labelMatcher(q.get('labelSelector')),
      fieldMatcher(q.get('fieldSelector')),
    );
    const resourceVersion = String(store.resourceVersion);
    let items = store.list(route.type, route.namespace).filter(match);
    const limit = intParam(q.get('limit'), 'limit');
    const token = q.get('continue');
    if (token) {
      let after: string;
      try {
        after = (JSON.parse(Buffer.from(token, 'base64url').toString('utf8')) as { after: string })
          .after;
      } catch {
        throw badRequest('continue key is not valid');
      }
      const key = (o: KubeObject) => `${o.metadata.namespace ?? ''}/${o.metadata.name ?? ''}`;
      items = items.filter((o) => key(o) > after);
    }
    let continueToken: string | undefined;
    let remaining: number | undefined;
    if (limit !== undefined && limit > 0 && items.length > Math.min(limit, MAX_LIST_LIMIT)) {
      const page = items.slice(0, Math.min(limit, MAX_LIST_LIMIT));
      const last = page[page.length - 1] as KubeObject;
      remaining = items.length - page.length;
      continueToken = Buffer.from(
        JSON.stringify({
          after: `${last.metadata.namespace ?? ''}/${last.metadata.name ?? ''}`,
          rv: resourceVersion,
        }),
      ).toString('base64url');
      items = page;
    }
    sendJson(
      res,
      200,
      this.render(route.type, items, media, q, true, { resourceVersion, continueToken, remaining }),
    );
  }

  private serveWatchRequest(
    res: ServerResponse,
    route: Route,
    media: MediaRequest,
    q: URLSearchParams,
  ): void {
    const match = combine(
      labelMatcher(q.get('labelSelector')),
      fieldMatcher(q.get('fieldSelector')),
    );
    const timeout = intParam(q.get('timeoutSeconds'), 'timeoutSeconds');
    const type = route.type;
    // Without a timeout the real server picks 30 to 60 minutes; so does this.
    const timeoutSeconds =
      timeout !== undefined && timeout > 0 ? timeout : 1800 + Math.floor(Math.random() * 1800);
    const render = media.table
      ? (o: KubeObject) =>
          toTable(type, [o], {
            include: (q.get('includeObject') as IncludeObject | null) ?? 'Metadata',
            apiVersion: `meta.k8s.io/${media.table?.version ?? 'v1'}`,
          })
      : media.partialMetadata
        ? (o: KubeObject) => ({
            kind: 'PartialObjectMetadata',
            apiVersion: `meta.k8s.io/${media.partialMetadata?.version ?? 'v1'}`,
            metadata: o.metadata,
          })
        : (o: KubeObject) => o;
    let stream: WatchStream | undefined = undefined;
    stream = serveWatch(
      this.deps.store,
      {
        type,
        namespace: route.namespace,
        matcher: match,
        resourceVersion: q.get('resourceVersion') ?? undefined,
        timeoutSeconds,
        allowBookmarks: truthy(q.get('allowWatchBookmarks')),
        sendInitialEvents: truthy(q.get('sendInitialEvents')),
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

  private serveReview(
    res: ServerResponse,
    type: ResourceType,
    user: UserInfo,
    body: unknown,
  ): void {
    const review = (body ?? {}) as { metadata?: object; spec?: Record<string, unknown> };
    const base = {
      kind: type.kind,
      apiVersion: apiVersionOf(type),
      metadata: { ...(review.metadata ?? {}), creationTimestamp: null },
    };
    if (type.kind === 'SelfSubjectAccessReview') {
      const spec = review.spec ?? {};
      const ra = spec['resourceAttributes'] as
        (Partial<ResourceAttributes> & { version?: string }) | undefined;
      const nra = spec['nonResourceAttributes'] as { verb?: string; path?: string } | undefined;
      if (!ra && !nra) {
        throw new ApiError(
          422,
          'Invalid',
          'SelfSubjectAccessReview.authorization.k8s.io "" is invalid: spec.resourceAttributes: Invalid value: "null": exactly one of nonResourceAttributes or resourceAttributes must be specified',
          {
            kind: 'SelfSubjectAccessReview',
            group: 'authorization.k8s.io',
            causes: [
              {
                reason: 'FieldValueInvalid',
                message:
                  'exactly one of nonResourceAttributes or resourceAttributes must be specified',
                field: 'spec.resourceAttributes',
              },
            ],
          },
        );
      }
      const decision = ra
        ? authorizeResource(user, {
            verb: ra.verb ?? '',
            group: ra.group ?? '',
            resource: ra.resource ?? '',
            subresource: ra.subresource || undefined,
            namespace: ra.namespace || undefined,
            name: ra.name || undefined,
          })
        : authorizeNonResource(user, { verb: nra?.verb ?? '', path: nra?.path ?? '' });
      return sendJson(res, 201, {
        ...base,
        spec,
        status: {
          allowed: decision.allowed,
          ...(decision.reason ? { reason: decision.reason } : {}),
        },
      });
    }
    if (type.kind === 'SelfSubjectRulesReview') {
      return sendJson(res, 201, {
        ...base,
        spec: review.spec ?? {},
        status: { ...rulesFor(user), incomplete: false },
      });
    }
    return sendJson(res, 201, {
      ...base,
      status: { userInfo: { username: user.name, uid: user.uid, groups: user.groups } },
    });
  }
}
