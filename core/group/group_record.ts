// What the coordinator persists, and its binary layout. Kafka keeps groups in the compacted
// __consumer_offsets topic; Lanes does the same with its own layout: each record has a key that
// names what it is about, so compaction by key keeps only the latest, and a null value is a
// tombstone (the group or the offset was deleted).
//
// The coordinator's live state is the authority; records describe the durable part of it, and
// `replay` rebuilds that part after a restart. As in Kafka, group metadata is written when a
// generation's assignment is settled (leader's SyncGroup), when a group becomes Empty, when a
// static member is replaced, and when a group is deleted — not on every join.
//
// Layout (big-endian; str = int32 length + UTF-8, −1 for null; bytes = int32 length + bytes):
//
//   key   int16 type (1 = offset commit, 2 = group metadata)
//         str groupId; for offset commits also str topic, int32 partition
//   value int16 version (0)
//         offset commit:   int64 offset, int32 leaderEpoch, str metadata, int64 commitTimestampMs
//         group metadata:  str protocolType, int32 generationId, str protocolName, str leader,
//                          int64 currentStateTimestampMs, int32 member count, then per member:
//                          str memberId, str groupInstanceId, str clientId, str clientHost,
//                          int32 rebalanceTimeoutMs, int32 sessionTimeoutMs,
//                          int32 protocol count × (str name, bytes metadata), bytes assignment
//
//   consumer-protocol groups (KIP-848; Kafka writes separate records for the group epoch, the
//   member, its target and its current assignment — Lanes folds the member's three into one, so a
//   member's durable state is one key, written whenever any part of it changes):
//   key   int16 type (3 = consumer group, 4 = consumer member), str groupId; for members str memberId
//   value int16 version (0)
//         consumer group:  int32 groupEpoch, int32 assignmentEpoch, int64 stateTimestampMs,
//                          int32 topic count × (str topic, int32 partitions)   (subscription metadata)
//         consumer member: str instanceId, str rackId, str clientId, str clientHost,
//                          int32 rebalanceTimeoutMs, int32 topic count × str (subscribed names),
//                          str regex, str serverAssignor, int32 memberEpoch, int32 previousMemberEpoch,
//                          int8 state (0 stable, 1 unrevoked, 2 unreleased), then three assignments
//                          (assigned, pending revocation, target), each int32 topic count ×
//                          (str topic, int32 count × int32 partition)
//
// Readers reject unknown types and versions with CORRUPT_MESSAGE rather than guess.

import { assert } from '../assert.js';
import { ErrorCode, LanesError } from '../errors.js';

export interface MemberMetadataValue {
  readonly memberId: string;
  readonly groupInstanceId: string | null;
  readonly clientId: string;
  readonly clientHost: string;
  readonly rebalanceTimeoutMs: number;
  readonly sessionTimeoutMs: number;
  /** Every protocol the member offered, so a follower rejoining after a restart still matches. */
  readonly protocols: readonly { readonly name: string; readonly metadata: Uint8Array }[];
  readonly assignment: Uint8Array;
}

export interface GroupMetadataValue {
  readonly protocolType: string;
  readonly generationId: number;
  readonly protocolName: string | null;
  readonly leader: string | null;
  readonly currentStateTimestampMs: number;
  readonly members: readonly MemberMetadataValue[];
}

export interface OffsetCommitValue {
  readonly offset: number;
  readonly leaderEpoch: number;
  readonly metadata: string | null;
  readonly commitTimestampMs: number;
}

export interface ConsumerGroupValue {
  readonly groupEpoch: number;
  readonly assignmentEpoch: number;
  readonly stateTimestampMs: number;
  readonly subscriptionMetadata: readonly (readonly [string, number])[];
}

export type StoredAssignment = readonly (readonly [string, readonly number[]])[];

export interface ConsumerMemberValue {
  readonly instanceId: string | null;
  readonly rackId: string | null;
  readonly clientId: string;
  readonly clientHost: string;
  readonly rebalanceTimeoutMs: number;
  readonly subscribedTopicNames: readonly string[];
  readonly subscribedTopicRegex: string | null;
  readonly serverAssignor: string | null;
  readonly memberEpoch: number;
  readonly previousMemberEpoch: number;
  readonly state: 'STABLE' | 'UNREVOKED_PARTITIONS' | 'UNRELEASED_PARTITIONS';
  readonly assigned: StoredAssignment;
  readonly pendingRevocation: StoredAssignment;
  readonly target: StoredAssignment;
}

