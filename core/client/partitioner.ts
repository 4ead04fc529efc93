// Which partition a produced record goes to, the way Kafka's Java client decides it, so that a
// key lands in the same partition whichever client (Java, librdkafka with `murmur2_random`,
// kafkajs's DefaultPartitioner, Lanes) produced it. Keyed ordering depends on it: a consumer sees
// one key's records in order only if they all went to one partition.
//
//   explicit partition  → that partition (checked against the topic's partition count)
//   key present         → toPositive(murmur2(keyBytes)) % partitionCount, over ALL partitions,
//                         available or not: availability must never move a key
//   key absent          → sticky (KIP-480, Java's default since 2.4): one partition until the
//                         batch being filled for it is closed, then another; or round-robin
//
// Pure: the randomness the sticky and round-robin choices need is injected (`randomUint32`), so
// tests pass a seeded generator and core/ never calls Math.random.

import { assert } from '../assert.js';
import { ErrorCode, LanesError } from '../errors.js';

const murmurSeed = 0x9747b28c;
const murmurMultiplier = 0x5bd1e995;
const murmurShift = 24;
const textEncoder = new TextEncoder();

/**
 * Kafka's `Utils.murmur2` (MurmurHash2, 32-bit, seed 0x9747b28c) over bytes, returned as the
 * signed int32 Java returns. `Math.imul` is Java's wrapping int multiply; `| 0` keeps every
 * intermediate a signed int32, and `>>>` is Java's unsigned shift, so each line maps to Java's.
 */
export function murmur2(data: Uint8Array): number {
  const length = data.length;
  let h = (murmurSeed ^ length) | 0;
  const length4 = length >>> 2;
  for (let i = 0; i < length4; i++) {
    const i4 = i * 4;
    let k = data[i4] | (data[i4 + 1] << 8) | (data[i4 + 2] << 16) | (data[i4 + 3] << 24);
    k = Math.imul(k, murmurMultiplier);
    k ^= k >>> murmurShift;
    k = Math.imul(k, murmurMultiplier);
    h = Math.imul(h, murmurMultiplier);
    h ^= k;
  }
  // The tail: up to three bytes. Java's switch falls through from case 3 to case 1; the
  // conditions below are that fall-through spelled out (the compiler forbids the original).
  const tail = length & ~3;
  const tailLength = length & 3;
  if (tailLength >= 3) h ^= data[tail + 2] << 16;
  if (tailLength >= 2) h ^= data[tail + 1] << 8;
  if (tailLength >= 1) {
    h ^= data[tail];
    h = Math.imul(h, murmurMultiplier);
  }
  h ^= h >>> 13;
  h = Math.imul(h, murmurMultiplier);
  h ^= h >>> 15;
  return h | 0;
}

/**
 * The hash KafkaJS's LegacyPartitioner uses (its 1.x default): murmur2's steps in floating-point
 * arithmetic, so products past 2^53 lose bits and most keys hash differently from Java. Kept only
 * so that a producer moving from KafkaJS with `createPartitioner: Partitioners.LegacyPartitioner`
 * sends each key where it went before. Each line is KafkaJS's, including reading past the end of
 * the key when its length is not a multiple of 4 (those bytes count as 0).
 */
export function legacyKafkaJsMurmur2(data: Uint8Array): number {
  const length = data.length;
  let h = murmurSeed ^ length;
  const length4 = length / 4;
  const byteAt = (index: number) => (index < length ? data[index] : 0);
  for (let i = 0; i < length4; i++) {
    const i4 = i * 4;
    let k = byteAt(i4) + (byteAt(i4 + 1) << 8) + (byteAt(i4 + 2) << 16) + (byteAt(i4 + 3) << 24);
    k *= murmurMultiplier;
    k ^= k >>> murmurShift;
    k *= murmurMultiplier;
    h *= murmurMultiplier;
    h ^= k;
  }
  const tail = length & ~3;
  const tailLength = length % 4;
  if (tailLength >= 3) h ^= byteAt(tail + 2) << 16;
  if (tailLength >= 2) h ^= byteAt(tail + 1) << 8;
  if (tailLength >= 1) {
    h ^= byteAt(tail);
    h *= murmurMultiplier;
  }
  h ^= h >>> 13;
  h *= murmurMultiplier;
  h ^= h >>> 15;
  return h;
}

/**
 * Kafka's `Utils.toPositive`: clears the sign bit. Not Math.abs: abs(-2^31) overflows in Java, and
 * a different mapping would send keys with negative hashes to different partitions than Java does.
 */
export function toPositive(value: number): number {
  return value & 0x7fffffff;
}

/** A key as the bytes the hash sees: strings as UTF-8, as kafkajs and the Java serializer do. */
export function keyBytes(key: Uint8Array | string): Uint8Array {
  return typeof key === 'string' ? textEncoder.encode(key) : key;
}

/** The partition a key maps to: the same for the same key and partition count, in any client. */
export function partitionForKey(key: Uint8Array | string, partitionCount: number): number {
  assertPartitionCount(partitionCount);
  return toPositive(murmur2(keyBytes(key))) % partitionCount;
}

function assertPartitionCount(partitionCount: number): void {
  assert(Number.isInteger(partitionCount), `partition count ${partitionCount} is not an integer`);
  assert(partitionCount > 0, `partition count ${partitionCount} is not positive`);
}

/**
 * What to do with records without a key. `sticky` fills one partition's batch before moving on,
 * which gives fewer, larger batches (KIP-480 measured lower latency and CPU); `round-robin` is
 * kafkajs's DefaultPartitioner behaviour, one record per partition in turn.
 */
