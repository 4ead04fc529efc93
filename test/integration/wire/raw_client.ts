// A bare Kafka client for wire tests: writes whatever bytes a test wants (well-formed requests
// built with the codec, or garbage) and reads response frames in order.
import { connect, type Socket } from 'node:net';
import type { ApiKeyNumber } from '../../../core/protocol/api_keys.js';
import { decodeResponse, encodeRequestFrame } from '../../../core/protocol/codec.js';
import { FrameSplitter } from '../../../core/protocol/frame.js';
import { decodeResponseHeader, responseHeaderVersion } from '../../../core/protocol/header.js';
import type { RequestBodies, ResponseBodies } from '../../../core/protocol/messages/registry.js';
import { Reader } from '../../../core/protocol/reader.js';
import { concatChunks } from '../../../core/protocol/writer.js';

export class RawClient {
  readonly socket: Socket;
  readonly #splitter = new FrameSplitter(0x7fff_ffff);
  readonly #frames: Uint8Array[] = [];
  readonly #waiters: (() => void)[] = [];
  #closed = false;
  #correlationId = 1;

  private constructor(socket: Socket) {
    this.socket = socket;
    socket.on('data', (chunk: Buffer) => {
      this.#frames.push(...this.#splitter.push(chunk));
      this.#wake();
    });
    socket.on('close', () => {
      this.#closed = true;
      this.#wake();
    });
    socket.on('error', () => undefined);
  }

  static connect(port: number, host = '127.0.0.1'): Promise<RawClient> {
    return new Promise((resolve, reject) => {
      const socket = connect(port, host, () => resolve(new RawClient(socket)));
      socket.once('error', reject);
    });
  }

  /** A client on a socket already connected (a TLS socket after its handshake). */
  static fromSocket(socket: Socket): RawClient {
    return new RawClient(socket);
  }

  get closed(): boolean {
    return this.#closed;
  }

  #wake(): void {
    for (const wake of this.#waiters.splice(0)) wake();
  }

  write(bytes: Uint8Array | Uint8Array[]): void {
    this.socket.write(bytes instanceof Uint8Array ? bytes : concatChunks(bytes));
  }

  /** A request frame (size, header, body) with the next correlation id. */
  frame<Key extends ApiKeyNumber>(apiKey: Key, apiVersion: number, body: RequestBodies[Key], clientId = 'raw-client'): { bytes: Uint8Array; correlationId: number } {
    const correlationId = this.#correlationId++;
    return { bytes: concatChunks(encodeRequestFrame({ apiKey, apiVersion, correlationId, clientId }, body)), correlationId };
  }

  /** The next response frame (without its size), or null once the server closed the connection. */
  async nextFrame(): Promise<Uint8Array | null> {
    for (;;) {
      const frame = this.#frames.shift();
      if (frame !== undefined) return frame;
      if (this.#closed) return null;
      await new Promise<void>((resolve) => this.#waiters.push(resolve));
    }
  }

  /** Resolves once the server has closed the connection (any frames before are dropped). */
  async closedByServer(): Promise<void> {
    while ((await this.nextFrame()) !== null);
  }

  async request<Key extends ApiKeyNumber>(apiKey: Key, apiVersion: number, body: RequestBodies[Key]): Promise<ResponseBodies[Key]> {
    const { bytes, correlationId } = this.frame(apiKey, apiVersion, body);
    this.write(bytes);
    return this.response(apiKey, apiVersion, correlationId);
  }

  async response<Key extends ApiKeyNumber>(apiKey: Key, apiVersion: number, correlationId: number): Promise<ResponseBodies[Key]> {
    const frame = await this.nextFrame();
    if (frame === null) throw new Error('the server closed the connection');
    const reader = new Reader(frame);
    const header = decodeResponseHeader(reader, responseHeaderVersion(apiKey, apiVersion));
    if (header.correlationId !== correlationId) throw new Error(`correlation id ${header.correlationId}, expected ${correlationId}`);
    const body = decodeResponse(apiKey, apiVersion, reader);
    if (reader.remaining !== 0) throw new Error(`${reader.remaining} bytes after the response body`);
    return body;
  }

  close(): void {
    this.socket.destroy();
  }
}
