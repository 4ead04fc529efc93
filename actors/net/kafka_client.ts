// A small promise-based Kafka client connection for tools (the `lanes` CLI, tests, load
// generators): one TCP connection to one broker, Lanes or any Kafka.
//
//   const connection = await KafkaConnection.connect({ host, port, clientId: 'lanes-cli' });
//   const metadata = await connection.send(ApiKey.Metadata, { topics: null, … });
//   connection.close();
//
// `connect` opens the socket and runs the ApiVersions handshake: it asks with the highest
// ApiVersions version the codec speaks and, if the broker answers UNSUPPORTED_VERSION (with the
// v0-shaped body every broker uses for that), retries with the highest version the broker named.
// Every later request is sent at the highest version both sides speak, unless the caller pins one.
//
// Requests may be pipelined: each gets the next correlation id and waits for the response that
// carries it. Brokers answer in request order, so a long-poll Fetch holds up the requests behind
// it on the same connection; callers that long-poll use a connection of their own.
//
// Failures are KafkaClientErrors with a stable code and a message that names the broker, so a
// tool can print `error.message` as its one line: cannot connect, connection closed, request
// timed out, no common version, malformed response. Kafka error codes inside a response are not
// errors here; the caller reads them from the body.
//
// Thread: whichever creates it (the CLI's main thread).

import { connect as netConnect, type Socket } from 'node:net';
import { assert } from '../../core/assert.js';
import { ErrorCode, errorCodeName } from '../../core/errors.js';
import { ApiKey, type ApiKeyNumber } from '../../core/protocol/api_keys.js';
import { apiCatalog, decodeResponse, encodeRequestFrame } from '../../core/protocol/codec.js';
import { FrameSplitter } from '../../core/protocol/frame.js';
import { decodeResponseHeader, responseHeaderVersion } from '../../core/protocol/header.js';
import type { ApiVersionsResponse } from '../../core/protocol/messages/api_versions.js';
import type { RequestBodies, ResponseBodies } from '../../core/protocol/messages/registry.js';
import { Reader } from '../../core/protocol/reader.js';

export type KafkaClientErrorCode =
  | 'LANES_CONNECT_FAILED'
  | 'LANES_CONNECTION_CLOSED'
  | 'LANES_REQUEST_TIMEOUT'
  | 'LANES_NO_COMMON_VERSION'
  | 'LANES_BAD_RESPONSE';

export class KafkaClientError extends Error {
  override name = 'KafkaClientError';
  readonly code: KafkaClientErrorCode;

  constructor(code: KafkaClientErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.code = code;
  }
}

/**
 * KafkaJS's `socketFactory`: opens the TCP socket to a broker and calls `onConnect` once it is
 * connected (pass it to `net.connect` as its listener). Lets a caller wrap, count or cut its
 * sockets (the lab's killed members: every socket destroyed at once, no LeaveGroup).
 */
export type SocketFactory = (options: { host: string; port: number; onConnect: () => void }) => Socket;

export const netSocketFactory: SocketFactory = ({ host, port, onConnect }) => netConnect({ host, port }, onConnect);

export interface ConnectOptions {
  host: string;
  port: number;
  /** How the socket is opened; default `netSocketFactory`. */
  socketFactory?: SocketFactory;
  /** Sent in every request header; brokers show it in DescribeGroups and logs. */
  clientId?: string;
  connectTimeoutMs?: number;
  /** Default per-request timeout; `send` may override it. */
  requestTimeoutMs?: number;
  /** Told of every request answered or timed out, and of the count awaiting an answer (KafkaJS's request events). */
  observer?: RequestObserver;
}

/** One request as KafkaJS's network events describe it. Times in ms since the epoch. */
export interface ObservedRequest {
  /** "host:port" */
  broker: string;
  clientId: string;
  correlationId: number;
  apiName: string;
  apiKey: number;
  apiVersion: number;
  createdAt: number;
  sentAt: number;
  /** sentAt − createdAt: 0, since a request is written at once (no client-side queue). */
  pendingDuration: number;
}

/** What a client hears of its connections' requests (KafkaJS's REQUEST, REQUEST_TIMEOUT, REQUEST_QUEUE_SIZE). */
export interface RequestObserver {
  /** False while nobody listens: the connection then builds no event at all (the hot path). */
  listening(): boolean;
  /** A response arrived: `size` is its frame's bytes, `duration` the ms from sending to answer. */
  answered(request: ObservedRequest & { size: number; duration: number }): void;
  timedOut(request: ObservedRequest): void;
  /**
   * Requests sent on one connection and not yet answered, after each send and answer. A broker
   * handles a connection's requests one at a time, in order, so all but the first wait there.
   */
  inFlight(broker: string, clientId: string, count: number): void;
}

