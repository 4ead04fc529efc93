// ConsumerProtocol bytes as the three clients Lanes serves write them: kafkajs 2.2.4 (through its
// own AssignerProtocol, imported from node_modules), librdkafka 2.0.2 (bytes laid out by hand as
// its rd_kafka_consumer_protocol_member_metadata_new writes them) and the Java layout per version.
import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';
import {
  decodeAssignment,
  decodeStickyUserData,
  decodeSubscription,
  encodeStickyUserData,
  encodeAssignment,
  encodeSubscription,
} from '../../../core/assignors/consumer_protocol.js';
import { ErrorCode } from '../../../core/errors.js';
import { codeOf } from '../../support/error_code.js';

interface KafkajsAssignerProtocol {
  MemberMetadata: {
    encode(metadata: { version: number; topics: string[]; userData?: Buffer }): Buffer;
    decode(buffer: Buffer): { version: number; topics: string[]; userData: Buffer | null };
  };
  MemberAssignment: {
    encode(assignment: { version: number; assignment: Record<string, number[]>; userData?: Buffer }): Buffer;
    decode(buffer: Buffer): { version: number; assignment: Record<string, number[]>; userData: Buffer | null } | null;
  };
}
const { AssignerProtocol } = createRequire(import.meta.url)('kafkajs') as { AssignerProtocol: KafkajsAssignerProtocol };

type Piece = ['i16' | 'i32', number] | ['str', string | null] | ['raw', number[]];

/** Builds big-endian bytes from a list of typed pieces, so expected layouts read like the spec. */
function bytesOf(...pieces: Piece[]): Uint8Array {
  const out: number[] = [];
  for (const piece of pieces) {
    switch (piece[0]) {
      case 'i16':
        out.push((piece[1] >> 8) & 0xff, piece[1] & 0xff);
        break;
      case 'i32':
        out.push((piece[1] >>> 24) & 0xff, (piece[1] >>> 16) & 0xff, (piece[1] >>> 8) & 0xff, piece[1] & 0xff);
        break;
      case 'str': {
        if (piece[1] === null) {
          out.push(0xff, 0xff);
          break;
        }
        const text = new TextEncoder().encode(piece[1]);
        out.push((text.length >> 8) & 0xff, text.length & 0xff, ...text);
        break;
      }
      case 'raw':
        out.push(...piece[1]);
        break;
    }
  }
  return Uint8Array.from(out);
}

