// The wire codec for every API Lanes serves: decode a request body / encode a response body
// (broker side) and the reverse (our tests, load generator and over-the-wire client).
//
// Broker flow for one frame:
//
//   const reader = new Reader(frame);
//   const header = decodeRequestHeader(reader);              // ProtocolError → close
//   try { body = decodeRequest(header.apiKey, header.apiVersion, reader) }
//   catch (e) {
//     if (e instanceof UnsupportedApiError) → answer UNSUPPORTED_VERSION; for ApiVersions with
//       encodeApiVersionsV0ErrorFrame(header.correlationId), keep the connection
//     if (e instanceof ProtocolError) → log and close the connection
//   }
//   … handle …
//   socket.cork(); for (const chunk of encodeResponseFrame(apiKey, version, id, response, alloc)) write(chunk); uncork()
//
// Each served (api, version) of messages/registry.ts is compiled the first time it is used
// (compileEveryCodec compiles them all, for the tests). apiCatalog lists those ranges: the over-the-wire
// client negotiates with it, and they are the very ranges ApiVersions advertises, since both come
// from the same definitions (api_definition.ts).

import { assert } from '../assert.js';
import { ErrorCode } from '../errors.js';
import { servesVersion, type ApiDefinition } from './api_definition.js';
import type { ApiKeyNumber } from './api_keys.js';
import { UnsupportedApiError } from './errors.js';
import {
  encodeRequestHeader,
  encodeResponseHeader,
  responseHeaderVersion,
  type RequestHeader,
} from './header.js';
import { apiVersionsApi, type ApiVersionsResponseKey } from './messages/api_versions.js';
import {
  apiDefinitions,
  type RequestBodies,
  type RequestBody,
  type ResponseBodies,
  type ResponseBody,
} from './messages/registry.js';
import type { Reader } from './reader.js';
import { compileMessage, type StructCodec, type StructObject } from './struct_codec.js';
import { Writer } from './writer.js';

export interface ApiCatalogEntry {
  readonly apiKey: ApiKeyNumber;
  /** Kafka's API name, e.g. 'Produce'. */
  readonly name: string;
  readonly versionMin: number;
  readonly versionMax: number;
}

interface CompiledApi {
  readonly definition: ApiDefinition;
  /** Indexed by version, filled on first use; undefined below versionMin and until then. */
  readonly requests: (StructCodec | undefined)[];
  readonly responses: (StructCodec | undefined)[];
}

// Compiled on first use, not at load: compiling every served (api, version) took ~125 ms of CPU at
// import, paid by every CLI command, client and shard thread that speaks a few APIs at most.
// compileEveryCodec() compiles them all; the codec's unit test calls it, so a bad table still fails.
const compiledApis = new Map<number, CompiledApi>(
  apiDefinitions.map((definition) => [definition.key, { definition, requests: [], responses: [] }]),
);

/** Compiles every served (api, version) at once: a table that cannot compile throws here. */
export function compileEveryCodec(): void {
  for (const { definition } of compiledApis.values()) {
    for (let version = definition.versionMin; version <= definition.versionMax; version++) {
      codecFor(definition.key, version, 'request');
      codecFor(definition.key, version, 'response');
    }
  }
}

/** The APIs and version ranges the codec serves (every definition's), by ascending api key. */
export const apiCatalog: readonly ApiCatalogEntry[] = apiDefinitions.map(({ key, name, versionMin, versionMax }) => ({
  apiKey: key,
  name,
  versionMin,
  versionMax,
}));

export function isSupportedVersion(apiKey: number, apiVersion: number): boolean {
  const api = compiledApis.get(apiKey);
  return api !== undefined && servesVersion(api.definition, apiVersion);
}

function codecFor(apiKey: number, apiVersion: number, kind: 'request' | 'response'): StructCodec {
  const api = compiledApis.get(apiKey);
  if (api === undefined) throw new UnsupportedApiError(apiKey, apiVersion, 'unknown-api-key');
  if (!servesVersion(api.definition, apiVersion)) throw new UnsupportedApiError(apiKey, apiVersion, 'unsupported-version');
  const codecs = kind === 'request' ? api.requests : api.responses;
  const compiled = codecs[apiVersion];
  if (compiled !== undefined) return compiled;
  const codec = compileMessage(kind === 'request' ? api.definition.request : api.definition.response, apiVersion);
  codecs[apiVersion] = codec;
  return codec;
}

/**
 * Decodes a request body. Throws UnsupportedApiError for an api key or version we do not serve
 * (answer UNSUPPORTED_VERSION) and ProtocolError for malformed bytes (close the connection).
 * Byte fields, records included, are views into the reader's bytes.
 */
export function decodeRequest<Key extends ApiKeyNumber>(apiKey: Key, apiVersion: number, reader: Reader): RequestBodies[Key];
export function decodeRequest(apiKey: number, apiVersion: number, reader: Reader): RequestBody;
export function decodeRequest(apiKey: number, apiVersion: number, reader: Reader): RequestBody {
  return codecFor(apiKey, apiVersion, 'request').decode(reader) as unknown as RequestBody;
}

