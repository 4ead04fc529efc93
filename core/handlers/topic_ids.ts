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

/** The wire form of a catalogue id. */
export function topicIdFromText(text: string): Uint8Array {
  assert(isTopicIdText(text), `topic id '${text}' is not a UUID`);
  const hex = text.replaceAll('-', '');
  const bytes = new Uint8Array(topicIdBytes);
  for (let i = 0; i < topicIdBytes; i++) bytes[i] = Number.parseInt(hex.slice(i * 2, i * 2 + 2), 16);
  return bytes;
}

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
