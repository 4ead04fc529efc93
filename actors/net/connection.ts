// One client connection: bytes in → frames → request headers → handlers → response frames out,
// in request order. Runs on the main thread.
//
// Requests are handled concurrently (a pipelined Produce does not wait behind a long-poll Fetch's
// handler) but answered strictly in the order they arrived, as Kafka does: each request gets a
// slot in `pending`, and a slot is written only when every slot before it has been. Handlers
// start in arrival order, so appends from pipelined Produce requests keep their order.
//
// Memory is bounded by backpressure rather than queues: frames received wait (in arrival order)
// instead of starting while the connection holds `inFlightMax` requests, while its queued
// response bytes (encoded, not yet taken by the kernel) are over `responseBytesHigh` (until they
// drain below `responseBytesLow`), while the listener's response total is exhausted, and while
// a Fetch is already being handled (one Fetch response at a time per connection, as Kafka mutes
// a connection until its response is sent); and while frames wait, the socket is paused, so a
// client that never reads stops being read. Request bytes are counted in the listener's request
// budget (request_frames.ts); a connection whose next frame does not fit stops reading until it
// does. `checkTimeouts` closes idle connections and frames not completed in time (slowloris).
//
// Operating errors (bad input costs that client its connection, never the process):
// - a negative or oversized frame size, an unreadable header, a malformed body or bytes after
//   the body: warn (naming the client address and client id) and close this connection only;
// - an api key or version not in the handler table: answer UNSUPPORTED_VERSION (ApiVersions with
//   its v0-shaped body) and keep the connection;
// - acks = 0 Produce: no response is written.
// A handler that throws is a bug: logged at error, and the connection is closed (other
// connections keep being served). A response that cannot be encoded is a bug too: logged at
// error and answered with the API's error response (UNKNOWN_SERVER_ERROR, failed_response.ts);
// if even that cannot be encoded, the connection is closed.
import type { Socket } from 'node:net';
import type { Clock } from '../../core/clock.js';
import { assert } from '../../core/assert.js';
import { isLanesError } from '../../core/errors.js';
import { handlerFor } from '../../core/handlers/handler_table.js';
import { noResponse, type BrokerFacade, type GroupFacade, type RequestContext, type ServerSettings, type TxnFacade } from '../../core/handlers/handler.js';
import { ApiKey } from '../../core/protocol/api_keys.js';
import { decodeRequest, encodeApiVersionsV0ErrorFrame, encodeResponseFrame } from '../../core/protocol/codec.js';
import { isProtocolError, isUnsupportedApiError } from '../../core/protocol/errors.js';
import { failedResponse } from '../../core/protocol/failed_response.js';
import { forEachResponseError } from '../../core/protocol/response_errors.js';
import { decodeRequestHeader, encodeResponseHeader, type RequestHeader } from '../../core/protocol/header.js';
import { decodePaddedMetadataRequest } from '../../core/protocol/padded_metadata_request.js';
import { Reader } from '../../core/protocol/reader.js';
import { Writer } from '../../core/protocol/writer.js';
import type { RequestBody, ResponseBody } from '../../core/protocol/messages/registry.js';
import type { CredentialStore } from '../../core/security/credentials.js';
import { SaslSession, type SaslAuthority } from '../../core/security/sasl_session.js';
import { ErrorCode } from '../../core/errors.js';
import { saslFrameBytesMax } from '../../core/limits.js';
import { anonymousPrincipal } from '../../core/acl/acl.js';
import type { AclAuthority } from '../../core/acl/acl_authority.js';
import { guardedGroups } from '../../core/acl/guarded_groups.js';
import { guardedBroker, guardedTxns, type MayOn } from '../../core/acl/guarded_facades.js';
import { isAllowed } from '../../core/handlers/authorize.js';
import type { Logger } from '../logger.js';
import type { ByteBudget } from './byte_budget.js';
import { RequestFrames, type RequestFrame } from './request_frames.js';

