// Valid request bodies for any (api, version) the codec serves, drawn from the message tables
// themselves (core/protocol/messages), so a new API or version is fuzzed as soon as its table
// exists. Values are mostly plausible (the fuzz topics and groups, small partition numbers, real
// record batches, real consumer-protocol metadata) so requests reach deep into the handlers
// instead of stopping at UNKNOWN_TOPIC; a fraction are wild (edge integers, 32 KiB strings, long
// arrays, idempotent batches) because that is where handlers assume too much.
//
// Every draw comes from one Prng, so a seed reproduces the same bodies.
import { encodeAssignment, encodeSubscription } from '../../core/assignors/consumer_protocol.js';
import '../../actors/zstd_codec.js'; // zstd in this thread's codec registry, for compressed batches
import { encodeRecordBatch } from '../../core/records/batch_builder.js';
import { Compression } from '../../core/records/record_batch.js';
import { inVersions, parseVersions, type FieldSchema, type FieldType, type MessageSchema, type PrimitiveType } from '../../core/protocol/schema.js';
import { concatBytes } from '../support/arbitraries.js';
import type { Prng } from '../support/prng.js';
import { defaultOf } from '../support/schema_defaults.js';

/** Names the fuzzer plays with. Never the good client's (see goodClientMarker in fuzz_run.ts). */
export const fuzzTopics = ['fuzz-a', 'fuzz-b', 'fuzz-c'] as const;
export const fuzzGroups = ['fuzz-g1', 'fuzz-g2'] as const;
/** Producer ids the fuzzer's idempotent batches use (Lanes does not check they were issued). */
export const fuzzProducerIds = [0, 1, 2, 1000] as const;

const text = new TextEncoder();
const int16Edges = [-1, 0, 1, 0x7fff, -0x8000, -2];
const int32Edges = [-1, 0, 1, 0x7fff_ffff, -0x8000_0000, 0x7fff, 0x1_0000, -2];
const int64Edges = [-1, -2, 0, Number.MAX_SAFE_INTEGER, -Number.MAX_SAFE_INTEGER, 2 ** 53 - 1, 0x7fff_ffff];
const assignors = ['range', 'roundrobin', 'cooperative-sticky', 'sticky', 'bogus'];
/** The APIs whose resources are configs: a resource name may name the broker, a name a config. */
const configApis = new Set(['DescribeConfigs', 'AlterConfigs', 'IncrementalAlterConfigs']);
const configNames = ['cleanup.policy', 'retention.ms', 'retention.bytes', 'segment.bytes', 'max.message.bytes', 'message.timestamp.type', 'compression.type', 'no.such.config'];

/** The chance that one field takes a wild value instead of a plausible one. */
const wildChance = 0.02;

export class RequestGenerator {
  readonly #prng: Prng;
  #wildAllowed = true;

  constructor(prng: Prng) {
    this.#prng = prng;
  }

  body(schema: MessageSchema, version: number): Record<string, unknown> {
    return this.#struct(schema.fields, version, schema.name);
  }