export interface SendOptions {
  /** Pin a version instead of negotiating the highest common one. */
  version?: number;
  timeoutMs?: number;
}

export interface VersionRange {
  readonly min: number;
  readonly max: number;
}

const connectTimeoutMsDefault = 10_000;
const requestTimeoutMsDefault = 30_000;
/** A response frame larger than this is not a response we asked for. */
const responseFrameBytesMax = 0x7fff_ffff;

interface Pending {
  readonly apiKey: number;
  readonly apiVersion: number;
  readonly resolve: (body: unknown) => void;
  readonly reject: (error: Error) => void;
  readonly timer: NodeJS.Timeout;
  /** When it was written (ms since the epoch), for the observer. */
  readonly sentAt: number;
  /** Decodes the body after the response header (ApiVersions needs a fallback to v0). */
  readonly decode: (reader: Reader) => unknown;
}

const ourVersions = new Map<number, VersionRange>(apiCatalog.map((api) => [api.apiKey, { min: api.versionMin, max: api.versionMax }]));
const apiNames = new Map<number, string>(apiCatalog.map((api) => [api.apiKey, api.name]));

function apiName(apiKey: number): string {
  return apiNames.get(apiKey) ?? `api key ${apiKey}`;
}

/** Turns a socket error into a sentence: "connection refused" rather than a stack. */
function describeSocketError(error: Error & { code?: string }): string {
  switch (error.code) {
    case 'ECONNREFUSED':
      return 'connection refused';
    case 'ENOTFOUND':
      return 'host not found';
    case 'EHOSTUNREACH':
      return 'host unreachable';
    case 'ETIMEDOUT':
      return 'timed out';
    case 'ECONNRESET':
      return 'connection reset';
    default:
      return error.message;
  }
}

export class KafkaConnection {
  readonly host: string;
  readonly port: number;
  readonly clientId: string;
  readonly #socket: Socket;
  readonly #splitter = new FrameSplitter(responseFrameBytesMax);
  readonly #pending = new Map<number, Pending>();
  readonly #requestTimeoutMs: number;
  readonly #observer: RequestObserver | null;
  #correlationId = 0;
  #closedError: KafkaClientError | null = null;
  /** The broker's ranges, by api key; filled by the ApiVersions handshake. */
  #brokerVersions = new Map<number, VersionRange>();

  private constructor(socket: Socket, options: ConnectOptions) {
    this.#socket = socket;
    this.host = options.host;
    this.port = options.port;
    this.clientId = options.clientId ?? 'lanes-cli';
    this.#requestTimeoutMs = options.requestTimeoutMs ?? requestTimeoutMsDefault;
    this.#observer = options.observer ?? null;
    socket.setNoDelay(true);
    socket.on('data', (chunk: Buffer) => this.#onData(chunk));
    socket.on('error', (error: Error & { code?: string }) => {
      this.#fail(new KafkaClientError('LANES_CONNECTION_CLOSED', `${this.address}: ${describeSocketError(error)}`, { cause: error }));
    });
    socket.on('close', () => {
      this.#fail(new KafkaClientError('LANES_CONNECTION_CLOSED', `${this.address}: the broker closed the connection`));
    });
  }

  /** "host:port" */
  get address(): string {
    return `${this.host}:${this.port}`;
  }

  get closed(): boolean {
    return this.#closedError !== null;
  }

  /** In-flight requests. */
  get pendingCount(): number {
    return this.#pending.size;
  }

  /** Opens a connection and runs the ApiVersions handshake. */
  static async connect(options: ConnectOptions): Promise<KafkaConnection> {
    const address = `${options.host}:${options.port}`;
    const timeoutMs = options.connectTimeoutMs ?? connectTimeoutMsDefault;
    const socket = await new Promise<Socket>((resolve, reject) => {
      // A factory may call onConnect before it returns the socket: resolved once both happened.
      let opened: Socket | undefined;
      let connected = false;
      const succeed = () => {
        if (!connected || opened === undefined) return;
        clearTimeout(timer);
        opened.removeAllListeners('error');
        resolve(opened);
      };
      const fail = (why: string, cause?: unknown) => {
        clearTimeout(timer);
        opened?.destroy();
        reject(new KafkaClientError('LANES_CONNECT_FAILED', `cannot connect to ${address}: ${why}`, cause === undefined ? undefined : { cause }));
      };
      const timer = setTimeout(() => fail(`no answer within ${timeoutMs} ms`), timeoutMs);
      try {
        opened = (options.socketFactory ?? netSocketFactory)({ host: options.host, port: options.port, onConnect: () => ((connected = true), succeed()) });
      } catch (error) {
        fail(error instanceof Error ? error.message : String(error), error);
        return;
      }
      opened.once('error', (error: Error & { code?: string }) => fail(describeSocketError(error), error));
      succeed();
    });
    const connection = new KafkaConnection(socket, options);
    try {
      await connection.#handshake();
    } catch (error) {
      connection.close();
      throw error;
    }
    return connection;
  }

  /** The broker's version range for an api, or undefined when it does not serve it. */
  brokerVersions(apiKey: number): VersionRange | undefined {
    return this.#brokerVersions.get(apiKey);
  }

  /** The highest version both the codec and the broker speak; throws when there is none. */
  version(apiKey: ApiKeyNumber): number {
    const ours = ourVersions.get(apiKey);
    assert(ours !== undefined, `the codec serves api key ${apiKey}`);
    const theirs = this.#brokerVersions.get(apiKey);
    if (theirs === undefined) {
      throw new KafkaClientError('LANES_NO_COMMON_VERSION', `${this.address} does not support ${apiName(apiKey)}`);
    }
    const max = Math.min(ours.max, theirs.max);
    const min = Math.max(ours.min, theirs.min);
    if (max < min) {
      throw new KafkaClientError(
        'LANES_NO_COMMON_VERSION',
        `${this.address} supports ${apiName(apiKey)} v${theirs.min}–v${theirs.max}, this client v${ours.min}–v${ours.max}`,
      );
    }
    return max;
  }

  /** Sends a request and resolves with its decoded response body. */
  send<Key extends ApiKeyNumber>(apiKey: Key, body: RequestBodies[Key], options: SendOptions = {}): Promise<ResponseBodies[Key]> {
    const apiVersion = options.version ?? this.version(apiKey);
    return this.#send(apiKey, apiVersion, body, options.timeoutMs ?? this.#requestTimeoutMs, (reader) =>
      decodeResponse(apiKey, apiVersion, reader),
    ) as Promise<ResponseBodies[Key]>;
  }

