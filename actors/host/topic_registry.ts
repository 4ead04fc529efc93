// The broker's catalogue of topics: names, partition counts, configs, and the actor id (the
// directory slot) of every partition. Lives on the main thread; shards learn about partitions
// through the control plane. In disk mode it is saved as <dataDir>/topics.json (write to a
// temporary file, fsync, rename), so a restarted broker reopens the same partitions.
import { mkdirSync, openSync, fsyncSync, closeSync, writeFileSync, renameSync, readFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { assert } from '../../core/assert.js';
import { ErrorCode, LanesError, quoted } from '../../core/errors.js';
import { shardForPartition } from './shard_router.js';

export interface TopicConfig {
  /** Kafka's retention.ms; −1 keeps forever. */
  retentionMs: number;
  /** Kafka's retention.bytes per partition; −1 keeps everything. */
  retentionBytes: number;
  /** Kafka's segment.bytes. */
  segmentBytes: number;
  /** Kafka's max.message.bytes: the largest record batch accepted. */
  maxMessageBytes: number;
}

export interface PartitionPlacement {
  partition: number;
  actorId: number;
  shard: number;
}

export interface TopicEntry {
  name: string;
  config: TopicConfig;
  partitions: PartitionPlacement[];
}

/** Kafka's legal topic names: [a-zA-Z0-9._-], 1..249 characters, not "." or "..". */
export function checkTopicName(name: string): void {
  if (name.length === 0 || name.length > 249 || name === '.' || name === '..' || !/^[a-zA-Z0-9._-]+$/.test(name)) {
    throw new LanesError(ErrorCode.INVALID_TOPIC_EXCEPTION, `topic name ${quoted(name)} is not legal`);
  }
}

export class TopicRegistry {
  readonly #topics = new Map<string, TopicEntry>();
  readonly #freeActorIds: number[] = [];
  #nextActorId = 0;
  readonly #actorIdsMax: number;
  readonly #shardCount: number;
  readonly #file: string | null;

  constructor(options: { shardCount: number; actorIdsMax: number; dataDir: string | null }) {
    this.#shardCount = options.shardCount;
    this.#actorIdsMax = options.actorIdsMax;
    this.#file = options.dataDir === null ? null : join(options.dataDir, 'topics.json');
    if (this.#file !== null && existsSync(this.#file)) this.#load(this.#file);
  }

  get(name: string): TopicEntry | undefined {
    return this.#topics.get(name);
  }

  list(): TopicEntry[] {
    return [...this.#topics.values()];
  }

  placement(topic: string, partition: number): PartitionPlacement | undefined {
    return this.#topics.get(topic)?.partitions[partition];
  }

  add(name: string, partitionCount: number, config: TopicConfig): TopicEntry {
    checkTopicName(name);
    if (this.#topics.has(name)) throw new LanesError(ErrorCode.TOPIC_ALREADY_EXISTS, `topic ${name} already exists`);
    if (!Number.isInteger(partitionCount) || partitionCount < 1) {
      throw new LanesError(ErrorCode.INVALID_PARTITIONS, `a topic needs at least one partition, got ${partitionCount}`);
    }
    const entry: TopicEntry = { name, config, partitions: [] };
    this.#addPartitions(entry, partitionCount);
    this.#topics.set(name, entry);
    this.#save();
    return entry;
  }

  /** Grows a topic to `partitionCount` partitions; returns the new ones. */
  grow(name: string, partitionCount: number): PartitionPlacement[] {
    const entry = this.#topics.get(name);
    if (entry === undefined) throw new LanesError(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, `topic ${name} does not exist`);
    if (partitionCount <= entry.partitions.length) {
      throw new LanesError(ErrorCode.INVALID_PARTITIONS, `topic ${name} has ${entry.partitions.length} partitions; ${partitionCount} is not more`);
    }
    const added = this.#addPartitions(entry, partitionCount - entry.partitions.length);
    this.#save();
    return added;
  }

  remove(name: string): TopicEntry {
    const entry = this.#topics.get(name);
    if (entry === undefined) throw new LanesError(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, `topic ${name} does not exist`);
    this.#topics.delete(name);
    for (const placement of entry.partitions) this.#freeActorIds.push(placement.actorId);
    this.#save();
    return entry;
  }

  #addPartitions(entry: TopicEntry, count: number): PartitionPlacement[] {
    const needed = count - this.#freeActorIds.length - (this.#actorIdsMax - this.#nextActorId);
    if (needed > 0) {
      throw new LanesError(ErrorCode.INVALID_PARTITIONS, `the broker holds at most ${this.#actorIdsMax} partitions (partitionsMax)`);
    }
    const added: PartitionPlacement[] = [];
    for (let i = 0; i < count; i++) {
      const partition = entry.partitions.length;
      const actorId = this.#freeActorIds.pop() ?? this.#nextActorId++;
      const placement = { partition, actorId, shard: shardForPartition(entry.name, partition, this.#shardCount) };
      entry.partitions.push(placement);
      added.push(placement);
    }
    return added;
  }

  #save(): void {
    if (this.#file === null) return;
    const temporary = `${this.#file}.tmp`;
    writeFileSync(temporary, JSON.stringify({ version: 1, topics: this.list() }, null, 2));
    const fd = openSync(temporary, 'r+');
    fsyncSync(fd);
    closeSync(fd);
    renameSync(temporary, this.#file);
  }

  #load(file: string): void {
    const saved = JSON.parse(readFileSync(file, 'utf8')) as { version: number; topics: TopicEntry[] };
    assert(saved.version === 1, `unknown topics.json version ${saved.version}`);
    const used = new Set<number>();
    for (const topic of saved.topics) {
      // Shard placement is recomputed: the shard count may differ from the last run.
      topic.partitions = topic.partitions.map((p) => ({ ...p, shard: shardForPartition(topic.name, p.partition, this.#shardCount) }));
      for (const p of topic.partitions) used.add(p.actorId);
      this.#topics.set(topic.name, topic);
    }
    this.#nextActorId = used.size === 0 ? 0 : Math.max(...used) + 1;
    assert(this.#nextActorId <= this.#actorIdsMax, 'topics.json holds more partitions than partitionsMax');
    for (let id = 0; id < this.#nextActorId; id++) if (!used.has(id)) this.#freeActorIds.push(id);
  }

  static ensureDir(dataDir: string): void {
    mkdirSync(dataDir, { recursive: true });
  }
}