  #struct(fields: readonly FieldSchema[], version: number, api: string): Record<string, unknown> {
    const out: Record<string, unknown> = {};
    for (const field of fields) {
      if (!inVersions(parseVersions(field.versions), version)) {
        out[field.name] = defaultOf(field);
        continue;
      }
      const nullable = field.nullableVersions !== undefined && inVersions(parseVersions(field.nullableVersions), version);
      if (nullable && this.#prng.chance(field.name === 'topics' ? 0.3 : field.name === 'transactionalId' ? 0.97 : 0.15)) {
        out[field.name] = null;
        continue;
      }
      out[field.name] = this.#value(field, field.type, version, api);
    }
    return out;
  }

  #value(field: FieldSchema, type: FieldType, version: number, api: string): unknown {
    const prng = this.#prng;
    if (typeof type !== 'string') {
      if ('struct' in type) return this.#struct(type.struct, version, api);
      const element = () => (typeof type.array === 'string' ? this.#primitive(field, type.array, api) : this.#struct(type.array, version, api));
      if (this.#wildAllowed && prng.chance(wildChance)) {
        // A long array of one element repeated: long on the wire, cheap to make. Nothing inside
        // it is wild again, so wild arrays do not nest into millions of elements.
        this.#wildAllowed = false;
        const one = element();
        this.#wildAllowed = true;
        return new Array<unknown>(prng.pick([0, 50, 1000, 5000])).fill(one);
      }
      return Array.from({ length: prng.int(0, 3) }, element);
    }
    return this.#primitive(field, type, api);
  }

  #primitive(field: FieldSchema, type: PrimitiveType, api: string): unknown {
    const prng = this.#prng;
    const wild = this.#wildAllowed && prng.chance(wildChance);
    const name = field.name;
    switch (type) {
      case 'bool':
        return prng.chance(0.5);
      case 'int8':
        return wild ? prng.pick([-128, 127, -1]) : prng.int(0, 3);
      case 'int16':
        if (wild) return prng.pick(int16Edges);
        if (name === 'acks') return prng.pick([-1, 0, 1]);
        if (name === 'replicationFactor') return prng.pick([-1, 1, 1, 3]);
        if (name === 'producerEpoch') return prng.int(-1, 2);
        if (name === 'resourceType') return prng.pick([2, 2, 4, 0]);
        return prng.int(0, 3);
      case 'uint16':
        return wild ? prng.pick([0, 0xffff]) : prng.int(0, 3);
      case 'int32':
        if (wild) return prng.pick(int32Edges);
        return this.#plausibleInt32(name, api);
      case 'uint32':
        return wild ? prng.pick([0, 0xffff_ffff]) : prng.int(0, 100);
      case 'int64':
        if (wild) return prng.pick(int64Edges);
        if (name === 'producerId') return prng.chance(0.3) ? -1 : prng.pick(fuzzProducerIds);
        if (name === 'timestamp') return prng.pick([-1, -2, 0, 1_700_000_000_000]);
        return prng.int(-2, 50);
      case 'float64':
        return prng.next();
      case 'uuid':
        return Uint8Array.from({ length: 16 }, () => prng.int(0, 255));
      case 'string':
        return wild ? this.#wildString() : this.#plausibleString(name, api);
      case 'bytes':
        return this.#bytes(name, wild);
      case 'records':
        return this.#records(wild);
      case 'recordChunks':
        return [this.#records(false)];
    }
  }

  #plausibleInt32(name: string, api: string): number {
    const prng = this.#prng;
    switch (name) {
      case 'partitionIndex':
      case 'partitions':
        return prng.int(0, 3);
      case 'numPartitions':
        return prng.pick([-1, 1, 2, 3]);
      case 'count':
        return prng.int(1, 6);
      case 'timeoutMs':
      case 'maxWaitMs':
        // Long polls are legal but make the fuzzer wait; keep most of them short.
        return prng.pick([0, 0, 10, 100, 1000]);
      case 'minBytes':
        return prng.pick([0, 1, 1000]);
      case 'maxBytes':
      case 'partitionMaxBytes':
        return prng.pick([1, 100, 64 * 1024, 1024 * 1024]);
      case 'sessionTimeoutMs':
      case 'rebalanceTimeoutMs':
        return prng.pick([6000, 10_000, 30_000, 100]);
      case 'generationId':
      case 'generationIdOrMemberEpoch':
        return prng.int(-1, 3);
      case 'currentLeaderEpoch':
      case 'leaderEpoch':
      case 'committedLeaderEpoch':
        return prng.int(-1, 1);
      case 'transactionTimeoutMs':
        return prng.pick([-1, 60_000]);
      case 'sessionId':
      case 'sessionEpoch':
        return prng.int(-1, 1);
      case 'replicaId':
      case 'brokerIds':
        return prng.pick([-1, 0, 0, 1]);
      case 'isolationLevel':
        return prng.int(0, 1);
      default:
        void api;
        return prng.int(-1, 10);
    }
  }

  #plausibleString(name: string, api: string): string {
    const prng = this.#prng;
    switch (name) {
      case 'topicName':
      case 'resourceName':
        if (configApis.has(api) && prng.chance(0.2)) return '0';
        return prng.chance(0.9) ? prng.pick(fuzzTopics) : this.#shortName();
      case 'groupId':
      case 'key':
        return prng.chance(0.9) ? prng.pick(fuzzGroups) : this.#shortName();
      case 'memberId':
        return prng.pick(['', '', `member-${prng.int(0, 3)}`]);
      case 'groupInstanceId':
        return `instance-${prng.int(0, 2)}`;
      case 'protocolType':
        return prng.pick(['consumer', 'consumer', 'connect', '']);
      case 'protocolName':
      case 'name':
        return api === 'CreateTopics' || configApis.has(api) ? prng.pick(configNames) : prng.pick(assignors);
      case 'value':
        return prng.pick(['delete', 'compact', '1000', '-1', '1048576', 'CreateTime', 'gzip', 'x']);
      case 'configurationKeys':
        return prng.pick(configNames);
      case 'transactionalId':
        return 'fuzz-tx';
      case 'rackId':
      case 'clientSoftwareName':
      case 'clientSoftwareVersion':
        return prng.pick(['', 'fuzz', '1.0.0']);
      default:
        return this.#shortName();
    }
  }

  #shortName(): string {
    const prng = this.#prng;
    const length = prng.int(0, 12);
    let out = 'z';
    for (let i = 1; i < length; i++) out += String.fromCharCode(prng.pick([prng.int(0x61, 0x7a), prng.int(0x30, 0x39), 0x2e, 0x5f, 0x2d]));
    return length === 0 ? '' : out;
  }

  #wildString(): string {
    const prng = this.#prng;
    switch (prng.int(0, 5)) {
      case 0:
        return '';
      case 1:
        return 'x'.repeat(prng.pick([249, 250, 255, 1000]));
      case 2:
        // The longest classic string: 32,767 bytes.
        return 'y'.repeat(0x7fff - prng.int(0, 3));
      case 3:
        return String.fromCharCode(...Array.from({ length: prng.int(1, 40) }, () => prng.int(0, 0xd7ff)));
      case 4:
        return '\u0000\u0001\u001f"\\';
      default:
        return '..';
    }
  }

  #bytes(name: string, wild: boolean): Uint8Array {
    const prng = this.#prng;
    if (!wild && (name === 'metadata' || name === 'protocolMetadata')) {
      return encodeSubscription({ version: prng.int(0, 3), topics: [prng.pick(fuzzTopics)], ownedPartitions: [], generationId: -1, rackId: null });
    }
    if (!wild && name === 'assignment') {
      return encodeAssignment({ version: prng.int(0, 3), assignedPartitions: [{ topic: prng.pick(fuzzTopics), partitions: [prng.int(0, 3)] }] });
    }
    if (wild) return new Uint8Array(prng.pick([0, 1, 4096, 70_000])).fill(prng.int(0, 255));
    return Uint8Array.from({ length: prng.int(0, 24) }, () => prng.int(0, 255));
  }

  /** One to three RecordBatch v2, sometimes idempotent, sometimes compressed. */
  #records(wild: boolean): Uint8Array {
    const prng = this.#prng;
    const batches: Uint8Array[] = [];
    const count = wild ? prng.int(1, 3) : 1;
    for (let b = 0; b < count; b++) {
      const records = Array.from({ length: prng.int(1, wild ? 50 : 4) }, (_, i) => ({
        key: prng.chance(0.3) ? null : text.encode(`k${i}`),
        value: prng.chance(0.05) ? null : text.encode(`fuzz-value-${prng.int(0, 1e6)}`),
        headers: prng.chance(0.2) ? [{ key: 'h', value: text.encode('v') }] : [],
      }));
      const idempotent = prng.chance(0.5);
      batches.push(
        encodeRecordBatch(records, {
          baseTimestamp: 1_700_000_000_000,
          // Every codec, so mutations reach each decoder (zstd's WASM engine included) with bytes
          // that start out valid; the attributes mutation also hands a decoder another codec's bytes.
          compression: prng.chance(0.8) ? Compression.none : prng.pick([Compression.gzip, Compression.snappy, Compression.lz4, Compression.zstd]),
          ...(idempotent ? { producerId: prng.pick(fuzzProducerIds), producerEpoch: prng.int(0, 1), baseSequence: prng.int(0, 20) } : {}),
        }),
      );
    }
    return concatBytes(batches);
  }
}