export type GroupRecord =
  | { readonly type: 'GroupMetadata'; readonly groupId: string; readonly value: GroupMetadataValue | null }
  | { readonly type: 'ConsumerGroup'; readonly groupId: string; readonly value: ConsumerGroupValue | null }
  | { readonly type: 'ConsumerMember'; readonly groupId: string; readonly memberId: string; readonly value: ConsumerMemberValue | null }
  | {
      readonly type: 'OffsetCommit';
      readonly groupId: string;
      readonly topic: string;
      readonly partition: number;
      readonly value: OffsetCommitValue | null;
    };

export interface EncodedGroupRecord {
  readonly key: Uint8Array;
  /** null is a tombstone. */
  readonly value: Uint8Array | null;
}

const keyTypeOffsetCommit = 1;
const keyTypeGroupMetadata = 2;
const keyTypeConsumerGroup = 3;
const keyTypeConsumerMember = 4;
const memberStates = ['STABLE', 'UNREVOKED_PARTITIONS', 'UNRELEASED_PARTITIONS'] as const;
const valueVersion = 0;

/**
 * The key and value bytes of an OffsetCommit record as encodeGroupRecord writes it: what a commit
 * adds to the offsets log, checked before the commit is applied (core/limits.ts offsetCommitRecordBytesMax).
 */
export function offsetCommitRecordBytes(groupId: string, topic: string, metadata: string | null): number {
  // key: int16 type, string group, string topic, int32 partition; value: int16 version, int64
  // offset, int32 leader epoch, string metadata, int64 timestamp (a string: int16 length + UTF-8).
  return 2 + 2 + utf8Bytes(groupId) + 2 + utf8Bytes(topic) + 4 + 2 + 8 + 4 + 2 + (metadata === null ? 0 : utf8Bytes(metadata)) + 8;
}

/** A string's UTF-8 length, as the protocol and the offsets log count it. */
export function utf8Bytes(text: string): number {
  return text.length === 0 ? 0 : utf8Encoder.encode(text).length;
}

export function encodeGroupRecord(record: GroupRecord): EncodedGroupRecord {
  const key = new ByteWriter();
  switch (record.type) {
    case 'OffsetCommit': {
      key.int16(keyTypeOffsetCommit);
      key.string(record.groupId);
      key.string(record.topic);
      key.int32(record.partition);
      if (record.value === null) return { key: key.finish(), value: null };
      const value = new ByteWriter();
      value.int16(valueVersion);
      value.int64(record.value.offset);
      value.int32(record.value.leaderEpoch);
      value.string(record.value.metadata);
      value.int64(record.value.commitTimestampMs);
      return { key: key.finish(), value: value.finish() };
    }
    case 'GroupMetadata': {
      key.int16(keyTypeGroupMetadata);
      key.string(record.groupId);
      if (record.value === null) return { key: key.finish(), value: null };
      return { key: key.finish(), value: encodeGroupMetadataValue(record.value) };
    }
    case 'ConsumerGroup': {
      key.int16(keyTypeConsumerGroup);
      key.string(record.groupId);
      if (record.value === null) return { key: key.finish(), value: null };
      const value = new ByteWriter();
      value.int16(valueVersion);
      value.int32(record.value.groupEpoch);
      value.int32(record.value.assignmentEpoch);
      value.int64(record.value.stateTimestampMs);
      value.int32(record.value.subscriptionMetadata.length);
      for (const [topic, partitions] of record.value.subscriptionMetadata) {
        value.string(topic);
        value.int32(partitions);
      }
      return { key: key.finish(), value: value.finish() };
    }
    case 'ConsumerMember': {
      key.int16(keyTypeConsumerMember);
      key.string(record.groupId);
      key.string(record.memberId);
      if (record.value === null) return { key: key.finish(), value: null };
      return { key: key.finish(), value: encodeConsumerMemberValue(record.value) };
    }
  }
}