export type NullKeyStrategy = 'sticky' | 'round-robin';

export interface PartitionerOptions {
  readonly nullKeyStrategy?: NullKeyStrategy;
  /** A uniformly random unsigned 32-bit integer per call; a seeded generator in tests. */
  readonly randomUint32: () => number;
}

export interface PartitionInput {
  readonly topic: string;
  /** The topic's partition count from metadata. */
  readonly partitionCount: number;
  readonly key?: Uint8Array | string | null;
  /** A partition the producer chose itself; wins over the key. */
  readonly partition?: number | null;
  /**
   * Partitions with a leader, ascending. Keyless records go only to these when there are any
   * (Java and kafkajs both do); keyed records ignore availability. Absent: all are available.
   */
  readonly availablePartitions?: readonly number[];
}

/** A batch the producer closed: where it was going, and the topic's partitions at that moment. */
export interface ClosedBatch {
  readonly topic: string;
  readonly partition: number;
  readonly partitionCount: number;
  readonly availablePartitions?: readonly number[];
}

/**
 * Chooses partitions for one producer. Holds per-topic state for keyless records only: the
 * partition batches are currently going to (sticky), or the next counter value (round-robin).
 */
export class Partitioner {
  private readonly nullKeyStrategy: NullKeyStrategy;
  private readonly randomUint32: () => number;
  private readonly stickyPartitionByTopic = new Map<string, number>();
  private readonly counterByTopic = new Map<string, number>();

  constructor(options: PartitionerOptions) {
    const strategy = options.nullKeyStrategy ?? 'sticky';
    if (strategy !== 'sticky' && strategy !== 'round-robin') {
      throw new RangeError(`nullKeyStrategy must be 'sticky' or 'round-robin', got ${String(strategy)}`);
    }
    this.nullKeyStrategy = strategy;
    this.randomUint32 = options.randomUint32;
  }

  partition(input: PartitionInput): number {
    assertPartitionCount(input.partitionCount);
    if (input.partition !== null && input.partition !== undefined) {
      const partition = input.partition;
      if (!Number.isInteger(partition) || partition < 0 || partition >= input.partitionCount) {
        throw new LanesError(
          ErrorCode.UNKNOWN_TOPIC_OR_PARTITION,
          `partition ${partition} given for ${input.topic}, which has ${input.partitionCount} partitions`,
        );
      }
      return partition;
    }
    if (input.key !== null && input.key !== undefined) return partitionForKey(input.key, input.partitionCount);
    return this.nullKeyStrategy === 'sticky'
      ? this.stickyPartition(input)
      : this.roundRobinPartition(input.topic, candidatesOf(input));
  }

  /**
   * The producer closed a batch for `partition` of `topic` (it filled up, or linger expired and it
   * was sent): keyless records move to another partition (Java's `onNewBatch`). Only a batch of
   * the current sticky partition moves it, so that closing several batches at once (one per
   * partition) switches once, not once per batch. A no-op under round-robin.
   */
  batchClosed(batch: ClosedBatch): void {
    assertPartitionCount(batch.partitionCount);
    if (this.nullKeyStrategy !== 'sticky') return;
    const current = this.stickyPartitionByTopic.get(batch.topic);
    if (current !== undefined && current !== batch.partition) return;
    this.stickyPartitionByTopic.set(batch.topic, this.choosePartitionOtherThan(candidatesOf(batch), batch.partition));
  }

  private stickyPartition(input: PartitionInput): number {
    const current = this.stickyPartitionByTopic.get(input.topic);
    // A partition that became unavailable, or vanished with a smaller count, is dropped at once.
    if (current !== undefined && isCandidate(input, current)) return current;
    const chosen = this.choosePartitionOtherThan(candidatesOf(input), current ?? -1);
    this.stickyPartitionByTopic.set(input.topic, chosen);
    return chosen;
  }

  /** A random candidate different from `previous` when there is any choice (Java's StickyPartitionCache). */
  private choosePartitionOtherThan(candidates: readonly number[], previous: number): number {
    assert(candidates.length > 0, 'at least one candidate partition');
    if (candidates.length === 1) return candidates[0];
    const others = candidates.filter((partition) => partition !== previous);
    const chosen = others[this.randomIndex(others.length)];
    assert(chosen !== previous, 'a closed batch moves keyless records to another partition');
    return chosen;
  }

  private roundRobinPartition(topic: string, candidates: readonly number[]): number {
    // The counter starts at a random value per topic so that many producers started together do
    // not all begin with partition 0 (kafkajs does the same).
    const counter = this.counterByTopic.get(topic) ?? this.randomUint32() >>> 0;
    this.counterByTopic.set(topic, (counter + 1) >>> 0);
    return candidates[counter % candidates.length];
  }

  private randomIndex(bound: number): number {
    const value = this.randomUint32() >>> 0;
    // Modulo bias is below 2^-20 for any realistic partition count; placement needs no better.
    return value % bound;
  }
}

/** The partitions keyless records may go to: the available ones if any, else all of them. */
function candidatesOf(input: Pick<PartitionInput, 'partitionCount' | 'availablePartitions'>): readonly number[] {
  const available = (input.availablePartitions ?? []).filter((partition) => partition < input.partitionCount);
  if (available.length > 0) return available;
  return Array.from({ length: input.partitionCount }, (_, partition) => partition);
}

/** candidatesOf(input).includes(partition), without building the list on every record. */
function isCandidate(input: PartitionInput, partition: number): boolean {
  if (partition >= input.partitionCount) return false;
  const available = input.availablePartitions ?? [];
  if (available.some((candidate) => candidate < input.partitionCount)) return available.includes(partition);
  return true;
}
