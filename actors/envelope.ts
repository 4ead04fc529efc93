// The binary layout of messages between the host (main thread) and shards, as ring records.
//
//   0   u8   kind           EnvelopeKind
//   1   u8   flags          reserved (0)
//   2   u16  reserved
//   4   u32  actorId        partition id, or the shard's group coordinator (0)
//   8   u32  correlationId  host-chosen; a reply echoes it
//   12  …    body           per kind, below
//
// Append        body: u16 flags (AppendFlag: bit 0 = reply after the data is flushed per
//                     policy, bit 1 = a transaction marker the broker wrote, not a producer's
//                     batch), u16 pad, then the RecordBatch bytes exactly as the producer sent them.
// AppendResult  body: i16 errorCode, u16 pad, u32 recordCount, f64 baseOffset,
//                     f64 logStartOffset, f64 highWatermark, then a UTF-8 error message.
// Fetch         body: u32 maxBytes, u32 pad, f64 fetchOffset.
// FetchResult   body: i16 errorCode, u16 pad, u32 batchBytes, f64 highWatermark,
//                     f64 logStartOffset, then batchBytes of whole batches (or a UTF-8 message).
// Call          body: a v8-serialized { method, args } for low-rate data-plane calls (group
//                     coordinator requests, list offsets); CallResult: v8-serialized
//                     { ok: true, value } | { ok: false, errorCode, message }.
//
// Fixed-size numeric fields are little-endian (DataView with littleEndian = true): both ends are
// this machine. The batch bytes inside keep Kafka's big-endian format untouched.
import { assert } from '../core/assert.js';

export const EnvelopeKind = {
  Append: 1,
  AppendResult: 2,
  Fetch: 3,
  FetchResult: 4,
  Call: 5,
  CallResult: 6,
} as const;
export type EnvelopeKind = (typeof EnvelopeKind)[keyof typeof EnvelopeKind];

/** The Append body's flag bits. */
export const AppendFlag = { waitForFlush: 1, marker: 2 } as const;

export const envelopeHeaderBytes = 12;
export const appendHeaderBytes = envelopeHeaderBytes + 4;
export const appendResultHeaderBytes = envelopeHeaderBytes + 32;
export const fetchHeaderBytes = envelopeHeaderBytes + 16;
export const fetchResultHeaderBytes = envelopeHeaderBytes + 24;

export function dataViewOf(bytes: Uint8Array): DataView {
  return new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

export function writeEnvelopeHeader(view: DataView, kind: EnvelopeKind, actorId: number, correlationId: number): void {
  writeEnvelopeHeaderAt(view, 0, kind, actorId, correlationId);
}

/** As writeEnvelopeHeader, at byte `at` of `view` (one view over a whole ring: no allocation). */
export function writeEnvelopeHeaderAt(view: DataView, at: number, kind: EnvelopeKind, actorId: number, correlationId: number): void {
  view.setUint8(at, kind);
  view.setUint8(at + 1, 0);
  view.setUint16(at + 2, 0, true);
  view.setUint32(at + 4, actorId, true);
  view.setUint32(at + 8, correlationId, true);
}

export function envelopeKind(bytes: Uint8Array): EnvelopeKind {
  assert(bytes.length >= envelopeHeaderBytes, `envelope of ${bytes.length} bytes is shorter than its header`);
  return bytes[0] as EnvelopeKind;
}

export interface EnvelopeHeader {
  kind: EnvelopeKind;
  actorId: number;
  correlationId: number;
}

export function readEnvelopeHeader(view: DataView): EnvelopeHeader {
  return { kind: view.getUint8(0) as EnvelopeKind, actorId: view.getUint32(4, true), correlationId: view.getUint32(8, true) };
}

export interface AppendResult {
  errorCode: number;
  recordCount: number;
  baseOffset: number;
  logStartOffset: number;
  highWatermark: number;
  message: string;
}

const textEncoder = new TextEncoder();
const textDecoder = new TextDecoder();

export function encodeMessage(message: string): Uint8Array {
  return message.length === 0 ? new Uint8Array(0) : textEncoder.encode(message);
}

export function writeAppendResult(target: Uint8Array, actorId: number, correlationId: number, result: AppendResult, message: Uint8Array): void {
  assert(target.length === appendResultHeaderBytes + message.length, 'AppendResult size mismatch');
  const view = dataViewOf(target);
  writeEnvelopeHeader(view, EnvelopeKind.AppendResult, actorId, correlationId);
  view.setInt16(12, result.errorCode, true);
  view.setUint32(16, result.recordCount, true);
  view.setFloat64(20, result.baseOffset, true);
  view.setFloat64(28, result.logStartOffset, true);
  view.setFloat64(36, result.highWatermark, true);
  target.set(message, appendResultHeaderBytes);
}

export function readAppendResult(bytes: Uint8Array): AppendResult {
  return readAppendResultAt(dataViewOf(bytes), bytes, 0, bytes.length);
}

/** As readAppendResult, for the envelope of `length` bytes at `at` in `data` (`view` over the same bytes). */
export function readAppendResultAt(view: DataView, data: Uint8Array, at: number, length: number): AppendResult {
  return {
    errorCode: view.getInt16(at + 12, true),
    recordCount: view.getUint32(at + 16, true),
    baseOffset: view.getFloat64(at + 20, true),
    logStartOffset: view.getFloat64(at + 28, true),
    highWatermark: view.getFloat64(at + 36, true),
    message: length > appendResultHeaderBytes ? textDecoder.decode(data.subarray(at + appendResultHeaderBytes, at + length)) : '',
  };
}

export interface FetchRequestBody {
  fetchOffset: number;
  maxBytes: number;
}

export function writeFetch(target: Uint8Array, actorId: number, correlationId: number, body: FetchRequestBody): void {
  assert(target.length === fetchHeaderBytes, 'Fetch size mismatch');
  const view = dataViewOf(target);
  writeEnvelopeHeader(view, EnvelopeKind.Fetch, actorId, correlationId);
  view.setUint32(12, body.maxBytes, true);
  view.setUint32(16, 0, true);
  view.setFloat64(20, body.fetchOffset, true);
}

export function readFetch(bytes: Uint8Array): FetchRequestBody {
  const view = dataViewOf(bytes);
  return { maxBytes: view.getUint32(12, true), fetchOffset: view.getFloat64(20, true) };
}

export interface FetchResultHeader {
  errorCode: number;
  batchBytes: number;
  highWatermark: number;
  logStartOffset: number;
}

export function writeFetchResultHeader(target: Uint8Array, actorId: number, correlationId: number, header: FetchResultHeader): void {
  const view = dataViewOf(target);
  writeEnvelopeHeader(view, EnvelopeKind.FetchResult, actorId, correlationId);
  view.setInt16(12, header.errorCode, true);
  view.setUint32(16, header.batchBytes, true);
  view.setFloat64(20, header.highWatermark, true);
  view.setFloat64(28, header.logStartOffset, true);
}

export function readFetchResultHeader(bytes: Uint8Array): FetchResultHeader {
  return readFetchResultHeaderAt(dataViewOf(bytes), 0);
}

export function readFetchResultHeaderAt(view: DataView, at: number): FetchResultHeader {
  return {
    errorCode: view.getInt16(at + 12, true),
    batchBytes: view.getUint32(at + 16, true),
    highWatermark: view.getFloat64(at + 20, true),
    logStartOffset: view.getFloat64(at + 28, true),
  };
}

export function decodeMessage(bytes: Uint8Array): string {
  return textDecoder.decode(bytes);
}
