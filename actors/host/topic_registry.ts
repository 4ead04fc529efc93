// The broker's catalogue of topics: names, partition counts, configs, and the actor id (the
// directory slot) of every partition. Lives on the main thread; shards learn about partitions
// through the control plane. In disk mode it is saved as <dataDir>/topics.json (write to a
// temporary file, fsync, rename), so a restarted broker reopens the same partitions.
//
// Each topic has a random id (KIP-516) made when it is created and saved with it, so the id a
// client learned stays valid across restarts and a topic re-created under the same name gets a
// new one. A catalogue written before ids existed gets ids for its topics, saved, on load.
//
// Creating a topic or growing one is two steps: reserve (names and actor ids held, nothing
// saved, nothing visible to get/list), then commit (saved, visible) once every partition is
// open, or abort. So topics.json never lists a partition whose files were not made.
import { randomUUID } from 'node:crypto';
import { readFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { assert } from '../../core/assert.js';
import { ErrorCode, LanesError } from '../../core/errors.js';
import { isTopicIdText } from '../../core/handlers/topic_ids.js';
import { checkNewTopicName } from '../../core/handlers/topic_names.js';
import { topicsFileName } from '../data_dir_layout.js';
import { replaceFileDurably } from './durable_file.js';
import { DataDirError } from './data_dir_error.js';
import { shardForPartition } from './shard_router.js';

export interface TopicConfig {
  /** Kafka's retention.ms; −1 keeps forever. */
  retentionMs: number;
  /** Kafka's retention.bytes per partition; −1 keeps everything. */
  retentionBytes: number;
  /** Kafka's segment.bytes. */
  segmentBytes: number;
  /** Kafka's segment.ms: roll a segment this long after its first record. */
  segmentMs: number;
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
  /** The topic's id as a UUID's text (core/handlers/topic_ids.ts). */
  id: string;
  /** What the partition logs use: `overrides` over the broker's defaults. */
  config: TopicConfig;
  /** The topic configs set on this topic, by Kafka name (checked values): what is saved as the topic's own. */
  overrides: Record<string, string>;
  partitions: PartitionPlacement[];
}

/**
 * The effective config of a saved topic, from what topics.json holds: its overrides, or (a
 * catalogue written before overrides were saved) its config alone.
 */
export type SettleTopicConfig = (saved: { config?: Partial<TopicConfig>; overrides?: Record<string, string> }) => { config: TopicConfig; overrides: Record<string, string> };

export class TopicRegistry {
  readonly #topics = new Map<string, TopicEntry>();
  /** Topic id → name, of the visible topics. */
  readonly #names = new Map<string, string>();
  /** Topics being created, and grown copies of topics being grown: not yet saved or visible. */
  readonly #pending = new Map<string, TopicEntry>();
  readonly #freeActorIds: number[] = [];
  #nextActorId = 0;
  readonly #actorIdsMax: number;
  readonly #shardCount: number;
  readonly #file: string | null;
  readonly #newTopicId: () => string;

  constructor(options: { shardCount: number; actorIdsMax: number; dataDir: string | null; settleConfig?: SettleTopicConfig; newTopicId?: () => string }) {
    this.#shardCount = options.shardCount;
    this.#actorIdsMax = options.actorIdsMax;
    this.#newTopicId = options.newTopicId ?? randomUUID;
    this.#file = options.dataDir === null ? null : join(options.dataDir, topicsFileName);
    if (this.#file !== null && existsSync(this.#file)) this.#load(this.#file, options.settleConfig);
  }

  get(name: string): TopicEntry | undefined {
    return this.#topics.get(name);
  }

  /** The visible topic with this id (text form), or undefined. */
  getById(id: string): TopicEntry | undefined {
    const name = this.#names.get(id);
    return name === undefined ? undefined : this.#topics.get(name);
  }

  list(): TopicEntry[] {
    return [...this.#topics.values()];
  }

  placement(topic: string, partition: number): PartitionPlacement | undefined {
    return this.#topics.get(topic)?.partitions[partition];
  }

  /** Holds `name` and actor ids for a new topic; commit() or abort() next. */
  reserveTopic(name: string, partitionCount: number, config: TopicConfig, overrides: Record<string, string> = {}): TopicEntry {
    checkNewTopicName(name);
    if (this.#topics.has(name) || this.#pending.has(name)) throw new LanesError(ErrorCode.TOPIC_ALREADY_EXISTS, `topic ${name} already exists`);
    if (!Number.isInteger(partitionCount) || partitionCount < 1) {
      throw new LanesError(ErrorCode.INVALID_PARTITIONS, `a topic needs at least one partition, got ${partitionCount}`);
    }
    const entry: TopicEntry = { name, id: this.#uniqueTopicId(), config, overrides, partitions: [] };
    this.#addPartitions(entry, partitionCount);
    this.#pending.set(name, entry);
    return entry;
  }

  /** Reserves the partitions that grow a topic to `partitionCount`; commit() or abort() next. */
  reserveGrowth(name: string, partitionCount: number): PartitionPlacement[] {
    const entry = this.#topics.get(name);
    if (entry === undefined) throw new LanesError(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, `topic ${name} does not exist`);
    if (this.#pending.has(name)) throw new LanesError(ErrorCode.INVALID_REQUEST, `topic ${name} is already being changed; retry`);
    if (partitionCount <= entry.partitions.length) {
      throw new LanesError(ErrorCode.INVALID_PARTITIONS, `topic ${name} has ${entry.partitions.length} partitions; ${partitionCount} is not more`);
    }
    const grown: TopicEntry = { ...entry, partitions: [...entry.partitions] };
    const added = this.#addPartitions(grown, partitionCount - entry.partitions.length);
    this.#pending.set(name, grown);
    return added;
  }

  /**
   * Makes a reserved topic, or a topic's reserved growth, visible and saves the catalogue; on a
   * failed save the catalogue is as before and the reservation stays (abort() next).
   */
  commit(name: string): void {
    const reserved = this.#pending.get(name);
    assert(reserved !== undefined, `topic ${name} has nothing reserved`);
    const previous = this.#topics.get(name);
    this.#topics.set(name, reserved);
    this.#names.set(reserved.id, name);
    try {
      this.#save();
    } catch (error) {
      if (previous === undefined) {
        this.#topics.delete(name);
        this.#names.delete(reserved.id);
      } else this.#topics.set(name, previous);
      throw error;
    }
    this.#pending.delete(name);
  }

  /** Drops a reservation: the actor ids of a new topic, or of the partitions a growth added. */
  abort(name: string): void {
    const reserved = this.#pending.get(name);
    assert(reserved !== undefined, `topic ${name} has nothing reserved`);
    this.#pending.delete(name);
    const kept = this.#topics.get(name)?.partitions.length ?? 0;
    for (const placement of reserved.partitions.slice(kept)) this.#freeActorIds.push(placement.actorId);
  }

  /**
   * Replaces a topic's configs and saves the catalogue; on a failed save the topic keeps its
   * previous configs and the error is thrown.
   */
  setConfig(name: string, config: TopicConfig, overrides: Record<string, string>): TopicEntry {
    const entry = this.#topics.get(name);
    if (entry === undefined) throw new LanesError(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, `topic ${name} does not exist`);
    if (this.#pending.has(name)) throw new LanesError(ErrorCode.INVALID_REQUEST, `topic ${name} is being changed; retry`);
    const changed: TopicEntry = { ...entry, config, overrides };
    this.#topics.set(name, changed);
    try {
      this.#save();
    } catch (error) {
      this.#topics.set(name, entry);
      throw error;
    }
    return changed;
  }

  remove(name: string): TopicEntry {
    const entry = this.#topics.get(name);
    if (entry === undefined) throw new LanesError(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, `topic ${name} does not exist`);
    if (this.#pending.has(name)) throw new LanesError(ErrorCode.INVALID_REQUEST, `topic ${name} is being changed; retry`);
    this.#topics.delete(name);
    this.#names.delete(entry.id);
    for (const placement of entry.partitions) this.#freeActorIds.push(placement.actorId);
    this.#save();
    return entry;
  }

  /** A fresh id, distinct from every topic's (a collision of random UUIDs is only astronomically unlikely). */
  #uniqueTopicId(): string {
    for (;;) {
      const id = this.#newTopicId();
      assert(isTopicIdText(id), `topic id generator gave '${id}', not a UUID`);
      if (!this.#names.has(id) && ![...this.#pending.values()].some((entry) => entry.id === id)) return id;
    }
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
    replaceFileDurably(this.#file, JSON.stringify({ version: 1, topics: this.list() }, null, 2));
  }

  #load(file: string, settleConfig: SettleTopicConfig | undefined): void {
    let saved: { version: number; topics: (Omit<TopicEntry, 'id'> & { id?: unknown })[] };
    try {
      saved = JSON.parse(readFileSync(file, 'utf8')) as typeof saved;
    } catch (error) {
      throw new DataDirError(`data dir catalogue ${file} is unreadable: ${error instanceof Error ? error.message : String(error)}`, { cause: error });
    }
    if (saved.version !== 1 || !Array.isArray(saved.topics)) throw new DataDirError(`data dir catalogue ${file} has an unknown version ${saved.version}`);
    const used = new Set<number>();
    let idsAdded = false;
    for (const topic of saved.topics) {
      // Shard placement is recomputed: the shard count may differ from the last run.
      topic.partitions = topic.partitions.map((p) => ({ ...p, shard: shardForPartition(topic.name, p.partition, this.#shardCount) }));
      if (settleConfig !== undefined) {
        try {
          Object.assign(topic, settleConfig({ config: topic.config, overrides: topic.overrides }));
        } catch (error) {
          throw new DataDirError(`data dir catalogue ${file}: topic ${topic.name} has configs this broker cannot run with: ${error instanceof Error ? error.message : String(error)}`, { cause: error });
        }
      }
      topic.overrides ??= {};
      for (const p of topic.partitions) used.add(p.actorId);
      if (topic.id === undefined) {
        // Saved before topics had ids: one is made now and saved below, so it stays.
        topic.id = this.#uniqueTopicId();
        idsAdded = true;
      } else if (typeof topic.id !== 'string' || !isTopicIdText(topic.id) || this.#names.has(topic.id)) {
        throw new DataDirError(`data dir catalogue ${file}: topic ${topic.name} has an invalid or repeated id ${JSON.stringify(topic.id)}`);
      }
      const entry: TopicEntry = { ...topic, id: topic.id as string };
      this.#topics.set(entry.name, entry);
      this.#names.set(entry.id, entry.name);
    }
    this.#nextActorId = used.size === 0 ? 0 : Math.max(...used) + 1;
    if (this.#nextActorId > this.#actorIdsMax) throw new DataDirError(`data dir catalogue ${file} holds more partitions than partitionsMax (${this.#actorIdsMax})`);
    for (let id = 0; id < this.#nextActorId; id++) if (!used.has(id)) this.#freeActorIds.push(id);
    if (idsAdded) this.#save();
  }
}