export interface ConnectionOptions {
  readonly broker: BrokerFacade;
  readonly groups: GroupFacade | null;
  readonly txns?: TxnFacade | null;
  readonly settings: ServerSettings;
  readonly clock: Clock;
  readonly logger: Logger;
  readonly frameBytesMax: number;
  readonly inFlightMax: number;
  /** The listener's request bytes in memory (Kafka's queued.max.request.bytes). */
  readonly requestBudget: ByteBudget;
  /** The listener's response bytes queued, over all connections. */
  readonly responseBudget: ByteBudget;
  /** Queued response bytes at which this connection stops starting requests … */
  readonly responseBytesHigh: number;
  /** … until they drain to this many. */
  readonly responseBytesLow: number;
  readonly shutdown: Promise<void>;
  /** Told of each request answered (the admin port's request metrics); optional. */
  readonly onRequest?: RequestObserver;
  /**
   * What Metadata and FindCoordinator name as this broker's address; null: the address the
   * client connected to (the socket's local address), and the port it connected to.
   */
  readonly advertisedHost?: string | null;
  readonly advertisedPort?: number | null;
  /**
   * A SASL listener's authority: the connection then serves only ApiVersions and the SASL
   * requests until it authenticated (core/security/sasl_session.ts). Absent: no authentication.
   */
  readonly sasl?: SaslAuthority | null;
  /** The SCRAM credentials, for Describe/AlterUserScramCredentials. */
  readonly credentials?: CredentialStore | null;
  /** The authorizer's ACLs (RequestContext.acls); null: no authorizer. */
  readonly acls?: AclAuthority | null;
}

/**
 * Kafka's API name, the broker's service time and the long-poll wait, in milliseconds. Service:
 * from the request's frame complete (the socket chunk that completed it arrived) to its response
 * handed to the socket (for acks=0, to its turn in the response order), errors included, minus
 * the time its handler waited in a long poll (Fetch: longPollStarted/Ended), which is the
 * client's max_wait_ms rather than the broker's work. Waiting behind earlier requests of the same
 * connection counts as service (Kafka answers in order); a request pipelined behind a long-polling
 * Fetch on one connection therefore counts that Fetch's wait (kafkajs, @platformatic/kafka and
 * bench/load fetch on connections of their own). Requests of a connection that closed before
 * their turn, and refused api versions, are not reported. `errorCodes`: the non-zero error codes
 * the response carried (core/protocol/response_errors.ts), null when none.
 */
export type RequestObserver = (api: string, serviceMs: number, longPollMs: number, errorCodes: readonly number[] | null) => void;

/** The facades as the options give them, or guarded by `may` when the listener has an authorizer. */
function guardedFacades(options: ConnectionOptions, may: MayOn): Connection['facades'] {
  const { broker, groups = null, txns = null, acls = null } = options;
  if (acls === null) return { broker, groups, txns };
  return { broker: guardedBroker(broker, may), groups: groups === null ? null : guardedGroups(groups, may), txns: txns === null ? null : guardedTxns(txns, may) };
}

/**
 * One request: its place in the response order and the context its handler sees, in one object
 * (the per-request allocation is what makes the main thread's scavenges, bench/load at 50 k/s).
 */
