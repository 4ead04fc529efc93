// One lean Kafka connection for the load generator's hot path: it writes request frames that were
// encoded once (size prefix included, one contiguous buffer) and hands each response frame, raw,
// to the callback registered with its request. No per-request timer, no decode, no Map: brokers
// answer a connection's requests in request order (a Kafka protocol guarantee), so responses are matched first-in first-out and the
// correlation id is only checked, not looked up.
//
// Setup and group control (ApiVersions, CreateTopics, JoinGroup…) go through the general client,
// actors/net/kafka_client.ts; this class carries only Produce and Fetch.
//
// Thread: whichever creates it (the load generator runs on one event loop).
import { connect as netConnect, type Socket } from 'node:net';
import { assert } from '../../core/assert.js';
import { encodeRequestFrame } from '../../core/protocol/codec.js';
import type { ApiKeyNumber } from '../../core/protocol/api_keys.js';
import type { RequestBodies } from '../../core/protocol/messages/registry.js';

/** Byte position of the correlation id in a frame that starts with its size. */
const correlationIdPosition = 8;
const responseFrameBytesMax = 0x7fff_ffff;

/** Encodes a whole request frame (size first) into one buffer, ready to be written many times. */
export function encodeFrameBuffer<Key extends ApiKeyNumber>(
  apiKey: Key,
  apiVersion: number,
  correlationId: number,
  clientId: string,
  body: RequestBodies[Key],
): Buffer {
  const chunks = encodeRequestFrame({ apiKey, apiVersion, correlationId, clientId }, body);
  const frame = Buffer.concat(chunks);
  assert(frame.readInt32BE(0) === frame.length - 4, 'the frame size covers the rest of the frame');
  assert(frame.readInt32BE(correlationIdPosition) === correlationId, 'the correlation id sits after api key and version');
  return frame;
}

export class WireConnection {
  readonly #socket: Socket;
  /** Response frames spread over several socket chunks are assembled here: one buffer, reused. */
  #assembly = new Uint8Array(64 * 1024);
  #assemblyFilled = 0;
  /** Size of the frame being assembled; -1 while its size field is being read. */
  #frameBytes = -1;
  readonly #sizeScratch = new Uint8Array(4);
  #sizeFilled = 0;
  /** Callbacks of requests written and not yet answered, in write order. */
  readonly #waiting: { correlationId: number; onResponse: (frame: Uint8Array) => void }[] = [];
  #head = 0;
  #error: Error | null = null;
  #onError: (error: Error) => void = () => {};