function encodeConsumerMemberValue(member: ConsumerMemberValue): Uint8Array {
  const value = new ByteWriter();
  value.int16(valueVersion);
  value.string(member.instanceId);
  value.string(member.rackId);
  value.string(member.clientId);
  value.string(member.clientHost);
  value.int32(member.rebalanceTimeoutMs);
  value.int32(member.subscribedTopicNames.length);
  for (const topic of member.subscribedTopicNames) value.string(topic);
  value.string(member.subscribedTopicRegex);
  value.string(member.serverAssignor);
  value.int32(member.memberEpoch);
  value.int32(member.previousMemberEpoch);
  value.int8(memberStates.indexOf(member.state));
  for (const assignment of [member.assigned, member.pendingRevocation, member.target]) {
    value.int32(assignment.length);
    for (const [topic, partitions] of assignment) {
      value.string(topic);
      value.int32(partitions.length);
      for (const partition of partitions) value.int32(partition);
    }
  }
  return value.finish();
}

function decodeConsumerMemberValue(bytes: Uint8Array): ConsumerMemberValue {
  const value = new ByteReader(bytes, 'consumer member value');
  value.version(valueVersion);
  const instanceId = value.string();
  const rackId = value.string();
  const clientId = value.stringNonNull();
  const clientHost = value.stringNonNull();
  const rebalanceTimeoutMs = value.int32();
  const nameCount = value.count();
  const subscribedTopicNames: string[] = [];
  for (let i = 0; i < nameCount; i++) subscribedTopicNames.push(value.stringNonNull());
  const subscribedTopicRegex = value.string();
  const serverAssignor = value.string();
  const memberEpoch = value.int32();
  const previousMemberEpoch = value.int32();
  const stateIndex = value.int8();
  const state = memberStates[stateIndex];
  if (state === undefined) throw new LanesError(ErrorCode.CORRUPT_MESSAGE, `consumer member value: unknown state ${stateIndex}`);
  const assignments: [string, number[]][][] = [];
  for (let a = 0; a < 3; a++) {
    const topicCount = value.count();
    const assignment: [string, number[]][] = [];
    for (let t = 0; t < topicCount; t++) {
      const topic = value.stringNonNull();
      const partitionCount = value.count();
      const partitions: number[] = [];
      for (let p = 0; p < partitionCount; p++) partitions.push(value.int32());
      assignment.push([topic, partitions]);
    }
    assignments.push(assignment);
  }
  value.end();
  const [assigned, pendingRevocation, target] = assignments;
  return {
    instanceId, rackId, clientId, clientHost, rebalanceTimeoutMs, subscribedTopicNames, subscribedTopicRegex, serverAssignor,
    memberEpoch, previousMemberEpoch, state, assigned, pendingRevocation, target,
  };
}

function encodeGroupMetadataValue(group: GroupMetadataValue): Uint8Array {
  const value = new ByteWriter();
  value.int16(valueVersion);
  value.string(group.protocolType);
  value.int32(group.generationId);
  value.string(group.protocolName);
  value.string(group.leader);
  value.int64(group.currentStateTimestampMs);
  value.int32(group.members.length);
  for (const member of group.members) {
    value.string(member.memberId);
    value.string(member.groupInstanceId);
    value.string(member.clientId);
    value.string(member.clientHost);
    value.int32(member.rebalanceTimeoutMs);
    value.int32(member.sessionTimeoutMs);
    value.int32(member.protocols.length);
    for (const protocol of member.protocols) {
      value.string(protocol.name);
      value.bytes(protocol.metadata);
    }
    value.bytes(member.assignment);
  }
  return value.finish();
}