class Slot implements RequestContext {
  done = false;
  /** null: nothing to write (acks = 0). */
  frame: Uint8Array[] | null = null;
  /** The frame's size once done, counted in the connection's queued response bytes until written. */
  frameBytes = 0;
  /** Run once the frame is written or dropped; null until a handler asks (most never do). */
  releases: (() => void)[] | null = null;
  /** The handler's API name; null for refused requests (not reported to onRequest). */
  api: string | null = null;
  /** performance.now() when the frame was complete; -1 when nothing is timed (no onRequest). */
  receivedMs = -1;
  /** The response's non-zero error codes, found only when timed (onRequest); null: none. */
  errorCodes: number[] | null = null;
  /** The connection ends once this response is written (a failed SASL authentication). */
  closeAfterWrite = false;
  /** Long-poll time so far, and when the current wait began (-1: not waiting). */
  longPollMs = 0;
  #longPollSinceMs = -1;
  readonly broker: BrokerFacade;
  readonly groups: GroupFacade | null;
  readonly txns: TxnFacade | null;
  readonly settings: ServerSettings;
  readonly clock: Clock;
  readonly shutdown: Promise<void>;
  readonly apiVersion: number;
  readonly clientId: string | null;
  readonly clientHost: string;
  readonly advertisedHost: string;
  readonly advertisedPort: number;
  readonly sasl: SaslSession | null;
  readonly credentials: CredentialStore | null;
  readonly acls: AclAuthority | null;
  readonly #connection: Connection | null;

  constructor(connection: Connection | null, options: ConnectionOptions | null, header: RequestHeader | null, addresses: Addresses, sasl: SaslSession | null = null) {
    this.#connection = connection;
    // Slots of refused requests (no handler) carry no context: nothing reads these fields.
    const facades = connection?.facades;
    this.broker = facades?.broker as BrokerFacade;
    this.groups = facades?.groups ?? null;
    this.txns = facades?.txns ?? null;
    this.acls = options?.acls ?? null;
    this.settings = options?.settings as ServerSettings;
    this.clock = options?.clock as Clock;
    this.shutdown = options?.shutdown as Promise<void>;
    this.apiVersion = header?.apiVersion ?? -1;
    this.clientId = header?.clientId ?? null;
    this.clientHost = addresses.clientHost;
    this.advertisedHost = addresses.advertisedHost;
    this.advertisedPort = addresses.advertisedPort;
    this.sasl = sasl;
    this.credentials = options?.credentials ?? null;
  }

  /** Who the connection authenticated as; User:ANONYMOUS until a listener authenticates it. */
  get principal(): string {
    return this.#connection?.principal ?? anonymousPrincipal;
  }

  onWritten(release: () => void): void {
    assert(!this.done, 'views are registered before the handler finishes');
    (this.releases ??= []).push(release);
  }

  onConnectionClose(listener: () => void): () => void {
    assert(this.#connection !== null, 'only handled requests watch their connection');
    return this.#connection.onClose(listener);
  }

  warn(message: string): void {
    this.#connection?.warn(message);
  }

  longPollStarted(): void {
    if (this.receivedMs >= 0) this.#longPollSinceMs = performance.now();
  }

  /** Set by the connection: gives the request frame back (at most once). */
  releaseRequestFrame: (() => void) | null = null;

  requestBytesCopied(): void {
    this.releaseRequestFrame?.();
  }

  longPollEnded(): void {
    if (this.#longPollSinceMs < 0) return;
    this.longPollMs += performance.now() - this.#longPollSinceMs;
    this.#longPollSinceMs = -1;
  }
}

/** The addresses every request context of a connection reports, read once per connection. */
interface Addresses {
  /** The client's address as Kafka writes it: "/1.2.3.4". */
  readonly clientHost: string;
  readonly advertisedHost: string;
  readonly advertisedPort: number;
}

const noop = (): void => {};
/** Response bytes come from Node's pooled slabs: Buffers, which socket.write takes as they are. */
const allocateResponse = (bytes: number): Uint8Array => Buffer.allocUnsafe(bytes);

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
  /** A #flush is due at the next tick (#flushSoon). */
  #flushScheduled = false;
  readonly #remote: string;
  readonly #clientHost: string;
  #clientId: string | null = null;
  #closed = false;
  /** Frames received but not started (see the header): the socket is paused while any wait. */
  readonly #waiting: RequestFrame[] = [];
  /** performance.now() when each waiting frame was complete (only with onRequest): its service starts then. */
  readonly #waitingSinceMs: number[] = [];
  #pumping = false;
  /** Handlers running (not yet finished); Fetch handlers among them. */
  #handling = 0;
  #fetching = 0;
  /** Bytes of finished responses not yet handed to the socket (behind an unfinished one). */
  #heldResponseBytes = 0;
  /** Held plus the socket's unwritten bytes, as last counted into the listener's response budget. */
  #queuedResponseBytes = 0;
  /** Over responseBytesHigh, not yet back to responseBytesLow. */
  #responseHold = false;
  #unwaitRequestBudget: (() => void) | null = null;
  #unwaitResponseBudget: (() => void) | null = null;
  /** Last time bytes arrived or the kernel took response bytes (clock ms), for the idle timeout. */
  #lastActivityMs: number;
  /** When the frame being received began (clock ms), or -1: for the frame deadline. */
  #frameStartedMs = -1;
  readonly #afterWrite = (): void => {
    this.#lastActivityMs = this.#options.clock.nowMs();
    this.#countResponses();
  };
  #drainWaiters: (() => void)[] = [];
  /** Requests that want to know if the client leaves before they are answered (Fetch long polls). */
  readonly #closeListeners = new Set<() => void>();
  readonly #addresses: Addresses;
  /** On a SASL listener, this connection's authentication; null on others. */
  readonly #sasl: SaslSession | null;
  /**
   * What this connection's handlers call. With an authorizer, guarded once per connection: each
   * call on a resource is checked against the principal at that moment and the client's host.
   */
  readonly facades: { broker: BrokerFacade; groups: GroupFacade | null; txns: TxnFacade | null };