  /**
   * Sends a request the broker does not answer (Produce with acks = 0). Resolves once the bytes
   * were handed to the socket.
   */
  sendWithoutResponse<Key extends ApiKeyNumber>(apiKey: Key, body: RequestBodies[Key], options: SendOptions = {}): Promise<void> {
    if (this.#closedError !== null) return Promise.reject(this.#closedError);
    const apiVersion = options.version ?? this.version(apiKey);
    const correlationId = this.#nextCorrelationId();
    const frame = encodeRequestFrame({ apiKey, apiVersion, correlationId, clientId: this.clientId }, body);
    return new Promise((resolve, reject) => {
      this.#socket.cork();
      for (let i = 0; i < frame.length; i++) {
        const last = i === frame.length - 1;
        this.#socket.write(frame[i], last ? (error) => (error ? reject(error) : resolve()) : undefined);
      }
      this.#socket.uncork();
    });
  }

  /** Closes the socket; requests in flight fail with LANES_CONNECTION_CLOSED. */
  close(): void {
    this.#fail(new KafkaClientError('LANES_CONNECTION_CLOSED', `${this.address}: connection closed by the client`));
  }

  async #handshake(): Promise<void> {
    const ours = ourVersions.get(ApiKey.ApiVersions);
    assert(ours !== undefined, 'the codec serves ApiVersions');
    let version = ours.max;
    for (let attempt = 0; attempt < 2; attempt++) {
      const response = (await this.#send(ApiKey.ApiVersions, version, { clientSoftwareName: 'lanes-cli', clientSoftwareVersion: '0.1.0' }, this.#requestTimeoutMs, (reader) =>
        decodeApiVersions(reader, version),
      )) as ApiVersionsResponse;
      if (response.errorCode === ErrorCode.NONE) {
        this.#brokerVersions = new Map(response.apiKeys.map((key) => [key.apiKey, { min: key.minVersion, max: key.maxVersion }]));
        return;
      }
      if (response.errorCode !== ErrorCode.UNSUPPORTED_VERSION) break;
      // The broker named its own ApiVersions range: retry with the highest version we share.
      const theirs = response.apiKeys.find((key) => key.apiKey === ApiKey.ApiVersions);
      const retry = theirs === undefined ? 0 : Math.min(ours.max, theirs.maxVersion);
      if (retry >= version) break;
      version = retry;
    }
    throw new KafkaClientError('LANES_NO_COMMON_VERSION', `${this.address} refused every ApiVersions version this client speaks`);
  }

  #nextCorrelationId(): number {
    this.#correlationId = (this.#correlationId + 1) & 0x7fff_ffff;
    return this.#correlationId;
  }

  #send(apiKey: number, apiVersion: number, body: unknown, timeoutMs: number, decode: (reader: Reader) => unknown): Promise<unknown> {
    if (this.#closedError !== null) return Promise.reject(this.#closedError);
    const correlationId = this.#nextCorrelationId();
    assert(!this.#pending.has(correlationId), `correlation id ${correlationId} is free`);
    const frame = encodeRequestFrame(
      { apiKey: apiKey as ApiKeyNumber, apiVersion, correlationId, clientId: this.clientId },
      body as RequestBodies[ApiKeyNumber],
    );
    const sentAt = Date.now();
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        // The answer may still come; it is dropped as an unknown correlation id.
        this.#pending.delete(correlationId);
        reject(new KafkaClientError('LANES_REQUEST_TIMEOUT', `${this.address}: no answer to ${apiName(apiKey)} within ${timeoutMs} ms`));
        if (this.#observer?.listening() === true) {
          this.#observer.timedOut(this.#observed(apiKey, apiVersion, correlationId, sentAt));
          this.#observer.inFlight(this.address, this.clientId, this.#pending.size);
        }
      }, timeoutMs);
      this.#pending.set(correlationId, { apiKey, apiVersion, resolve, reject, timer, sentAt, decode });
      this.#socket.cork();
      for (const chunk of frame) this.#socket.write(chunk);
      this.#socket.uncork();
      if (this.#observer?.listening() === true) this.#observer.inFlight(this.address, this.clientId, this.#pending.size);
    });
  }

  #observed(apiKey: number, apiVersion: number, correlationId: number, sentAt: number): ObservedRequest {
    return { broker: this.address, clientId: this.clientId, correlationId, apiName: apiName(apiKey), apiKey, apiVersion, createdAt: sentAt, sentAt, pendingDuration: 0 };
  }

  #onData(chunk: Buffer): void {
    let frames: Uint8Array[];
    try {
      frames = this.#splitter.push(chunk);
    } catch (error) {
      this.#fail(new KafkaClientError('LANES_BAD_RESPONSE', `${this.address}: ${(error as Error).message}`, { cause: error }));
      return;
    }
    for (const frame of frames) {
      if (this.#closedError !== null) return;
      this.#onFrame(frame);
    }
  }

  #onFrame(frame: Uint8Array): void {
    if (frame.length < 4) {
      this.#fail(new KafkaClientError('LANES_BAD_RESPONSE', `${this.address}: a ${frame.length}-byte response frame has no header`));
      return;
    }
    const correlationId = new DataView(frame.buffer, frame.byteOffset, 4).getInt32(0);
    const pending = this.#pending.get(correlationId);
    if (pending === undefined) return; // the answer to a request that timed out
    this.#pending.delete(correlationId);
    clearTimeout(pending.timer);
    if (this.#observer?.listening() === true) {
      this.#observer.answered({ ...this.#observed(pending.apiKey, pending.apiVersion, correlationId, pending.sentAt), size: frame.length, duration: Date.now() - pending.sentAt });
      this.#observer.inFlight(this.address, this.clientId, this.#pending.size);
    }
    try {
      const reader = new Reader(frame);
      decodeResponseHeader(reader, responseHeaderVersion(pending.apiKey, pending.apiVersion));
      pending.resolve(pending.decode(reader));
    } catch (error) {
      const message = `${this.address}: cannot read the ${apiName(pending.apiKey)} v${pending.apiVersion} response: ${(error as Error).message}`;
      const failure = new KafkaClientError('LANES_BAD_RESPONSE', message, { cause: error });
      pending.reject(failure);
      // Nothing later on this connection can be trusted.
      this.#fail(failure);
    }
  }

  #fail(error: KafkaClientError): void {
    if (this.#closedError !== null) return;
    this.#closedError = error;
    for (const pending of this.#pending.values()) {
      clearTimeout(pending.timer);
      pending.reject(error);
    }
    this.#pending.clear();
    this.#socket.destroy();
  }
}

/**
 * An ApiVersions response at `version`, or the v0-shaped body brokers send with
 * UNSUPPORTED_VERSION whatever version was asked (codec.ts: encodeApiVersionsV0Error).
 */
function decodeApiVersions(reader: Reader, version: number): ApiVersionsResponse {
  const errorCode = new Reader(reader.bytes, reader.offset).readInt16();
  if (errorCode === ErrorCode.UNSUPPORTED_VERSION && version > 0) {
    return decodeResponse(ApiKey.ApiVersions, 0, reader);
  }
  return decodeResponse(ApiKey.ApiVersions, version, reader);
}

/** "UNKNOWN_TOPIC_OR_PARTITION (3)": for messages. */
export function describeErrorCode(code: number): string {
  return `${errorCodeName(code)} (${code})`;
}
