// Call and CallResult bodies (actors/envelope.ts): v8-serialized values carried through a ring.
//
// Node's v8.deserialize returns every typed array as a VIEW into the bytes it was given (its
// DefaultDeserializer builds `new Uint8Array(input.buffer, offset, length)`). Given a ring slice,
// a deserialized Uint8Array (JoinGroup protocol metadata, SyncGroup assignments, offset metadata)
// would alias ring memory that the producer side overwrites as soon as the record is consumed:
// the group coordinator kept such views and later served another request's bytes as a member's
// subscription. So the body is copied out of the ring first — one copy of a low-rate control
// message, in exchange for values that own their bytes.
//
// What a body holds is typed by the callee's call map (each method with its request and result:
// core/group/group_calls.ts for the group coordinator). Both ends are this build of Lanes, never a
// client, so a decoded body is trusted to be what its map says: the casts to the map's types
// happen here and in ShardHandle, and nowhere else.
import { deserialize, serialize } from 'node:v8';

/** An actor's calls: each method with the request it takes and the result it answers. */
export type CallMap = Record<string, { request: unknown; result: unknown }>;

/** A Call body: one method of the callee and its request (a one-element tuple, as on the ring). */
export interface CallBody<Calls extends CallMap, M extends keyof Calls & string = keyof Calls & string> {
  readonly method: M;
  readonly args: readonly [Calls[M]['request']];
}

/** Every Call body a callee with `Calls` may receive. */
export type CallBodyOf<Calls extends CallMap> = { [M in keyof Calls & string]: CallBody<Calls, M> }[keyof Calls & string];

/** A CallResult body: the method's result, or the Kafka error code that answered it instead. */
export type CallResult<T = unknown> = { ok: true; value: T } | { ok: false; errorCode: number; message: string };

/**
 * How a caller names an actor: its id, typed by the calls it answers. `calls` is never set: it
 * only carries the type, so ShardHandle.call can check a method and its request against it.
 */
export interface ActorAddress<Calls extends CallMap> {
  readonly actorId: number;
  readonly calls?: Calls;
}

/** Decodes a Call body the host addressed to a callee with `Calls` (see the file comment). */
export function decodeCall<Calls extends CallMap>(bytes: Uint8Array): CallBodyOf<Calls> {
  return decodeCallBody(bytes) as CallBodyOf<Calls>;
}

/** Encodes a value for a Call or CallResult body. */
export function encodeCallBody(value: unknown): Uint8Array {
  return serialize(value);
}

/** Decodes a Call or CallResult body; the result shares no memory with `bytes`. */
export function decodeCallBody(bytes: Uint8Array): unknown {
  // TypedArray#slice allocates a fresh (non-shared) ArrayBuffer and copies.
  return deserialize(bytes.slice());
}