export function decodeGroupRecord(keyBytes: Uint8Array, valueBytes: Uint8Array | null): GroupRecord {
  const key = new ByteReader(keyBytes, 'group record key');
  const type = key.int16();
  const groupId = key.stringNonNull();
  if (type === keyTypeOffsetCommit) {
    const topic = key.stringNonNull();
    const partition = key.int32();
    key.end();
    if (valueBytes === null) return { type: 'OffsetCommit', groupId, topic, partition, value: null };
    const value = new ByteReader(valueBytes, 'offset commit value');
    value.version(valueVersion);
    const offset = value.int64();
    const leaderEpoch = value.int32();
    const metadata = value.string();
    const commitTimestampMs = value.int64();
    value.end();
    return { type: 'OffsetCommit', groupId, topic, partition, value: { offset, leaderEpoch, metadata, commitTimestampMs } };
  }
  if (type === keyTypeGroupMetadata) {
    key.end();
    if (valueBytes === null) return { type: 'GroupMetadata', groupId, value: null };
    return { type: 'GroupMetadata', groupId, value: decodeGroupMetadataValue(valueBytes) };
  }
  if (type === keyTypeConsumerGroup) {
    key.end();
    if (valueBytes === null) return { type: 'ConsumerGroup', groupId, value: null };
    const value = new ByteReader(valueBytes, 'consumer group value');
    value.version(valueVersion);
    const groupEpoch = value.int32();
    const assignmentEpoch = value.int32();
    const stateTimestampMs = value.int64();
    const topicCount = value.count();
    const subscriptionMetadata: [string, number][] = [];
    for (let i = 0; i < topicCount; i++) subscriptionMetadata.push([value.stringNonNull(), value.int32()]);
    value.end();
    return { type: 'ConsumerGroup', groupId, value: { groupEpoch, assignmentEpoch, stateTimestampMs, subscriptionMetadata } };
  }
  if (type === keyTypeConsumerMember) {
    const memberId = key.stringNonNull();
    key.end();
    if (valueBytes === null) return { type: 'ConsumerMember', groupId, memberId, value: null };
    return { type: 'ConsumerMember', groupId, memberId, value: decodeConsumerMemberValue(valueBytes) };
  }
  throw new LanesError(ErrorCode.CORRUPT_MESSAGE, `group record key: unknown type ${type}`);
}

function decodeGroupMetadataValue(bytes: Uint8Array): GroupMetadataValue {
  const value = new ByteReader(bytes, 'group metadata value');
  value.version(valueVersion);
  const protocolType = value.stringNonNull();
  const generationId = value.int32();
  const protocolName = value.string();
  const leader = value.string();
  const currentStateTimestampMs = value.int64();
  const memberCount = value.count();
  const members: MemberMetadataValue[] = [];
  for (let index = 0; index < memberCount; index++) {
    const memberId = value.stringNonNull();
    const groupInstanceId = value.string();
    const clientId = value.stringNonNull();
    const clientHost = value.stringNonNull();
    const rebalanceTimeoutMs = value.int32();
    const sessionTimeoutMs = value.int32();
    const protocolCount = value.count();
    const protocols: { name: string; metadata: Uint8Array }[] = [];
    for (let p = 0; p < protocolCount; p++) {
      protocols.push({ name: value.stringNonNull(), metadata: value.bytes() });
    }
    const assignment = value.bytes();
    members.push({ memberId, groupInstanceId, clientId, clientHost, rebalanceTimeoutMs, sessionTimeoutMs, protocols, assignment });
  }
  value.end();
  return { protocolType, generationId, protocolName, leader, currentStateTimestampMs, members };
}

const utf8Encoder = new TextEncoder();
const utf8Decoder = new TextDecoder('utf-8', { fatal: true });

/** A growable big-endian writer; records are small, so doubling from 64 bytes is plenty. */
class ByteWriter {
  private buffer = new Uint8Array(64);
  private view = new DataView(this.buffer.buffer);
  private position = 0;

  private reserve(bytes: number): void {
    if (this.position + bytes <= this.buffer.length) return;
    let capacity = this.buffer.length * 2;
    while (capacity < this.position + bytes) capacity *= 2;
    const grown = new Uint8Array(capacity);
    grown.set(this.buffer.subarray(0, this.position));
    this.buffer = grown;
    this.view = new DataView(grown.buffer);
  }

  int8(value: number): void {
    assert(Number.isInteger(value) && value >= -0x80 && value <= 0x7f, `int8 out of range: ${value}`);
    this.reserve(1);
    this.view.setInt8(this.position, value);
    this.position += 1;
  }

  int16(value: number): void {
    assert(Number.isInteger(value) && value >= -0x8000 && value <= 0x7fff, `int16 out of range: ${value}`);
    this.reserve(2);
    this.view.setInt16(this.position, value);
    this.position += 2;
  }

