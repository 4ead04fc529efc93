// The admin port: an HTTP server (node:http, no framework) on the main thread, beside the Kafka
// listener. Started by `lanes start --admin-port` (host/cli.ts), or by anyone holding a Broker.
//
//   GET /               the dashboard (one static page, its CSS and script; works offline)
//   GET /dashboard.js   the page's script
//   GET /metrics        Prometheus text format (metrics.ts)
//   GET /healthz        200 "ok" while every shard thread runs, else 503
//   GET /api/overview   JSON: topics, groups with lag, the rebalance timeline (broker_observer.ts)
//   GET /api/events     server-sent events: an overview on connect and after every poll
//
// Anything else is 404 (405 for a method other than GET or HEAD). A request that fails is 500
// and logged; a malformed HTTP request gets 400 and its socket closed; neither stops the server.
// Loopback only unless told otherwise: the port has no authentication. For the same reason a
// request must name this server in its Host header (a loopback name, the configured admin host,
// or an IP address, with or without port), else 421: a DNS-rebinding page (attacker.example
// resolving to 127.0.0.1) reaches the port from the victim's browser, but with its own name in Host.
//
// With a token (`lanes start --admin-token`, required when the port is bound beyond loopback
// unless --admin-insecure), every route but /healthz (probes) answers 401 unless the request
// carries it: an `Authorization: Bearer <token>` header (scrapers, curl), or `?token=` once in a
// browser, which then keeps it in an HttpOnly, SameSite=Strict cookie for the page's script and
// live stream. Compared in constant time.
import { timingSafeEqual } from 'node:crypto';
import { isIP } from 'node:net';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import { componentLogger, logger as rootLogger, type Logger } from '../logger.js';
import type { RequestObserver } from '../net/connection.js';
import { BrokerObserver, type ObservedBroker } from './broker_observer.js';
import { dashboardPage, dashboardScript } from './dashboard_assets.js';
import { LanesMetrics, type ObservedListener } from './metrics.js';

export interface AdminServerOptions {
  broker: ObservedBroker;
  /** How often group events are drained and the live stream pushes; default 1000 ms. */
  pollIntervalMs?: number;
  /** Time between the charts' points; default 5000 ms (BrokerObserver). */
  historyStepMs?: number;
  /** Live-stream viewers at once; default 32. */
  streamsMax?: number;
  logger?: Logger;
  /** Required on every route but /healthz when set (see the header); absent: no authentication. */
  token?: string;
}

const tokenCookie = 'lanes_admin_token';

export class AdminServer {
  readonly observer: BrokerObserver;
  readonly #broker: ObservedBroker;
  readonly metrics: LanesMetrics;
  readonly #server: Server;
  readonly #logger: Logger;
  readonly #streamsMax: number;
  readonly #token: Buffer | null;
  readonly #streams = new Set<ServerResponse>();
  readonly #sockets = new Set<Socket>();
  #address: { host: string; port: number } | null = null;
  #stopping: Promise<void> | null = null;
  #unsubscribe: (() => void) | null = null;

  /**
   * Builds the server without listening, so the Kafka listener can be given onRequest before
   * either accepts connections.
   */
  constructor(options: AdminServerOptions) {
    this.#broker = options.broker;
    this.#logger = componentLogger(options.logger ?? rootLogger, 'admin');
    this.#streamsMax = options.streamsMax ?? 32;
    this.#token = options.token === undefined ? null : Buffer.from(options.token, 'utf8');
    this.observer = new BrokerObserver(options.broker, { pollIntervalMs: options.pollIntervalMs, historyStepMs: options.historyStepMs, logger: this.#logger });
    this.metrics = new LanesMetrics(options.broker, this.observer, this.#logger);
    this.#server = createServer((request, response) => this.#route(request, response));
    this.#server.on('connection', (socket: Socket) => {
      this.#sockets.add(socket);
      socket.once('close', () => this.#sockets.delete(socket));
    });
    this.#server.on('clientError', (error, socket) => {
      this.#logger.debug({ err: error }, 'malformed HTTP request');
      if (socket.writable) socket.end('HTTP/1.1 400 Bad Request\r\nConnection: close\r\nContent-Length: 0\r\n\r\n');
      socket.destroy();
    });
  }

  /** The Kafka listener's hook (ListenerOptions.onRequest): counts and times requests. */
  get onRequest(): RequestObserver {
    return this.metrics.observeRequest;
  }