/** Encodes a response body (no header). Record chunks are appended by reference. */
export function encodeResponse<Key extends ApiKeyNumber>(apiKey: Key, apiVersion: number, body: ResponseBodies[Key], writer: Writer): void;
export function encodeResponse(apiKey: number, apiVersion: number, body: ResponseBody, writer: Writer): void;
export function encodeResponse(apiKey: number, apiVersion: number, body: ResponseBody, writer: Writer): void {
  codecFor(apiKey, apiVersion, 'response').encode(writer, body as unknown as StructObject);
}

/** Encodes a request body (client side). */
export function encodeRequest<Key extends ApiKeyNumber>(apiKey: Key, apiVersion: number, body: RequestBodies[Key], writer: Writer): void;
export function encodeRequest(apiKey: number, apiVersion: number, body: RequestBody, writer: Writer): void;
export function encodeRequest(apiKey: number, apiVersion: number, body: RequestBody, writer: Writer): void {
  codecFor(apiKey, apiVersion, 'request').encode(writer, body as unknown as StructObject);
}

/** Decodes a response body (client side). */
export function decodeResponse<Key extends ApiKeyNumber>(apiKey: Key, apiVersion: number, reader: Reader): ResponseBodies[Key];
export function decodeResponse(apiKey: number, apiVersion: number, reader: Reader): ResponseBody;
export function decodeResponse(apiKey: number, apiVersion: number, reader: Reader): ResponseBody {
  return codecFor(apiKey, apiVersion, 'response').decode(reader) as unknown as ResponseBody;
}

// Whole frames.

/** Allocates the exact-size arrays a response frame's bytes are copied into. */
export type FrameAllocator = (bytes: number) => Uint8Array;

const allocateFresh: FrameAllocator = (bytes) => new Uint8Array(bytes);

// One writer encodes every response of this thread: encoding is synchronous and its scratch is
// copied out at the end (finishFrameCopied), so only the exact-size copy is allocated per
// response. 4 KiB covers every response but large Fetch/Metadata ones, which grow it once.
const responseWriter = new Writer(4096);
let responseWriterBusy = false;

/**
 * A complete response frame: size, response header (version chosen per api), body. The header
 * and small fields come back in arrays from `allocate` (fresh ones by default; the broker passes
 * Node's pooled Buffer.allocUnsafe); record chunks are the caller's views, by reference.
 */
export function encodeResponseFrame<Key extends ApiKeyNumber>(
  apiKey: Key,
  apiVersion: number,
  correlationId: number,
  body: ResponseBodies[Key],
  allocate: FrameAllocator = allocateFresh,
): Uint8Array[] {
  assert(!responseWriterBusy, 'response encoding does not nest');
  responseWriterBusy = true;
  try {
    // Also discards what an encode that threw (a bug) left behind.
    responseWriter.reuse();
    encodeResponseHeader(responseWriter, correlationId, responseHeaderVersion(apiKey, apiVersion));
    encodeResponse(apiKey, apiVersion, body, responseWriter);
    return responseWriter.finishFrameCopied(allocate);
  } finally {
    responseWriterBusy = false;
  }
}

/** A complete request frame: size, request header (v1 or v2 per api), body. */
export function encodeRequestFrame<Key extends ApiKeyNumber>(
  header: RequestHeader & { apiKey: Key },
  body: RequestBodies[Key],
): Uint8Array[] {
  const writer = new Writer();
  encodeRequestHeader(writer, header);
  encodeRequest(header.apiKey, header.apiVersion, body, writer);
  return writer.finishFrame();
}

// ApiVersions with a version above ours.

/** Our own ApiVersions entry: what a client needs to retry with a version we speak. */
export function apiVersionsEntry(): ApiVersionsResponseKey {
  return { apiKey: apiVersionsApi.key, minVersion: apiVersionsApi.versionMin, maxVersion: apiVersionsApi.versionMax };
}

/**
 * The v0-shaped ApiVersions body Kafka sends when the request version is too high: error code,
 * then an int32-count array of (api key, min, max). Clients read the error first and retry with
 * a lower version (kafkajs 2→1→0, librdkafka 3→0, platformatic 3→1).
 */
export function encodeApiVersionsV0Error(
  writer: Writer,
  errorCode: number = ErrorCode.UNSUPPORTED_VERSION,
  apiKeys: readonly ApiVersionsResponseKey[] = [apiVersionsEntry()],
): void {
  writer.writeInt16(errorCode);
  writer.writeArrayCount(apiKeys.length);
  for (const entry of apiKeys) {
    writer.writeInt16(entry.apiKey);
    writer.writeInt16(entry.minVersion);
    writer.writeInt16(entry.maxVersion);
  }
}

/** The whole frame for the above: size, response header v0, v0-shaped error body. */
export function encodeApiVersionsV0ErrorFrame(
  correlationId: number,
  errorCode: number = ErrorCode.UNSUPPORTED_VERSION,
  apiKeys: readonly ApiVersionsResponseKey[] = [apiVersionsEntry()],
): Uint8Array[] {
  const writer = new Writer(64);
  encodeResponseHeader(writer, correlationId, 0);
  encodeApiVersionsV0Error(writer, errorCode, apiKeys);
  return writer.finishFrame();
}
