// TEMPORARY SKIP-LIST: requests that crash the broker, found by this fuzzer (see RELIABILITY.md),
// whose fixes are still to be written: until a fix lands the fuzzer must not send them, or every
// run would stop at the first one instead of looking further.
// REMOVE each entry (and then this file) once its fix is merged; `--no-skip-list` (or
// LANES_FUZZ_NO_SKIP=1) turns the list off to check a fix against the fuzzer.
//
// A signature is checked against what the broker would decode from the bytes of one write: the
// write is cut into frames exactly as the broker's FrameSplitter cuts it, and every frame up to
// the first one the codec rejects (the broker closes the connection there) is decoded and tested.
import { decodeRequest } from '../../core/protocol/codec.js';
import { FrameSplitter } from '../../core/protocol/frame.js';
import { decodeRequestHeader } from '../../core/protocol/header.js';
import { UnsupportedApiError } from '../../core/protocol/errors.js';
import { Reader } from '../../core/protocol/reader.js';
import { frameBytesMax } from '../../core/limits.js';

export interface KnownCrash {
  readonly id: string;
  readonly description: string;
  /** Recognizes the crash in the broker's stderr (its fatal log line). */
  readonly stderrPattern: RegExp;
  /** Recognizes a decoded request that triggers it. */
  matches(apiKey: number, body: unknown, clientId: string | null): boolean;
}

// Fixed so far, each with a regression test beside its fix: a negative lastOffsetDelta from a
// known producer, unbounded error messages, an over-long member id, OffsetDelete while a member
// lacks the chosen protocol, a batch timestamp beyond ±(2^53 − 1). Add an entry only while a fix is under way, and remove it with the fix.
export const knownCrashes: readonly KnownCrash[] = [];

/** The known crash that one write's bytes would trigger, or null. */
export function knownCrashIn(write: Uint8Array, crashes: readonly KnownCrash[] = knownCrashes): KnownCrash | null {
  if (crashes.length === 0) return null;
  let frames: Uint8Array[];
  try {
    frames = new FrameSplitter(frameBytesMax).push(write);
  } catch {
    // FrameSizeError at some frame: the broker closes there. Check the frames before it.
    frames = framesBeforeBadSize(write);
  }
  for (const frame of frames) {
    const reader = new Reader(frame);
    let apiKey: number;
    let body: unknown;
    let clientId: string | null;
    try {
      const header = decodeRequestHeader(reader);
      apiKey = header.apiKey;
      clientId = header.clientId;
      body = decodeRequest(header.apiKey, header.apiVersion, reader);
    } catch {
      // Unsupported (answered, connection kept) or malformed (connection closed): nothing handled.
      if (frameIsUnsupportedOnly(frame)) continue;
      return null;
    }
    const crash = crashes.find((candidate) => candidate.matches(apiKey, body, clientId));
    if (crash !== undefined) return crash;
  }
  return null;
}

function framesBeforeBadSize(write: Uint8Array): Uint8Array[] {
  const frames: Uint8Array[] = [];
  const view = new DataView(write.buffer, write.byteOffset, write.byteLength);
  for (let at = 0; at + 4 <= write.length; ) {
    const size = view.getInt32(at);
    if (size < 0 || size > frameBytesMax || at + 4 + size > write.length) break;
    frames.push(write.subarray(at + 4, at + 4 + size));
    at += 4 + size;
  }
  return frames;
}

/** An unsupported api key or version is answered and the connection kept: later frames still run. */
function frameIsUnsupportedOnly(frame: Uint8Array): boolean {
  try {
    const header = decodeRequestHeader(new Reader(frame));
    decodeRequest(header.apiKey, header.apiVersion, new Reader(new Uint8Array(0)));
    return false;
  } catch (error) {
    return error instanceof UnsupportedApiError;
  }
}
