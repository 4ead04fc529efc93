// ConsumerProtocol: the bytes a consumer puts in JoinGroup (its subscription, "member metadata")
// and the bytes the leader puts in SyncGroup (each member's assignment), for protocolType
// "consumer". The broker never needs to understand them; the embedded client's leader does, and
// DescribeGroups tooling may.
//
// Classic (non-flexible) encoding, big-endian, no tagged fields:
//
//   Subscription                                   Assignment
//     version           int16                        version             int16
//     topics            [string]           v0+       assigned_partitions [topic string,
//     user_data         nullable bytes     v0+                            partitions [int32]]
//     owned_partitions  [topic string,     v1+       user_data           nullable bytes
//                        partitions [int32]]
//     generation_id     int32 (default −1) v2+       v1–v3 have the v0 layout; the versions only
//     rack_id           nullable string    v3+       move in step with the subscription.
//
// Later versions only ever append fields (Kafka's schema comment promises this), so a reader
// parses a newer version with the fields it knows and ignores whatever follows. Writing an older
// version silently drops the newer fields, as Kafka does for fields marked "ignorable".
//
// Malformed bytes throw LanesError(INCONSISTENT_GROUP_PROTOCOL). Metadata a reader cannot parse
// means the member does not speak the protocol the group selected, which is exactly what that code
// tells a client, and a LanesError carries a code the wire layer can answer with as it is. The
// message names the structure, the field and the byte position.

import { assert } from '../assert.js';
import { ErrorCode, LanesError } from '../errors.js';

/** Highest ConsumerProtocolSubscription/Assignment version Lanes reads and writes. */
export const consumerProtocolVersionMax = 3;

export interface TopicPartitions {
  readonly topic: string;
  readonly partitions: readonly number[];
}

export interface ConsumerProtocolSubscription {
  readonly version: number;
  readonly topics: readonly string[];
  readonly userData: Uint8Array | null;
  /** v1+ (KIP-429): what the member holds now; empty when absent. */
  readonly ownedPartitions: readonly TopicPartitions[];
  /** v2+ (KIP-792): the generation the owned partitions belong to; −1 when unknown or absent. */
  readonly generationId: number;
  /** v3+ (KIP-881); null when absent. */
  readonly rackId: string | null;
}

/** What encodeSubscription takes: the fields a version does not have may be left out. */
export interface SubscriptionInput {
  readonly version: number;
  readonly topics: readonly string[];
  readonly userData?: Uint8Array | null;
  readonly ownedPartitions?: readonly TopicPartitions[];
  readonly generationId?: number;
  readonly rackId?: string | null;
}

export interface ConsumerProtocolAssignment {
  readonly version: number;
  readonly assignedPartitions: readonly TopicPartitions[];
  readonly userData: Uint8Array | null;
}

export interface AssignmentInput {
  readonly version: number;
  readonly assignedPartitions: readonly TopicPartitions[];
  readonly userData?: Uint8Array | null;
}

const int16Bytes = 2;
const int32Bytes = 4;
const int16Max = 0x7fff;
const textEncoder = new TextEncoder();
const textDecoder = new TextDecoder('utf-8');

// ---------------------------------------------------------------------------------------------
// Encoding. Two passes: strings are encoded once and measured, then written into one buffer of
// exactly the right size, so nothing is copied twice.

/** A string as it will be written: its UTF-8 bytes, or null for a null string. */
type EncodedString = Uint8Array | null;

function encodeString(value: string | null, field: string): EncodedString {
  if (value === null) return null;
  const bytes = textEncoder.encode(value);
  assert(bytes.length <= int16Max, `${field}: ${bytes.length} bytes does not fit an int16 length`);
  return bytes;
}

function stringBytes(value: EncodedString): number {
  return int16Bytes + (value === null ? 0 : value.length);
}

function nullableBytesBytes(value: Uint8Array | null): number {
  return int32Bytes + (value === null ? 0 : value.length);
}

interface EncodedTopicPartitions {
  topic: Uint8Array;
  partitions: readonly number[];
}

function encodeTopicPartitions(list: readonly TopicPartitions[], field: string): EncodedTopicPartitions[] {
  return list.map(({ topic, partitions }) => {
    for (const partition of partitions) {
      assert(Number.isInteger(partition), `${field}: partition ${partition} of ${topic} is not an integer`);
      assert(partition >= -0x80000000 && partition <= 0x7fffffff, `${field}: partition ${partition} is not an int32`);
    }
    return { topic: encodeString(topic, field) as Uint8Array, partitions };
  });
}

function topicPartitionsBytes(list: readonly EncodedTopicPartitions[]): number {
  let bytes = int32Bytes;
  for (const entry of list) bytes += stringBytes(entry.topic) + int32Bytes + entry.partitions.length * int32Bytes;
  return bytes;
}

class Writer {
  readonly bytes: Uint8Array;
  private readonly view: DataView;
  position = 0;