  int32(value: number): void {
    assert(Number.isInteger(value) && value >= -0x80000000 && value <= 0x7fffffff, `int32 out of range: ${value}`);
    this.reserve(4);
    this.view.setInt32(this.position, value);
    this.position += 4;
  }

  int64(value: number): void {
    assert(Number.isSafeInteger(value), `int64 value ${value} is not a safe integer`);
    this.reserve(8);
    this.view.setBigInt64(this.position, BigInt(value));
    this.position += 8;
  }

  bytes(value: Uint8Array): void {
    this.int32(value.length);
    this.reserve(value.length);
    this.buffer.set(value, this.position);
    this.position += value.length;
  }

  string(value: string | null): void {
    if (value === null) {
      this.int32(-1);
      return;
    }
    this.bytes(utf8Encoder.encode(value));
  }

  finish(): Uint8Array {
    return this.buffer.slice(0, this.position);
  }
}

/** Bounds-checked reader: a short or malformed record is CORRUPT_MESSAGE, naming what and where. */
class ByteReader {
  private readonly view: DataView;
  private position = 0;

  constructor(
    private readonly bytesIn: Uint8Array,
    private readonly what: string,
  ) {
    this.view = new DataView(bytesIn.buffer, bytesIn.byteOffset, bytesIn.byteLength);
  }

  private need(bytes: number): void {
    if (bytes < 0 || this.position + bytes > this.bytesIn.length) {
      throw new LanesError(
        ErrorCode.CORRUPT_MESSAGE,
        `${this.what}: needs ${bytes} bytes at position ${this.position} of ${this.bytesIn.length}`,
      );
    }
  }

  version(expected: number): void {
    const version = this.int16();
    if (version !== expected) {
      throw new LanesError(ErrorCode.CORRUPT_MESSAGE, `${this.what}: unknown version ${version}`);
    }
  }

  int8(): number {
    this.need(1);
    const value = this.view.getInt8(this.position);
    this.position += 1;
    return value;
  }

  int16(): number {
    this.need(2);
    const value = this.view.getInt16(this.position);
    this.position += 2;
    return value;
  }

  int32(): number {
    this.need(4);
    const value = this.view.getInt32(this.position);
    this.position += 4;
    return value;
  }

  int64(): number {
    this.need(8);
    const value = this.view.getBigInt64(this.position);
    this.position += 8;
    if (value > BigInt(Number.MAX_SAFE_INTEGER) || value < BigInt(Number.MIN_SAFE_INTEGER)) {
      throw new LanesError(ErrorCode.CORRUPT_MESSAGE, `${this.what}: int64 ${value} beyond 2^53`);
    }
    return Number(value);
  }

  count(): number {
    const count = this.int32();
    // Every element takes at least 4 bytes, which bounds a corrupt count before any allocation.
    if (count < 0 || count * 4 > this.bytesIn.length - this.position) {
      throw new LanesError(ErrorCode.CORRUPT_MESSAGE, `${this.what}: impossible count ${count}`);
    }
    return count;
  }

  bytes(): Uint8Array {
    const length = this.int32();
    this.need(length);
    const value = this.bytesIn.slice(this.position, this.position + length);
    this.position += length;
    return value;
  }

  string(): string | null {
    const length = this.int32();
    if (length === -1) return null;
    this.need(length);
    let value: string;
    try {
      value = utf8Decoder.decode(this.bytesIn.subarray(this.position, this.position + length));
    } catch (cause) {
      throw new LanesError(ErrorCode.CORRUPT_MESSAGE, `${this.what}: invalid UTF-8`, { cause });
    }
    this.position += length;
    return value;
  }

  stringNonNull(): string {
    const value = this.string();
    if (value === null) throw new LanesError(ErrorCode.CORRUPT_MESSAGE, `${this.what}: null where a string is required`);
    return value;
  }

  end(): void {
    if (this.position !== this.bytesIn.length) {
      throw new LanesError(
        ErrorCode.CORRUPT_MESSAGE,
        `${this.what}: ${this.bytesIn.length - this.position} trailing bytes`,
      );
    }
  }
}