  private constructor(socket: Socket) {
    this.#socket = socket;
    socket.setNoDelay(true);
    socket.on('data', (chunk: Buffer) => this.#onData(chunk));
    socket.on('error', (error) => this.#fail(error));
    socket.on('close', () => this.#fail(new Error('the broker closed the connection')));
  }

  static connect(host: string, port: number): Promise<WireConnection> {
    return new Promise((resolve, reject) => {
      const socket = netConnect({ host, port });
      socket.once('connect', () => {
        socket.removeAllListeners('error');
        resolve(new WireConnection(socket));
      });
      socket.once('error', reject);
    });
  }

  /** Requests written and not yet answered. */
  get inFlight(): number {
    return this.#waiting.length - this.#head;
  }

  /** True while the socket's write buffer is over its high-water mark. */
  get congested(): boolean {
    return this.#socket.writableNeedDrain;
  }

  /** Called once when the connection fails (a broker error, a closed socket). */
  onError(listener: (error: Error) => void): void {
    this.#onError = listener;
  }

  /** Resolves when the socket's write buffer has drained. */
  drain(): Promise<void> {
    if (!this.#socket.writableNeedDrain) return Promise.resolve();
    return new Promise((resolve) => this.#socket.once('drain', resolve));
  }

  /** Writes a frame whose response goes to `onResponse` (the raw frame, without its size). */
  request(frame: Uint8Array, onResponse: (frame: Uint8Array) => void): void {
    if (this.#error !== null) throw this.#error;
    const correlationId = (frame[8] << 24) | (frame[9] << 16) | (frame[10] << 8) | frame[11];
    this.#waiting.push({ correlationId, onResponse });
    this.#socket.write(frame);
  }

  /** Writes a frame the broker does not answer (Produce with acks = 0). */
  send(frame: Uint8Array, onWritten?: () => void): void {
    if (this.#error !== null) throw this.#error;
    this.#socket.write(frame, onWritten === undefined ? undefined : () => onWritten());
  }

  close(): void {
    this.#error ??= new Error('connection closed by the load generator');
    this.#socket.destroy();
  }

  /**
   * Cuts response frames out of the stream. A frame inside one chunk is passed on as a view of
   * it; a frame spread over chunks is copied into one reused buffer (no allocation per response,
   * which at hundreds of MB/s of Fetch responses would otherwise dominate: large buffers cost
   * page faults and GC). So the frame handed to a callback is valid only until the next response
   * of this connection is read: callers with one request in flight (the fetch loop) may hold it
   * until they send the next; Produce callbacks use it synchronously.
   */
  #onData(chunk: Buffer): void {
    let at = 0;
    while (at < chunk.length && this.#error === null) {
      if (this.#frameBytes === -1) {
        if (this.#sizeFilled === 0 && chunk.length - at >= 4) {
          const size = chunk.readInt32BE(at);
          at += 4;
          if (size < 0 || size > responseFrameBytesMax) return this.#fail(new Error(`response frame size ${size}`));
          if (chunk.length - at >= size) {
            this.#deliver(chunk.subarray(at, at + size));
            at += size;
            continue;
          }
          this.#startAssembly(size);
          continue;
        }
        const take = Math.min(4 - this.#sizeFilled, chunk.length - at);
        this.#sizeScratch.set(chunk.subarray(at, at + take), this.#sizeFilled);
        this.#sizeFilled += take;
        at += take;
        if (this.#sizeFilled < 4) break;
        this.#sizeFilled = 0;
        const size = Buffer.from(this.#sizeScratch.buffer).readInt32BE(0);
        if (size < 0 || size > responseFrameBytesMax) return this.#fail(new Error(`response frame size ${size}`));
        this.#startAssembly(size);
        if (size === 0) this.#finishAssembly();
        continue;
      }
      const take = Math.min(this.#frameBytes - this.#assemblyFilled, chunk.length - at);
      this.#assembly.set(chunk.subarray(at, at + take), this.#assemblyFilled);
      this.#assemblyFilled += take;
      at += take;
      if (this.#assemblyFilled === this.#frameBytes) this.#finishAssembly();
    }
  }

  #startAssembly(size: number): void {
    if (this.#assembly.length < size) this.#assembly = new Uint8Array(Math.max(size, this.#assembly.length * 2));
    this.#frameBytes = size;
    this.#assemblyFilled = 0;
  }

  #finishAssembly(): void {
    const frame = this.#assembly.subarray(0, this.#frameBytes);
    this.#frameBytes = -1;
    this.#assemblyFilled = 0;
    this.#deliver(frame);
  }

  #deliver(frame: Uint8Array): void {
    if (this.#head >= this.#waiting.length) return this.#fail(new Error('a response arrived for no request'));
    const waiting = this.#waiting[this.#head++];
    const correlationId = (frame[0] << 24) | (frame[1] << 16) | (frame[2] << 8) | frame[3];
    if (correlationId !== waiting.correlationId) {
      return this.#fail(new Error(`response ${correlationId} arrived where ${waiting.correlationId} was expected`));
    }
    // Compact the queue now and then rather than shifting on every response.
    if (this.#head > 1024 && this.#head * 2 > this.#waiting.length) {
      this.#waiting.splice(0, this.#head);
      this.#head = 0;
    }
    waiting.onResponse(frame);
  }

  #fail(error: Error): void {
    if (this.#error !== null) return;
    this.#error = error;
    this.#socket.destroy();
    this.#onError(error);
  }
}