describe('ConsumerProtocolSubscription', () => {
  it('writes v0 as version, topics, user data', () => {
    const encoded = encodeSubscription({ version: 0, topics: ['orders', 'payments'], userData: Uint8Array.of(7) });
    expect(encoded).toEqual(bytesOf(['i16', 0], ['i32', 2], ['str', 'orders'], ['str', 'payments'], ['i32', 1], ['raw', [7]]));
  });

  it('writes each later version by appending its field', () => {
    const subscription = {
      topics: ['t'],
      userData: null,
      ownedPartitions: [{ topic: 't', partitions: [0, 2] }],
      generationId: 9,
      rackId: 'rack-a',
    };
    const v0 = bytesOf(['i32', 1], ['str', 't'], ['i32', -1]);
    const owned = bytesOf(['i32', 1], ['str', 't'], ['i32', 2], ['i32', 0], ['i32', 2]);
    const generation = bytesOf(['i32', 9]);
    const rack = bytesOf(['str', 'rack-a']);
    const concat = (...parts: Uint8Array[]) => Uint8Array.from(parts.flatMap((part) => [...part]));
    expect(encodeSubscription({ ...subscription, version: 0 })).toEqual(concat(bytesOf(['i16', 0]), v0));
    expect(encodeSubscription({ ...subscription, version: 1 })).toEqual(concat(bytesOf(['i16', 1]), v0, owned));
    expect(encodeSubscription({ ...subscription, version: 2 })).toEqual(concat(bytesOf(['i16', 2]), v0, owned, generation));
    expect(encodeSubscription({ ...subscription, version: 3 })).toEqual(concat(bytesOf(['i16', 3]), v0, owned, generation, rack));
  });

  it('reads what kafkajs RoundRobinAssigner writes (v0, empty user data)', () => {
    const kafkajsBytes = AssignerProtocol.MemberMetadata.encode({ version: 0, topics: ['topic-a', 'topic-b'] });
    const decoded = decodeSubscription(new Uint8Array(kafkajsBytes));
    expect(decoded.version).toBe(0);
    expect(decoded.topics).toEqual(['topic-a', 'topic-b']);
    expect(decoded.userData).toEqual(new Uint8Array(0));
    expect(decoded.ownedPartitions).toEqual([]);
    expect(decoded.generationId).toBe(-1);
    expect(decoded.rackId).toBeNull();
  });

  it('writes v0 that kafkajs reads back', () => {
    const encoded = encodeSubscription({ version: 0, topics: ['topic-a'], userData: Uint8Array.of(1, 2) });
    const decoded = AssignerProtocol.MemberMetadata.decode(Buffer.from(encoded));
    expect(decoded).toEqual({ version: 0, topics: ['topic-a'], userData: Buffer.from([1, 2]) });
  });

  it('reads librdkafka 2.0.2 cooperative-sticky metadata (v1, empty user data, owned partitions)', () => {
    const librdkafkaBytes = bytesOf(
      ['i16', 1],
      ['i32', 1], ['str', 'events'],
      ['i32', 0], // user data: librdkafka writes empty bytes, never null
      ['i32', 1], ['str', 'events'], ['i32', 2], ['i32', 1], ['i32', 3],
    );
    expect(decodeSubscription(librdkafkaBytes)).toEqual({
      version: 1,
      topics: ['events'],
      userData: new Uint8Array(0),
      ownedPartitions: [{ topic: 'events', partitions: [1, 3] }],
      generationId: -1,
      rackId: null,
    });
  });

  it('reads a newer version with the fields it knows and ignores the rest', () => {
    const v3 = encodeSubscription({ version: 3, topics: ['a'], generationId: 4, rackId: 'r1' });
    const v9 = Uint8Array.from([...v3, 0xde, 0xad, 0xbe, 0xef]);
    v9[1] = 9;
    const decoded = decodeSubscription(v9);
    expect(decoded.version).toBe(9);
    expect(decoded.topics).toEqual(['a']);
    expect(decoded.generationId).toBe(4);
    expect(decoded.rackId).toBe('r1');
  });

  it('keeps topics when a v3 subscription is read as v0 (what kafkajs does)', () => {
    const v3 = encodeSubscription({
      version: 3,
      topics: ['a', 'b'],
      userData: Uint8Array.of(5),
      ownedPartitions: [{ topic: 'a', partitions: [0] }],
      generationId: 2,
      rackId: null,
    });
    const decoded = AssignerProtocol.MemberMetadata.decode(Buffer.from(v3));
    expect(decoded.topics).toEqual(['a', 'b']);
    expect(decoded.userData).toEqual(Buffer.from([5]));
  });

  it('writing an older version drops the newer fields', () => {
    const encoded = encodeSubscription({ version: 1, topics: ['a'], generationId: 3, rackId: 'r' });
    expect(decodeSubscription(encoded)).toMatchObject({ version: 1, generationId: -1, rackId: null });
  });

  it.each([
    ['empty input', new Uint8Array(0)],
    ['a negative version', bytesOf(['i16', -1], ['i32', 0], ['i32', -1])],
    ['a truncated topic', bytesOf(['i16', 0], ['i32', 1], ['i16', 10], ['raw', [97]])],
    ['a null topic', bytesOf(['i16', 0], ['i32', 1], ['str', null], ['i32', -1])],
    ['a null topic array', bytesOf(['i16', 0], ['i32', -1], ['i32', -1])],
    ['a topic count larger than the input', bytesOf(['i16', 0], ['i32', 0x7fffffff])],
    ['user data longer than the input', bytesOf(['i16', 0], ['i32', 0], ['i32', 100], ['raw', [1, 2]])],
    ['user data with length −2', bytesOf(['i16', 0], ['i32', 0], ['i32', -2])],
    ['v1 without owned partitions', bytesOf(['i16', 1], ['i32', 0], ['i32', -1])],
    ['v2 without a generation', bytesOf(['i16', 2], ['i32', 0], ['i32', -1], ['i32', 0])],
  ])('rejects %s with INCONSISTENT_GROUP_PROTOCOL', (_, bytes) => {
    expect(codeOf(() => decodeSubscription(bytes))).toBe(ErrorCode.INCONSISTENT_GROUP_PROTOCOL);
  });

  it('names the field and the position in the error', () => {
    expect(() => decodeSubscription(bytesOf(['i16', 0], ['i32', 1], ['i16', 10]))).toThrow(/subscription: topic needs 10 bytes, 0 left at byte 8 of 8/);
  });

  it('decodes a subarray of a larger buffer and copies user data out of it', () => {
    const encoded = encodeSubscription({ version: 0, topics: ['x'], userData: Uint8Array.of(1, 2, 3) });
    const frame = new Uint8Array(encoded.length + 10);
    frame.set(encoded, 5);
    const decoded = decodeSubscription(frame.subarray(5, 5 + encoded.length));
    frame.fill(0);
    expect(decoded.topics).toEqual(['x']);
    expect(decoded.userData).toEqual(Uint8Array.of(1, 2, 3));
  });
});