  constructor(size: number) {
    this.bytes = new Uint8Array(size);
    this.view = new DataView(this.bytes.buffer);
  }

  int16(value: number): void {
    this.view.setInt16(this.position, value);
    this.position += int16Bytes;
  }

  int32(value: number): void {
    this.view.setInt32(this.position, value);
    this.position += int32Bytes;
  }

  string(value: EncodedString): void {
    if (value === null) {
      this.int16(-1);
      return;
    }
    this.int16(value.length);
    this.bytes.set(value, this.position);
    this.position += value.length;
  }

  nullableBytes(value: Uint8Array | null): void {
    if (value === null) {
      this.int32(-1);
      return;
    }
    this.int32(value.length);
    this.bytes.set(value, this.position);
    this.position += value.length;
  }

  topicPartitions(list: readonly EncodedTopicPartitions[]): void {
    this.int32(list.length);
    for (const entry of list) {
      this.string(entry.topic);
      this.int32(entry.partitions.length);
      for (const partition of entry.partitions) this.int32(partition);
    }
  }
}

function assertVersion(version: number, what: string): void {
  assert(Number.isInteger(version), `${what} version ${version} is not an integer`);
  assert(version >= 0, `${what} version ${version} is negative`);
  assert(version <= consumerProtocolVersionMax, `${what} version ${version} is above ${consumerProtocolVersionMax}`);
}

export function encodeSubscription(subscription: SubscriptionInput): Uint8Array {
  const { version } = subscription;
  assertVersion(version, 'subscription');
  const topics = subscription.topics.map((topic) => encodeString(topic, 'subscription topics') as Uint8Array);
  const userData = subscription.userData ?? null;
  const owned = version >= 1 ? encodeTopicPartitions(subscription.ownedPartitions ?? [], 'owned partitions') : [];
  const generationId = subscription.generationId ?? -1;
  assert(Number.isInteger(generationId), `generation id ${generationId} is not an integer`);
  const rackId = version >= 3 ? encodeString(subscription.rackId ?? null, 'rack id') : null;

  let size = int16Bytes + int32Bytes + nullableBytesBytes(userData);
  for (const topic of topics) size += stringBytes(topic);
  if (version >= 1) size += topicPartitionsBytes(owned);
  if (version >= 2) size += int32Bytes;
  if (version >= 3) size += stringBytes(rackId);

  const writer = new Writer(size);
  writer.int16(version);
  writer.int32(topics.length);
  for (const topic of topics) writer.string(topic);
  writer.nullableBytes(userData);
  if (version >= 1) writer.topicPartitions(owned);
  if (version >= 2) writer.int32(generationId);
  if (version >= 3) writer.string(rackId);
  assert(writer.position === size, `subscription: wrote ${writer.position} of ${size} bytes`);
  return writer.bytes;
}

export function encodeAssignment(assignment: AssignmentInput): Uint8Array {
  assertVersion(assignment.version, 'assignment');
  const assigned = encodeTopicPartitions(assignment.assignedPartitions, 'assigned partitions');
  const userData = assignment.userData ?? null;
  const size = int16Bytes + topicPartitionsBytes(assigned) + nullableBytesBytes(userData);

  const writer = new Writer(size);
  writer.int16(assignment.version);
  writer.topicPartitions(assigned);
  writer.nullableBytes(userData);
  assert(writer.position === size, `assignment: wrote ${writer.position} of ${size} bytes`);
  return writer.bytes;
}

// ---------------------------------------------------------------------------------------------
// Decoding. Every read checks the bytes left first, and every array count is checked against
// the smallest size its elements could have, so a hostile count cannot make us allocate.

class Reader {
  private readonly view: DataView;
  position = 0;

  constructor(
    private readonly bytes: Uint8Array,
    private readonly structure: string,
  ) {
    this.view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  }

  get remaining(): number {
    return this.bytes.length - this.position;
  }

  fail(field: string, problem: string): never {
    throw new LanesError(
      ErrorCode.INCONSISTENT_GROUP_PROTOCOL,
      `malformed consumer protocol ${this.structure}: ${field} ${problem} at byte ${this.position} of ${this.bytes.length}`,
    );
  }

  private need(bytes: number, field: string): void {
    if (this.remaining < bytes) this.fail(field, `needs ${bytes} bytes, ${this.remaining} left`);
  }

  int16(field: string): number {
    this.need(int16Bytes, field);
    const value = this.view.getInt16(this.position);
    this.position += int16Bytes;
    return value;
  }

  int32(field: string): number {
    this.need(int32Bytes, field);
    const value = this.view.getInt32(this.position);
    this.position += int32Bytes;
    return value;
  }

  nullableString(field: string): string | null {
    const length = this.int16(field);
    if (length === -1) return null;
    if (length < 0) this.fail(field, `has length ${length}`);
    this.need(length, field);
    const value = textDecoder.decode(this.bytes.subarray(this.position, this.position + length));
    this.position += length;
    return value;
  }

