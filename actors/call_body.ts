// Call and CallResult bodies (actors/envelope.ts): v8-serialized values carried through a ring.
//
// Node's v8.deserialize returns every typed array as a VIEW into the bytes it was given (its
// DefaultDeserializer builds `new Uint8Array(input.buffer, offset, length)`). Given a ring slice,
// a deserialized Uint8Array (JoinGroup protocol metadata, SyncGroup assignments, offset metadata)
// would alias ring memory that the producer side overwrites as soon as the record is consumed:
// the group coordinator kept such views and later served another request's bytes as a member's
// subscription. So the body is copied out of the ring first — one copy of a low-rate control
// message, in exchange for values that own their bytes.
import { deserialize, serialize } from 'node:v8';

/** Encodes a value for a Call or CallResult body. */
export function encodeCallBody(value: unknown): Uint8Array {
  return serialize(value);
}

/** Decodes a Call or CallResult body; the result shares no memory with `bytes`. */
export function decodeCallBody(bytes: Uint8Array): unknown {
  // TypedArray#slice allocates a fresh (non-shared) ArrayBuffer and copies.
  return deserialize(bytes.slice());
}
