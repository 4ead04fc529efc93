// One client connection: bytes in → frames → request headers → handlers → response frames out,
// in request order. Runs on the main thread.
//
// Requests are handled concurrently (a pipelined Produce does not wait behind a long-poll Fetch's
// handler) but answered strictly in the order they arrived, as Kafka does: each request gets a
// slot in `pending`, and a slot is written only when every slot before it has been. Handlers
// start in arrival order, so appends from pipelined Produce requests keep their order. At most
// `inFlightMax` requests are held per connection; beyond that, and while the socket's write
// buffer is full, the connection stops reading (backpressure instead of unbounded queues).
//
// Operating errors, per research §0 and STYLE §2.3:
// - a negative or oversized frame size, an unreadable header, a malformed body or bytes after
//   the body: warn (naming the client address and client id) and close this connection only;
// - an api key or version not in the handler table: answer UNSUPPORTED_VERSION (ApiVersions with
//   its v0-shaped body) and keep the connection;
// - acks = 0 Produce: no response is written.
// A handler that throws is a bug: logged at error, and the connection is closed (other
// connections keep being served).
import type { Socket } from 'node:net';
import type { Clock } from '../../core/clock.js';
import { isLanesError } from '../../core/errors.js';
import { handlerFor } from '../../core/handlers/handler_table.js';
import { noResponse, type BrokerFacade, type GroupFacade, type RequestContext, type ServerSettings } from '../../core/handlers/handler.js';
import { ApiKey } from '../../core/protocol/api_keys.js';
import { decodeRequest, encodeApiVersionsV0ErrorFrame, encodeResponseFrame } from '../../core/protocol/codec.js';
import { isProtocolError, isUnsupportedApiError } from '../../core/protocol/errors.js';
import { decodeRequestHeader, encodeResponseHeader, type RequestHeader } from '../../core/protocol/header.js';
import { Reader } from '../../core/protocol/reader.js';
import { Writer } from '../../core/protocol/writer.js';
import type { RequestBody, ResponseBody } from '../../core/protocol/messages/registry.js';
import { ErrorCode } from '../../core/errors.js';
import type { Logger } from '../logger.js';
import { RequestFrames, type RequestFrame } from './request_frames.js';

export interface ConnectionOptions {
  readonly broker: BrokerFacade;
  readonly groups: GroupFacade | null;
  readonly settings: ServerSettings;
  readonly clock: Clock;
  readonly logger: Logger;
  readonly frameBytesMax: number;
  readonly inFlightMax: number;
  readonly shutdown: Promise<void>;
  /** Told of each request a handler served (the admin port's request metrics); optional. */
  readonly onRequest?: RequestObserver;
}

/** Kafka's API name and how long its handler took, in milliseconds, errors included. */
export type RequestObserver = (api: string, durationMs: number) => void;

interface Slot {
  done: boolean;
  /** null: nothing to write (acks = 0). */
  frame: Uint8Array[] | null;
  releases: (() => void)[];
}

const noop = (): void => {};

/** Strips the IPv4-mapped IPv6 prefix Node reports for dual-stack sockets. */
export function plainAddress(address: string | undefined): string {
  if (address === undefined) return '';
  return address.startsWith('::ffff:') ? address.slice(7) : address;
}

export class Connection {
  readonly socket: Socket;
  readonly #options: ConnectionOptions;
  readonly #frames: RequestFrames;
  readonly #pending: Slot[] = [];
  readonly #remote: string;
  readonly #clientHost: string;
  #clientId: string | null = null;
  #closed = false;
  #drainWaiters: (() => void)[] = [];
  /** Requests that want to know if the client leaves before they are answered (Fetch long polls). */
  readonly #closeListeners = new Set<() => void>();