  string(field: string): string {
    const value = this.nullableString(field);
    if (value === null) this.fail(field, 'is null');
    return value;
  }

  /** A copy, so the caller may keep it after the request buffer is reused. */
  nullableBytes(field: string): Uint8Array | null {
    const length = this.int32(field);
    if (length === -1) return null;
    if (length < 0) this.fail(field, `has length ${length}`);
    this.need(length, field);
    const value = this.bytes.slice(this.position, this.position + length);
    this.position += length;
    return value;
  }

  arrayCount(field: string, elementBytesMin: number): number {
    const count = this.int32(field);
    if (count < 0) this.fail(field, count === -1 ? 'is null' : `has count ${count}`);
    if (count * elementBytesMin > this.remaining) this.fail(field, `has count ${count}, more than the bytes left`);
    return count;
  }

  topicPartitions(field: string): TopicPartitions[] {
    const count = this.arrayCount(field, int16Bytes + int32Bytes);
    const list: TopicPartitions[] = [];
    for (let i = 0; i < count; i++) {
      const topic = this.string(`${field} topic`);
      const partitionCount = this.arrayCount(`${field} partitions`, int32Bytes);
      const partitions = new Array<number>(partitionCount);
      for (let j = 0; j < partitionCount; j++) partitions[j] = this.int32(`${field} partition`);
      list.push({ topic, partitions });
    }
    return list;
  }
}

/**
 * Decodes member metadata. A version above `consumerProtocolVersionMax` is read as the highest
 * version we know and the rest is ignored; a negative version is malformed.
 */
export function decodeSubscription(bytes: Uint8Array): ConsumerProtocolSubscription {
  const reader = new Reader(bytes, 'subscription');
  const version = reader.int16('version');
  if (version < 0) reader.fail('version', `is ${version}`);
  const topicCount = reader.arrayCount('topics', int16Bytes);
  const topics = new Array<string>(topicCount);
  for (let i = 0; i < topicCount; i++) topics[i] = reader.string('topic');
  const userData = reader.nullableBytes('user data');
  const ownedPartitions = version >= 1 ? reader.topicPartitions('owned partitions') : [];
  const generationId = version >= 2 ? reader.int32('generation id') : -1;
  const rackId = version >= 3 ? reader.nullableString('rack id') : null;
  return { version, topics, userData, ownedPartitions, generationId, rackId };
}

/**
 * Decodes a member's assignment. An empty byte string means "no assignment" (the coordinator
 * hands one out when the leader sent none for this member, and kafkajs and platformatic both
 * accept it): it decodes to version 0 with no partitions and null user data.
 */
export function decodeAssignment(bytes: Uint8Array): ConsumerProtocolAssignment {
  if (bytes.length === 0) return { version: 0, assignedPartitions: [], userData: null };
  const reader = new Reader(bytes, 'assignment');
  const version = reader.int16('version');
  if (version < 0) reader.fail('version', `is ${version}`);
  const assignedPartitions = reader.topicPartitions('assigned partitions');
  const userData = reader.nullableBytes('user data');
  return { version, assignedPartitions, userData };
}

// ---------------------------------------------------------------------------------------------
// StickyAssignorUserData: what the sticky assignors of Java (StickyAssignor) and librdkafka
// (cooperative-sticky, which writes only subscription v1) put in a subscription's user data, so
// that a leader learns a member's generation when the subscription itself has no generation field:
//
//   previous_assignment  [topic string, partitions [int32]]
//   generation           int32                                (absent in the oldest, "v0", form)
//
// There is no version prefix: a reader takes the generation when 4 bytes follow the assignment
// (and ignores anything after them, as Java's schema reader does), and −1 when nothing follows.

export interface StickyUserData {
  readonly previousAssignment: readonly TopicPartitions[];
  /** −1 when the user data has no generation. */
  readonly generationId: number;
}

export function encodeStickyUserData(userData: StickyUserData): Uint8Array {
  const assigned = encodeTopicPartitions(userData.previousAssignment, 'previous assignment');
  assert(Number.isInteger(userData.generationId), `generation id ${userData.generationId} is not an integer`);
  const size = topicPartitionsBytes(assigned) + int32Bytes;
  const writer = new Writer(size);
  writer.topicPartitions(assigned);
  writer.int32(userData.generationId);
  assert(writer.position === size, `sticky user data: wrote ${writer.position} of ${size} bytes`);
  return writer.bytes;
}

export function decodeStickyUserData(bytes: Uint8Array): StickyUserData {
  const reader = new Reader(bytes, 'sticky user data');
  const previousAssignment = reader.topicPartitions('previous assignment');
  const generationId = reader.remaining === 0 ? -1 : reader.int32('generation');
  return { previousAssignment, generationId };
}