  constructor(socket: Socket, options: ConnectionOptions) {
    this.socket = socket;
    this.#options = options;
    this.#frames = new RequestFrames(options.frameBytesMax, options.requestBudget);
    this.#lastActivityMs = options.clock.nowMs();
    this.#clientHost = plainAddress(socket.remoteAddress);
    this.#remote = `${this.#clientHost}:${socket.remotePort ?? 0}`;
    // Read once: each socket.localAddress is a getsockname call returning a fresh object.
    this.#addresses = {
      clientHost: `/${this.#clientHost}`,
      advertisedHost: options.advertisedHost ?? plainAddress(socket.localAddress),
      advertisedPort: options.advertisedPort ?? socket.localPort ?? 0,
    };
    this.#sasl = options.sasl === undefined || options.sasl === null ? null : new SaslSession(options.sasl);
    this.facades = guardedFacades(options, (operation, resourceType, name) =>
      isAllowed({ acls: options.acls, principal: this.principal, clientHost: this.#addresses.clientHost }, operation, resourceType, name),
    );
    // Before authentication a SASL connection reads small frames only (Kafka's sasl.server.max.receive.size).
    if (this.#sasl !== null) this.#frames.frameBytesMax = Math.min(saslFrameBytesMax, options.frameBytesMax);
    socket.setNoDelay(true);
    socket.on('data', (chunk: Buffer) => this.#onData(chunk));
    socket.on('drain', () => {
      this.#afterWrite();
      this.#updateReading();
    });
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

  /** The client's address, without port. */
  get clientAddress(): string {
    return this.#clientHost;
  }

  /** Kafka's principal of this connection: `User:<name>` once SASL authenticated, else User:ANONYMOUS. */
  get principal(): string {
    return this.#sasl?.principal ?? anonymousPrincipal;
  }

  /**
   * Closes the connection if it has been idle (no handler running, no bytes in or out) for
   * `idleMs`, or if the frame it is receiving began `frameMs` ago and is still incomplete while
   * we were reading (a paused socket is our doing, not the client's). Returns whether it closed.
   */
  checkTimeouts(nowMs: number, idleMs: number, frameMs: number): boolean {
    if (this.#closed) return true;
    if (this.#frameStartedMs >= 0 && !this.socket.isPaused() && nowMs - this.#frameStartedMs >= frameMs) {
      this.#warnAndClose('request frame not completed in time', `a frame begun ${Math.round(nowMs - this.#frameStartedMs)} ms ago is incomplete (limit ${frameMs} ms)`);
      return true;
    }
    if (this.#handling === 0 && nowMs - this.#lastActivityMs >= idleMs) {
      this.#options.logger.debug({ client: this.#remote, clientId: this.#clientId, idleMs }, 'closing idle connection');
      this.close();
      return true;
    }
    return false;
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
    for (const slot of this.#pending) if (slot.done) this.#release(slot);
    this.#pending.length = 0;
    for (const frame of this.#waiting.splice(0)) this.#releaseFrame(frame);
    this.#waitingSinceMs.length = 0;
    this.#frames.discard();
    this.#unwaitRequestBudget?.();
    this.#unwaitResponseBudget?.();
    this.#unwaitRequestBudget = this.#unwaitResponseBudget = null;
    this.#heldResponseBytes = 0;
    if (this.#queuedResponseBytes > 0) this.#options.responseBudget.give(this.#queuedResponseBytes);
    this.#queuedResponseBytes = 0;
    this.#notifyDrained();
    for (const listener of this.#closeListeners) listener();
    this.#closeListeners.clear();
  }

  /** A refused request worth an operator's attention; the connection stays. */
  warn(message: string): void {
    this.#options.logger.warn({ client: this.#remote, clientId: this.#clientId }, message);
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
    const nowMs = this.#options.clock.nowMs();
    this.#lastActivityMs = nowMs;
    const wasStarted = this.#frames.frameStarted;
    let frames: RequestFrame[];
    try {
      frames = this.#frames.push(chunk);
    } catch (error) {
      if (!isProtocolError(error)) throw error;
      this.#warnAndClose('bad frame size', error);
      return;
    }
    if (!this.#frames.frameStarted) this.#frameStartedMs = -1;
    else if (!wasStarted || frames.length > 0) this.#frameStartedMs = nowMs;
    // One clock reading per socket chunk, not per frame: the frames of a chunk completed together.
    const receivedMs = frames.length > 0 && this.#options.onRequest !== undefined ? performance.now() : -1;
    for (const frame of frames) {
      this.#waiting.push(frame);
      this.#waitingSinceMs.push(receivedMs);
    }
    this.#pump();
    this.#updateReading();
  }

  /** Starts waiting frames, in order, while the bounds in the header allow. */
  #pump(): void {
    if (this.#pumping) return;
    this.#pumping = true;
    try {
      while (!this.#closed && this.#waiting.length > 0 && this.#mayStart(this.#waiting[0])) {
        const frame = this.#waiting.shift()!;
        this.#accept(frame, this.#waitingSinceMs.shift()!);
      }
    } finally {
      this.#pumping = false;
    }
  }

  #mayStart(frame: RequestFrame): boolean {
    if (this.#pending.length >= this.#options.inFlightMax || this.#responseHold) return false;
    if (this.#fetching > 0 && apiKeyOf(frame.bytes) === ApiKey.Fetch) return false;
    const responses = this.#options.responseBudget;
    if (!responses.exhausted) return true;
    this.#unwaitResponseBudget ??= responses.whenBelowMax(() => {
      this.#unwaitResponseBudget = null;
      this.#pump();
      this.#updateReading();
    });
    return false;
  }

  /** Gives a frame's pooled buffer and its share of the request budget back (exactly once per frame). */
  #releaseFrame(frame: RequestFrame): void {
    frame.release();
    this.#options.requestBudget.give(frame.bytes.length);
  }

  /**
   * `releaseFrame` gives a pooled request buffer back (request_frames.ts); it runs once nothing
   * refers to the frame's bytes: when the request is refused, when its handler says it copied what
   * it keeps before waiting on other clients (requestBytesCopied), or when its handler has finished
   * (handlers copy what they keep: Produce's batches go into the shard ring before it resolves).
   */
  #accept(requestFrame: RequestFrame, receivedMs: number): void {
    let frameReleased = false;
    const releaseFrame = (): void => {
      if (frameReleased) return;
      frameReleased = true;
      this.#releaseFrame(requestFrame);
    };
    const reader = new Reader(requestFrame.bytes);
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
    // SASL listeners: nothing but the handshake is served before authentication, nor after the session ended.
    const refusal = this.#sasl?.refusal(header.apiKey) ?? null;
    if (refusal !== null) {
      releaseFrame();
      this.#warnAndClose(refusal, `api key ${header.apiKey}`);
      return;
    }
    const handler = handlerFor(header.apiKey, header.apiVersion);
    if (handler === undefined) {
      releaseFrame();
      this.#options.logger.info({ client: this.#remote, clientId: this.#clientId, apiKey: header.apiKey, apiVersion: header.apiVersion }, 'unsupported api key or version');
      this.#pushRefused(header);
      return;
    }
    let body: RequestBody;
    const bodyStart = reader.offset;
    try {
      body = decodeRequest(header.apiKey, header.apiVersion, reader);
      // librdkafka's all-topics Metadata carries padding Kafka ignores (padded_metadata_request.ts).
      const padded = reader.remaining !== 0 && header.apiKey === ApiKey.Metadata ? decodePaddedMetadataRequest(header.apiVersion, new Reader(reader.bytes, bodyStart, reader.end)) : null;
      if (padded !== null) body = padded;
      else if (reader.remaining !== 0) {
        releaseFrame();
        this.#warnAndClose(`${reader.remaining} bytes after the ${handler.name} v${header.apiVersion} body`, 'trailing bytes');
        return;
      }
    } catch (error) {
      releaseFrame();
      if (isUnsupportedApiError(error)) {
        this.#pushRefused(header);
        return;
      }
      if (!isProtocolError(error)) throw error;
      this.#warnAndClose(`malformed ${handler.name} v${header.apiVersion} request`, error);
      return;
    }
    const options = this.#options;
    const slot = new Slot(this, options, header, this.#addresses, this.#sasl);
    slot.api = handler.name;
    slot.receivedMs = receivedMs;
    slot.releaseRequestFrame = releaseFrame;
    this.#pending.push(slot);
    const isFetch = header.apiKey === ApiKey.Fetch;
    this.#handling++;
    if (isFetch) this.#fetching++;
    const handle = handler.handle as (ctx: RequestContext, request: RequestBody) => Promise<ResponseBody | typeof noResponse>;
    handle(slot, body)
      .then(
        (response) => {
          this.#handled(isFetch);
          releaseFrame();
          if (slot.sasl !== null && slot.sasl.mustClose) slot.closeAfterWrite = true;
          else if (slot.sasl !== null && slot.sasl.principal !== null) this.#frames.frameBytesMax = options.frameBytesMax;
          if (response === noResponse) slot.frame = null;
          else {
            if (slot.receivedMs >= 0) forEachResponseError(response, (code) => (slot.errorCodes ??= []).push(code));
            slot.frame = this.#encode(header, handler.name, response);
            if (slot.frame === null) this.close();
          }
          this.#complete(slot);
        },
        (error: unknown) => {
          this.#handled(isFetch);
          releaseFrame();
          this.#complete(slot);
          if (isLanesError(error)) {
            this.#warnAndClose(`${handler.name} failed`, error);
          } else {
            options.logger.error({ client: this.#remote, clientId: this.#clientId, err: error }, `${handler.name} handler failed (a bug); closing the connection`);
            this.close();
          }
        },
      )
      .catch((error: unknown) => {
        // A bug in answering (not in the handler): this connection's state is suspect; others are not.
        options.logger.error({ client: this.#remote, clientId: this.#clientId, err: error }, `answering ${handler.name} failed (a bug); closing the connection`);
        this.close();
      });
  }

  #handled(isFetch: boolean): void {
    this.#handling--;
    if (isFetch) this.#fetching--;
  }

  /**
   * The response frame, or, if it cannot be encoded (a value that does not fit its field: a bug,
   * logged at error), the API's error response; null if even that fails.
   */
  #encode(header: RequestHeader, api: string, response: ResponseBody): Uint8Array[] | null {
    try {
      return encodeFrame(header, response);
    } catch (error) {
      this.#options.logger.error({ client: this.#remote, clientId: this.#clientId, api, apiVersion: header.apiVersion, err: error }, `${api} response cannot be encoded (a bug); answering UNKNOWN_SERVER_ERROR`);
    }
    try {
      return encodeFrame(header, failedResponse(response));
    } catch (error) {
      this.#options.logger.error({ client: this.#remote, clientId: this.#clientId, api, apiVersion: header.apiVersion, err: error }, `${api} error response cannot be encoded either; closing the connection`);
      return null;
    }
  }

  #pushRefused(header: RequestHeader): void {
    const slot = new Slot(null, null, null, this.#addresses);
    slot.done = true;
    slot.frame = unsupportedFrame(header);
    this.#pending.push(slot);
    this.#hold(slot);
    this.#flushSoon();
  }

  /** Calls `listener` if the connection closes (at once if it has); returns the unregister. */
  onClose(listener: () => void): () => void {
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
      this.#release(slot);
      return;
    }
    this.#hold(slot);
    this.#flushSoon();
  }

  /**
   * Flushes once the current burst of completions is over: responses finished by the same
   * drain of a shard's replies (their handlers resume in one run of microtasks) go to the
   * socket in one writev instead of a write system call each (a write to a TCP socket is most
   * of the broker's CPU for small pipelined requests: 36–55 % of an inline-shard request-rate
   * profile at 5 in flight). process.nextTick runs after those microtasks and before any I/O, so
   * no response waits for the event loop. (setImmediate, which would also gather the responses
   * to every request read in the same poll phase, measured no better: a closed-loop client's
   * requests arrive one per read.)
   */
  #flushSoon(): void {
    if (this.#flushScheduled) return;
    this.#flushScheduled = true;
    process.nextTick(this.#scheduledFlush);
  }

  readonly #scheduledFlush = (): void => {
    this.#flushScheduled = false;
    if (!this.#closed) this.#flush();
  };

  /** Counts a finished slot's frame as held until #flush hands it to the socket. */
  #hold(slot: Slot): void {
    if (slot.frame === null) return;
    let bytes = 0;
    for (const chunk of slot.frame) bytes += chunk.length;
    slot.frameBytes = bytes;
    this.#heldResponseBytes += bytes;
  }

  /**
   * Recounts this connection's queued response bytes (held + the socket's unwritten bytes) into
   * the listener's total, and starts waiting frames again once they drained to the low mark.
   */
  #countResponses(): void {
    if (this.#closed) return;
    const queued = this.#heldResponseBytes + this.socket.writableLength;
    const budget = this.#options.responseBudget;
    if (queued > this.#queuedResponseBytes) budget.take(queued - this.#queuedResponseBytes);
    else if (queued < this.#queuedResponseBytes) budget.give(this.#queuedResponseBytes - queued);
    this.#queuedResponseBytes = queued;
    if (!this.#responseHold && queued >= this.#options.responseBytesHigh) this.#responseHold = true;
    else if (this.#responseHold && queued <= this.#options.responseBytesLow) {
      this.#responseHold = false;
      this.#pump();
      this.#updateReading();
    }
  }

  /** Queued response bytes of this connection, as last counted. */
  get queuedResponseBytes(): number {
    return this.#queuedResponseBytes;
  }

  /**
   * Writes every finished slot at the head of the queue, in order. A lone chunk (one response
   * alone in its tick: one exact-size Buffer) is written as is; several chunks (one frame's or
   * several frames') go out corked, in one writev. A write callback is attached only when the
   * slot has views to release.
   */
  #flush(): void {
    let corked = false;
    // One clock reading per flush, for every request it answers (their service ends here).
    let writtenMs = -1;
    const onRequest = this.#options.onRequest;
    while (!this.#closed && this.#pending.length > 0 && this.#pending[0].done) {
      const slot = this.#pending.shift()!;
      if (onRequest !== undefined && slot.api !== null && slot.receivedMs >= 0) {
        if (writtenMs < 0) writtenMs = performance.now();
        onRequest(slot.api, writtenMs - slot.receivedMs - slot.longPollMs, slot.longPollMs, slot.errorCodes);
      }
      const frame = slot.frame;
      if (frame === null) {
        this.#release(slot);
        continue;
      }
      this.#heldResponseBytes -= slot.frameBytes;
      assert(frame.length > 0, 'a response frame has at least its size');
      const last = frame.length - 1;
      // Corked before the first of several chunks (this frame's, or a next finished slot's): one
      // writev for all of them. Corking only once a second chunk followed cost a write for the
      // first chunk and a writev for the rest: two system calls per two-chunk response.
      if (!corked && (last > 0 || this.#pending[0]?.done === true)) {
        this.socket.cork();
        corked = true;
      }
      for (let index = 0; index <= last; index++) {
        // The last chunk's callback recounts the queued bytes once the kernel has taken them.
        if (index !== last) this.socket.write(frame[index]);
        else if (slot.releases === null) this.socket.write(frame[index], this.#afterWrite);
        else
          this.socket.write(frame[index], () => {
            this.#release(slot);
            this.#afterWrite();
          });
      }
      // A failed SASL authentication is answered, then the connection ends (as Kafka's).
      if (slot.closeAfterWrite) {
        if (corked) this.socket.uncork();
        this.close(true);
        return;
      }
    }
    if (corked) this.socket.uncork();
    if (this.#pending.length === 0) this.#notifyDrained();
    this.#countResponses();
    this.#pump();
    this.#updateReading();
  }

  #release(slot: Slot): void {
    const releases = slot.releases;
    if (releases === null) return;
    slot.releases = null;
    for (const release of releases) release();
  }

  #updateReading(): void {
    if (this.#closed || this.socket.listenerCount('data') === 0) return;
    const frames = this.#frames;
    const requests = this.#options.requestBudget;
    frames.admit();
    // A connection whose admitted frame is incomplete keeps reading even when the budget is
    // spent: finishing that frame is what gives budget back.
    const budgetHold = frames.waitingForBudget || (requests.exhausted && !frames.frameStarted);
    if (budgetHold) {
      this.#unwaitRequestBudget ??= requests.whenBelowMax(() => {
        this.#unwaitRequestBudget = null;
        this.#updateReading();
      });
    }
    const hold = budgetHold || this.#waiting.length > 0 || this.#pending.length >= this.#options.inFlightMax || this.socket.writableNeedDrain;
    if (hold && !this.socket.isPaused()) this.socket.pause();
    else if (!hold && this.socket.isPaused()) this.socket.resume();
  }

  #notifyDrained(): void {
    for (const resolve of this.#drainWaiters.splice(0)) resolve();
  }
}

/** A response frame for `header`'s request; module-level so that answering allocates no closure. */
function encodeFrame(header: RequestHeader, body: ResponseBody): Uint8Array[] {
  return encodeResponseFrame(header.apiKey as never, header.apiVersion, header.correlationId, body as never, allocateResponse);
}

/** The api key at the start of a request frame's header, or -1 if the frame is shorter. */
function apiKeyOf(frame: Uint8Array): number {
  return frame.length >= 2 ? (frame[0] << 8) | frame[1] : -1;
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
