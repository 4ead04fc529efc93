// Topic ids (KIP-516): 16 random bytes naming one incarnation of a topic, so a client that asks by
// id (Fetch v13+, Metadata v12, DeleteTopics v6) never reaches a topic deleted and re-created
// under the same name. Kept as Kafka's 36-character UUID text in the topic catalogue, carried as
// bytes on the wire. The all-zero id means "no id" in every API that takes one.
import { assert } from '../assert.js';

export const topicIdBytes = 16;

const uuidText = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/** True for the catalogue's text form of an id (lower-case hex, dashes at Kafka's places). */
export function isTopicIdText(text: string): boolean {
  return uuidText.test(text);
}

/** The value of a lower-case hex digit's char code, or −1. */
function hexDigit(code: number): number {
  if (code >= 0x30 && code <= 0x39) return code - 0x30;
  if (code >= 0x61 && code <= 0x66) return code - 0x57;
  return -1;
}

/**
 * The wire form of a catalogue id. Read char by char: every topic a request names is described
 * with its id, so this runs per partition of a request (thousands for a large one), and a regular
 * expression plus string slices per byte showed in the broker's profile.
 */
export function topicIdFromText(text: string): Uint8Array {
  const bytes = new Uint8Array(topicIdBytes);
  let valid = text.length === uuidTextLength;
  for (let i = 0, at = 0; valid && i < topicIdBytes; i++, at += 2) {
    if (at === 8 || at === 13 || at === 18 || at === 23) valid = text.charCodeAt(at++) === 0x2d;
    const high = hexDigit(text.charCodeAt(at));
    const low = hexDigit(text.charCodeAt(at + 1));
    valid &&= high >= 0 && low >= 0;
    bytes[i] = (high << 4) | low;
  }
  assert(valid, `topic id '${text}' is not a UUID`);
  return bytes;
}

/** 32 hex digits and 4 dashes. */
const uuidTextLength = 36;

/** The catalogue form of a wire id (any 16 bytes). */
export function topicIdText(bytes: Uint8Array): string {
  assert(bytes.length === topicIdBytes, `a topic id has ${topicIdBytes} bytes, got ${bytes.length}`);
  const hex = [...bytes].map((byte) => byte.toString(16).padStart(2, '0')).join('');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

export function isZeroTopicId(bytes: Uint8Array): boolean {
  return bytes.every((byte) => byte === 0);
}

/** Kafka's ZERO_UUID: "no topic id", answered for a topic that has none (an unknown name). */
export const zeroTopicId = (): Uint8Array => new Uint8Array(topicIdBytes);
