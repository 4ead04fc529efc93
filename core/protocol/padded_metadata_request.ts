// librdkafka 2.x asks Metadata v9+ for all topics with its topic count left as the four zero
// bytes it reserved for it: a compact null array is one byte, so three zero bytes come first and
// the real body (null topics, allow_auto_topic_creation, include_topic_authorized_operations,
// tags) follows. Kafka reads the zeros as the body and ignores what is left; Lanes closes a
// connection that sends bytes after a body, so it recognises exactly this shape instead, and reads
// it as librdkafka meant it.
import { isProtocolError } from './errors.js';
import { decodeRequest } from './codec.js';
import { ApiKey } from './api_keys.js';
import type { MetadataRequest } from './messages/metadata.js';
import { Reader } from './reader.js';

/** The first Metadata version with a compact (varint) topic count. */
const compactTopicsFromVersion = 9;
/** The bytes librdkafka reserves for an array count: an int32's. */
const reservedCountBytes = 4;

/**
 * `body` (a request body that decoded with bytes left over) read as librdkafka's padded
 * all-topics Metadata request; null when it is not one.
 */
export function decodePaddedMetadataRequest(apiVersion: number, body: Reader): MetadataRequest | null {
  if (apiVersion < compactTopicsFromVersion || body.remaining <= reservedCountBytes) return null;
  for (let index = 0; index < reservedCountBytes; index++) if (body.bytes[body.offset + index] !== 0) return null;
  const unpadded = new Reader(body.bytes, body.offset + reservedCountBytes - 1, body.end);
  try {
    const request = decodeRequest(ApiKey.Metadata, apiVersion, unpadded);
    return unpadded.remaining === 0 && request.topics === null ? request : null;
  } catch (error) {
    if (isProtocolError(error)) return null;
    throw error;
  }
}
