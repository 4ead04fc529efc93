// One lean Kafka connection for the load generator's hot path: it writes request frames that were
// encoded once (size prefix included, one contiguous buffer) and hands each response frame, raw,
// to the callback registered with its request. No per-request timer, no decode, no Map: brokers
// answer in request order (research §0), so responses are matched first-in first-out and the
// correlation id is only checked, not looked up.
//
// Setup and group control (ApiVersions, CreateTopics, JoinGroup…) go through the general client,
// actors/net/kafka_client.ts; this class carries only Produce and Fetch.
//
// Thread: whichever creates it (the load generator runs on one event loop).
import { connect as netConnect, type Socket } from 'node:net';
import { assert } from '../../core/assert.js';
import { FrameSplitter } from '../../core/protocol/frame.js';
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
  readonly #splitter = new FrameSplitter(responseFrameBytesMax);
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

  #onData(chunk: Buffer): void {
    let frames: Uint8Array[];
    try {
      frames = this.#splitter.push(chunk);
    } catch (error) {
      this.#fail(error as Error);
      return;
    }
    for (const frame of frames) {
      if (this.#head >= this.#waiting.length) {
        this.#fail(new Error('a response arrived for no request'));
        return;
      }
      const waiting = this.#waiting[this.#head++];
      const correlationId = (frame[0] << 24) | (frame[1] << 16) | (frame[2] << 8) | frame[3];
      if (correlationId !== waiting.correlationId) {
        this.#fail(new Error(`response ${correlationId} arrived where ${waiting.correlationId} was expected`));
        return;
      }
      waiting.onResponse(frame);
    }
    // Compact the queue now and then rather than shifting on every response.
    if (this.#head > 1024 && this.#head * 2 > this.#waiting.length) {
      this.#waiting.splice(0, this.#head);
      this.#head = 0;
    }
  }

  #fail(error: Error): void {
    if (this.#error !== null) return;
    this.#error = error;
    this.#socket.destroy();
    this.#onError(error);
  }
}