describe('ConsumerProtocolAssignment', () => {
  it('writes version, assigned partitions, user data', () => {
    const encoded = encodeAssignment({ version: 0, assignedPartitions: [{ topic: 't', partitions: [1, 4] }] });
    expect(encoded).toEqual(bytesOf(['i16', 0], ['i32', 1], ['str', 't'], ['i32', 2], ['i32', 1], ['i32', 4], ['i32', -1]));
  });

  it('reads what kafkajs MemberAssignment writes', () => {
    const kafkajsBytes = AssignerProtocol.MemberAssignment.encode({
      version: 0,
      assignment: { 'topic-A': [0, 2, 4, 6], 'topic-B': [1] },
    });
    expect(decodeAssignment(new Uint8Array(kafkajsBytes))).toEqual({
      version: 0,
      assignedPartitions: [
        { topic: 'topic-A', partitions: [0, 2, 4, 6] },
        { topic: 'topic-B', partitions: [1] },
      ],
      userData: new Uint8Array(0),
    });
  });

  it('writes assignments that kafkajs reads, null user data included', () => {
    for (const version of [0, 1, 2, 3]) {
      const encoded = encodeAssignment({ version, assignedPartitions: [{ topic: 'topic-A', partitions: [3, 5] }] });
      expect(AssignerProtocol.MemberAssignment.decode(Buffer.from(encoded))).toEqual({
        version,
        assignment: { 'topic-A': [3, 5] },
        userData: null,
      });
    }
  });

  it('reads an empty byte string as no assignment, as kafkajs does', () => {
    expect(decodeAssignment(new Uint8Array(0))).toEqual({ version: 0, assignedPartitions: [], userData: null });
    expect(AssignerProtocol.MemberAssignment.decode(Buffer.alloc(0))).toBeNull();
  });

  it('ignores trailing bytes of a newer version', () => {
    const encoded = encodeAssignment({ version: 3, assignedPartitions: [{ topic: 't', partitions: [0] }], userData: Uint8Array.of(9) });
    const newer = Uint8Array.from([...encoded, 1, 2, 3]);
    newer[1] = 4;
    expect(decodeAssignment(newer)).toEqual({ version: 4, assignedPartitions: [{ topic: 't', partitions: [0] }], userData: Uint8Array.of(9) });
  });

  it.each([
    ['a lone version byte', Uint8Array.of(0)],
    ['a missing partition array', bytesOf(['i16', 0], ['i32', 1], ['str', 't'])],
    ['a partition count larger than the input', bytesOf(['i16', 0], ['i32', 1], ['str', 't'], ['i32', 1000], ['i32', 0])],
    ['a null partition array', bytesOf(['i16', 0], ['i32', 1], ['str', 't'], ['i32', -1], ['i32', -1])],
    ['missing user data', bytesOf(['i16', 0], ['i32', 0])],
  ])('rejects %s with INCONSISTENT_GROUP_PROTOCOL', (_, bytes) => {
    expect(codeOf(() => decodeAssignment(bytes))).toBe(ErrorCode.INCONSISTENT_GROUP_PROTOCOL);
  });
});

describe('StickyAssignorUserData', () => {
  it('reads the layout librdkafka cooperative-sticky writes: previous assignment, then generation', () => {
    const librdkafkaUserData = bytesOf(['i32', 1], ['str', 'events'], ['i32', 2], ['i32', 0], ['i32', 2], ['i32', 12]);
    expect(decodeStickyUserData(librdkafkaUserData)).toEqual({ previousAssignment: [{ topic: 'events', partitions: [0, 2] }], generationId: 12 });
    expect(encodeStickyUserData({ previousAssignment: [{ topic: 'events', partitions: [0, 2] }], generationId: 12 })).toEqual(librdkafkaUserData);
  });

  it('reads the oldest form, without a generation, as generation −1', () => {
    expect(decodeStickyUserData(bytesOf(['i32', 0]))).toEqual({ previousAssignment: [], generationId: -1 });
  });

  it('rejects a generation cut short with INCONSISTENT_GROUP_PROTOCOL', () => {
    expect(codeOf(() => decodeStickyUserData(bytesOf(['i32', 0], ['raw', [0, 1]])))).toBe(ErrorCode.INCONSISTENT_GROUP_PROTOCOL);
  });
});