  /** Adds the Kafka listener's connection and queued-bytes gauges to /metrics. */
  observeListener(listener: ObservedListener): void {
    this.metrics.observeListener(listener);
  }

  /** Starts listening and polling. Port 0 picks a free port (see `port`). */
  async listen(host: string, port: number): Promise<this> {
    await new Promise<void>((resolve, reject) => {
      this.#server.once('error', reject);
      this.#server.listen(port, host, () => {
        this.#server.off('error', reject);
        resolve();
      });
    });
    this.#server.on('error', (error) => this.#logger.error({ err: error }, 'admin server error'));
    const address = this.#server.address();
    this.#address = { host, port: typeof address === 'object' && address !== null ? address.port : port };
    this.observer.start();
    this.#unsubscribe = this.observer.onPoll(() => void this.#pushOverview());
    this.#logger.info(this.#address, 'admin port listening');
    return this;
  }

  get host(): string {
    return this.#address?.host ?? '';
  }

  get port(): number {
    return this.#address?.port ?? 0;
  }

  /** "http://host:port" (IPv6 hosts bracketed). */
  get url(): string {
    return `http://${this.host.includes(':') ? `[${this.host}]` : this.host}:${this.port}`;
  }

  stop(): Promise<void> {
    this.#stopping ??= this.#stop();
    return this.#stopping;
  }

  async #stop(): Promise<void> {
    this.#unsubscribe?.();
    this.observer.stop();
    for (const stream of this.#streams) stream.end();
    this.#streams.clear();
    if (!this.#server.listening) return;
    const closed = new Promise<void>((resolve) => this.#server.close(() => resolve()));
    for (const socket of this.#sockets) socket.destroy();
    await closed;
    this.#logger.info('admin port stopped');
  }

  #route(request: IncomingMessage, response: ServerResponse): void {
    const method = request.method ?? 'GET';
    if (!this.#isOwnHost(request.headers.host)) {
      this.#logger.debug({ host: request.headers.host }, 'admin request for another host refused');
      send(response, 421, 'text/plain; charset=utf-8', 'this is the Lanes admin port; it answers only requests addressed to localhost or its own address\n');
      return;
    }
    let path: string;
    let fromQuery: string | null = null;
    try {
      const url = new URL(request.url ?? '/', 'http://admin');
      path = url.pathname;
      fromQuery = url.searchParams.get('token');
    } catch {
      path = '';
    }
    if (this.#token !== null && path !== '/healthz' && !this.#authorized(request, fromQuery)) {
      send(response, 401, 'text/plain; charset=utf-8', 'this admin port needs its token: an Authorization: Bearer <token> header, or ?token=<token> in a browser\n', { 'WWW-Authenticate': 'Bearer realm="lanes-admin"' });
      return;
    }
    // A browser that came with ?token= keeps it for the page's script and stream.
    if (fromQuery !== null && this.#matches(fromQuery)) response.setHeader('Set-Cookie', `${tokenCookie}=${encodeURIComponent(fromQuery)}; HttpOnly; SameSite=Strict; Path=/`);
    if (method !== 'GET' && method !== 'HEAD') {
      send(response, 405, 'text/plain; charset=utf-8', `${method} is not allowed here\n`, { Allow: 'GET, HEAD' });
      return;
    }
    const served = this.#serve(path, request, response);
    if (served === null) {
      send(response, 404, 'text/plain; charset=utf-8', `no such page: ${path}\nthe admin port serves /, /metrics, /healthz, /api/overview and /api/events\n`);
      return;
    }
    served.catch((error: unknown) => {
      this.#logger.error({ err: error, path }, 'admin request failed');
      if (!response.headersSent) send(response, 500, 'text/plain; charset=utf-8', 'internal error; see the broker log\n');
      else response.destroy();
    });
  }

  /** Whether the request carries the token: bearer header, query or cookie. */
  #authorized(request: IncomingMessage, fromQuery: string | null): boolean {
    const header = request.headers.authorization;
    const bearer = header !== undefined && /^Bearer /i.test(header) ? header.slice(7).trim() : null;
    const cookie = new RegExp(`(?:^|;\\s*)${tokenCookie}=([^;]*)`).exec(request.headers.cookie ?? '')?.[1];
    for (const candidate of [bearer, fromQuery, cookie === undefined ? null : safeDecode(cookie)]) {
      if (candidate !== null && this.#matches(candidate)) return true;
    }
    return false;
  }

  #matches(candidate: string): boolean {
    const given = Buffer.from(candidate, 'utf8');
    return this.#token !== null && given.length === this.#token.length && timingSafeEqual(given, this.#token);
  }

  /** Whether a Host header names this server (see the header); an absent one (HTTP/1.0) does. */
  #isOwnHost(header: string | undefined): boolean {
    if (header === undefined) return true;
    const name = hostName(header);
    return name === 'localhost' || isIP(name) !== 0 || name === hostName(this.host);
  }

  /** The overview the page is served with; null (the page then waits for the stream) if the broker cannot say. */
  async #initialOverview(): Promise<string | null> {
    try {
      return JSON.stringify(await this.observer.overview());
    } catch (error) {
      this.#logger.debug({ err: error }, 'dashboard served without an overview');
      return null;
    }
  }

  /** null: no such route. */
  #serve(path: string, request: IncomingMessage, response: ServerResponse): Promise<void> | null {
    switch (path) {
      case '/':
      case '/index.html':
        return this.#initialOverview().then((json) => send(response, 200, 'text/html; charset=utf-8', dashboardPage(json)));
      case '/dashboard.js':
        return Promise.resolve(send(response, 200, 'text/javascript; charset=utf-8', dashboardScript));
      case '/healthz': {
        const live = this.#broker.liveThreads();
        const total = this.#broker.shardCount;
        return Promise.resolve(send(response, live === total ? 200 : 503, 'text/plain; charset=utf-8', live === total ? 'ok\n' : `unhealthy: ${live} of ${total} shard threads running\n`));
      }
      case '/metrics':
        return this.metrics.text().then((text) => send(response, 200, this.metrics.contentType, text));
      case '/api/overview':
        return this.observer.overview().then((overview) => send(response, 200, 'application/json; charset=utf-8', JSON.stringify(overview)));
      case '/api/events':
        return this.#openStream(request, response);
      default:
        return null;
    }
  }

  async #openStream(request: IncomingMessage, response: ServerResponse): Promise<void> {
    if (this.#streams.size >= this.#streamsMax) {
      send(response, 503, 'text/plain; charset=utf-8', `too many live viewers (${this.#streamsMax}); poll /api/overview instead\n`);
      return;
    }
    response.writeHead(200, { 'Content-Type': 'text/event-stream; charset=utf-8', 'Cache-Control': 'no-store', Connection: 'keep-alive' });
    // The browser reconnects after this long if the stream drops.
    response.write(`retry: ${this.observer.pollIntervalMs}\n\n`);
    if (request.method === 'HEAD') {
      response.end();
      return;
    }
    this.#streams.add(response);
    request.socket.setTimeout(0);
    response.once('close', () => this.#streams.delete(response));
    const overview = await this.observer.overview();
    if (!response.writableEnded) response.write(eventOf(overview));
  }

  async #pushOverview(): Promise<void> {
    if (this.#streams.size === 0) return;
    let overview: unknown;
    try {
      overview = await this.observer.overview();
    } catch (error) {
      this.#logger.debug({ err: error }, 'no overview for the live stream');
      return;
    }
    const event = eventOf(overview);
    for (const stream of this.#streams) {
      // A viewer that does not keep up is dropped (its browser reconnects) rather than buffered.
      if (stream.writableNeedDrain) stream.destroy();
      else stream.write(event);
    }
  }
}

function eventOf(overview: unknown): string {
  return `event: overview\ndata: ${JSON.stringify(overview)}\n\n`;
}

function send(response: ServerResponse, status: number, contentType: string, body: string, headers: Record<string, string> = {}): void {
  const bytes = Buffer.from(body);
  response.writeHead(status, { 'Content-Type': contentType, 'Content-Length': bytes.length, 'Cache-Control': 'no-store', ...headers });
  response.end(response.req.method === 'HEAD' ? undefined : bytes);
}

/** The host of a Host header or a configured address, lower case, without port or IPv6 brackets. */
function hostName(value: string): string {
  const host = value.trim().toLowerCase();
  if (host.startsWith('[')) {
    const end = host.indexOf(']');
    return end === -1 ? host : host.slice(1, end);
  }
  // One colon: "name:port". More: a bare IPv6 address (a configured host, not a Host header).
  const colon = host.indexOf(':');
  return colon !== -1 && colon === host.lastIndexOf(':') ? host.slice(0, colon) : host;
}

function safeDecode(text: string): string | null {
  try {
    return decodeURIComponent(text);
  } catch {
    return null;
  }
}