  constructor(socket: Socket, options: ConnectionOptions) {
    this.socket = socket;
    this.#options = options;
    this.#frames = new RequestFrames(options.frameBytesMax);
    this.#clientHost = plainAddress(socket.remoteAddress);
    this.#remote = `${this.#clientHost}:${socket.remotePort ?? 0}`;
    socket.setNoDelay(true);
    socket.on('data', (chunk: Buffer) => this.#onData(chunk));
    socket.on('drain', () => this.#updateReading());
    socket.on('error', (error) => {
      options.logger.debug({ client: this.#remote, clientId: this.#clientId, err: error }, 'socket error');
      this.close();
    });
    socket.on('close', () => this.close());
  }

  get closed(): boolean {
    return this.#closed;
  }

  /** Requests received but not yet answered. */
  get pendingCount(): number {
    return this.#pending.length;
  }

  /** Stops reading new requests (shutdown): what has been received is still answered. */
  stopReading(): void {
    this.socket.pause();
    this.socket.removeAllListeners('data');
  }

  /** Resolves once every received request has been answered, or the connection closed. */
  drained(): Promise<void> {
    if (this.#pending.length === 0 || this.#closed) return Promise.resolve();
    return new Promise((resolve) => this.#drainWaiters.push(resolve));
  }

  /**
   * Closes the connection. `graceful` (shutdown) lets responses already handed to the socket go
   * out first; otherwise (bad input, errors) the socket is destroyed at once.
   */
  close(graceful = false): void {
    if (this.#closed) return;
    this.#closed = true;
    if (graceful) this.socket.destroySoon();
    else this.socket.destroy();
    // Slots still being handled release their views when their handler finishes (#complete).
    for (const slot of this.#pending) if (slot.done) this.#release(slot.releases);
    this.#pending.length = 0;
    this.#notifyDrained();
    for (const listener of this.#closeListeners) listener();
    this.#closeListeners.clear();
  }

  #warnAndClose(reason: string, error: unknown): void {
    this.#options.logger.warn(
      { client: this.#remote, clientId: this.#clientId, err: error instanceof Error ? error.message : String(error) },
      `closing connection: ${reason}`,
    );
    this.close();
  }

  #onData(chunk: Buffer): void {
    if (this.#closed) return;
    let frames: RequestFrame[];
    try {
      frames = this.#frames.push(chunk);
    } catch (error) {
      if (!isProtocolError(error)) throw error;
      this.#warnAndClose('bad frame size', error);
      return;
    }
    for (const frame of frames) {
      if (this.#closed) {
        frame.release();
        continue;
      }
      this.#accept(frame.bytes, frame.release);
    }
    this.#updateReading();
  }

  /**
   * `releaseFrame` gives a pooled request buffer back (request_frames.ts); it runs once nothing
   * refers to the frame's bytes: when the request is refused, or when its handler has finished
   * (handlers copy what they keep: Produce's batches go into the shard ring before it resolves).
   */
  #accept(frame: Uint8Array, releaseFrame: () => void): void {
    const reader = new Reader(frame);
    let header: RequestHeader;
    try {
      header = decodeRequestHeader(reader);
    } catch (error) {
      releaseFrame();
      if (!isProtocolError(error)) throw error;
      this.#warnAndClose('unreadable request header', error);
      return;
    }
    this.#clientId = header.clientId;
    const handler = handlerFor(header.apiKey, header.apiVersion);
    if (handler === undefined) {
      releaseFrame();
      this.#options.logger.info({ client: this.#remote, clientId: this.#clientId, apiKey: header.apiKey, apiVersion: header.apiVersion }, 'unsupported api key or version');
      this.#pending.push({ done: true, frame: unsupportedFrame(header), releases: [] });
      this.#flush();
      return;
    }
    let body: RequestBody;
    try {
      body = decodeRequest(header.apiKey, header.apiVersion, reader);
      if (reader.remaining !== 0) {
        releaseFrame();
        this.#warnAndClose(`${reader.remaining} bytes after the ${handler.name} v${header.apiVersion} body`, 'trailing bytes');
        return;
      }
    } catch (error) {
      releaseFrame();
      if (isUnsupportedApiError(error)) {
        this.#pending.push({ done: true, frame: unsupportedFrame(header), releases: [] });
        this.#flush();
        return;
      }
      if (!isProtocolError(error)) throw error;
      this.#warnAndClose(`malformed ${handler.name} v${header.apiVersion} request`, error);
      return;
    }
    const slot: Slot = { done: false, frame: null, releases: [] };
    this.#pending.push(slot);
    const options = this.#options;
    const ctx: RequestContext = {
      broker: options.broker,
      groups: options.groups,
      settings: options.settings,
      clock: options.clock,
      apiVersion: header.apiVersion,
      clientId: header.clientId,
      clientHost: `/${this.#clientHost}`,
      advertisedHost: plainAddress(this.socket.localAddress),
      advertisedPort: this.socket.localPort ?? 0,
      shutdown: options.shutdown,
      onWritten: (release) => slot.releases.push(release),
      onConnectionClose: (listener) => this.#onClose(listener),
    };
    const handle = handler.handle as (ctx: RequestContext, request: RequestBody) => Promise<ResponseBody | typeof noResponse>;
    const startedMs = options.onRequest === undefined ? 0 : performance.now();
    handle(ctx, body).then(
      (response) => {
        options.onRequest?.(handler.name, performance.now() - startedMs);
        releaseFrame();
        slot.frame = response === noResponse ? null : encodeResponseFrame(header.apiKey as never, header.apiVersion, header.correlationId, response as never);
        this.#complete(slot);
      },
      (error: unknown) => {
        options.onRequest?.(handler.name, performance.now() - startedMs);
        releaseFrame();
        this.#complete(slot);
        if (isLanesError(error)) {
          this.#warnAndClose(`${handler.name} failed`, error);
        } else {
          options.logger.error({ client: this.#remote, clientId: this.#clientId, err: error }, `${handler.name} handler failed (a bug); closing the connection`);
          this.close();
        }
      },
    );
  }

  #onClose(listener: () => void): () => void {
    if (this.#closed) {
      listener();
      return noop;
    }
    this.#closeListeners.add(listener);
    return () => this.#closeListeners.delete(listener);
  }

  #complete(slot: Slot): void {
    slot.done = true;
    if (this.#closed) {
      this.#release(slot.releases);
      return;
    }
    this.#flush();
  }

  /** Writes every finished slot at the head of the queue, in order. */
  #flush(): void {
    let wrote = false;
    while (!this.#closed && this.#pending.length > 0 && this.#pending[0].done) {
      const slot = this.#pending.shift()!;
      if (slot.frame === null) {
        this.#release(slot.releases);
        continue;
      }
      if (!wrote) this.socket.cork();
      wrote = true;
      const releases = slot.releases;
      const last = slot.frame.length - 1;
      slot.frame.forEach((chunk, index) => {
        if (index === last) this.socket.write(chunk, () => this.#release(releases));
        else this.socket.write(chunk);
      });
    }
    if (wrote) this.socket.uncork();
    if (this.#pending.length === 0) this.#notifyDrained();
    this.#updateReading();
  }

  #release(releases: (() => void)[]): void {
    for (const release of releases.splice(0)) release();
  }

  #updateReading(): void {
    if (this.#closed || this.socket.listenerCount('data') === 0) return;
    const hold = this.#pending.length >= this.#options.inFlightMax || this.socket.writableNeedDrain;
    if (hold && !this.socket.isPaused()) this.socket.pause();
    else if (!hold && this.socket.isPaused()) this.socket.resume();
  }

  #notifyDrained(): void {
    for (const resolve of this.#drainWaiters.splice(0)) resolve();
  }
}

/**
 * The answer to an api key or version we do not serve: ApiVersions gets Kafka's v0-shaped error
 * body (clients retry with a lower version); anything else gets the response header and the
 * error code UNSUPPORTED_VERSION, the start of every response body clients check first.
 */
function unsupportedFrame(header: RequestHeader): Uint8Array[] {
  if (header.apiKey === ApiKey.ApiVersions) return encodeApiVersionsV0ErrorFrame(header.correlationId);
  const writer = new Writer(16);
  encodeResponseHeader(writer, header.correlationId, 0);
  writer.writeInt16(ErrorCode.UNSUPPORTED_VERSION);
  return writer.finishFrame();
}
