// ConsumerProtocol codec properties: every version round-trips; newer versions and trailing bytes
// are read with the fields a reader knows; every truncation and any random input fails with the
// typed error and nothing else. fast-check prints the seed of a failure so it can be replayed.

import { createRequire } from 'node:module';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  consumerProtocolVersionMax,
  decodeAssignment,
  decodeStickyUserData,
  decodeSubscription,
  encodeAssignment,
  encodeStickyUserData,
  encodeSubscription,
  type ConsumerProtocolAssignment,
  type ConsumerProtocolSubscription,
} from '../../../core/assignors/consumer_protocol.js';
import { ErrorCode, isLanesError } from '../../../core/errors.js';

const { AssignerProtocol } = createRequire(import.meta.url)('kafkajs') as {
  AssignerProtocol: { MemberMetadata: { decode(buffer: Buffer): { topics: string[] } } };
};

const version = fc.integer({ min: 0, max: consumerProtocolVersionMax });
const name = fc.string({ maxLength: 12, unit: 'grapheme' });
const topicPartitions = fc.array(
  fc.record({ topic: name, partitions: fc.array(fc.integer({ min: -0x8000_0000, max: 0x7fff_ffff }), { maxLength: 6 }) }),
  { maxLength: 4 },
);
const userData = fc.option(fc.uint8Array({ maxLength: 16 }), { nil: null });

/** A subscription with only the fields its version has; the others at their defaults. */
const subscription: fc.Arbitrary<ConsumerProtocolSubscription> = fc
  .record({
    version,
    topics: fc.array(name, { maxLength: 5 }),
    userData,
    ownedPartitions: topicPartitions,
    generationId: fc.integer({ min: -0x8000_0000, max: 0x7fff_ffff }),
    rackId: fc.option(name, { nil: null }),
  })
  .map((s) => ({
    ...s,
    ownedPartitions: s.version >= 1 ? s.ownedPartitions : [],
    generationId: s.version >= 2 ? s.generationId : -1,
    rackId: s.version >= 3 ? s.rackId : null,
  }));

const assignment: fc.Arbitrary<ConsumerProtocolAssignment> = fc.record({ version, assignedPartitions: topicPartitions, userData });

function throwsTyped(fn: () => unknown): boolean {
  try {
    fn();
    return false;
  } catch (error) {
    if (isLanesError(error) && error.errorCode === ErrorCode.INCONSISTENT_GROUP_PROTOCOL) return true;
    throw error;
  }
}

function withVersion(bytes: Uint8Array, newVersion: number, trailing: Uint8Array): Uint8Array {
  const out = new Uint8Array(bytes.length + trailing.length);
  out.set(bytes);
  out.set(trailing, bytes.length);
  new DataView(out.buffer).setInt16(0, newVersion);
  return out;
}

describe('ConsumerProtocolSubscription codec', () => {
  it('round-trips every version', () => {
    fc.assert(fc.property(subscription, (s) => {
      expect(decodeSubscription(encodeSubscription(s))).toEqual(s);
    }));
  });

  it('reads a version newer than it knows, with trailing bytes, as the newest it knows', () => {
    fc.assert(
      fc.property(subscription, fc.integer({ min: consumerProtocolVersionMax + 1, max: 0x7fff }), fc.uint8Array({ maxLength: 12 }), (s, newer, trailing) => {
        const v3 = { ...s, version: consumerProtocolVersionMax };
        const decoded = decodeSubscription(withVersion(encodeSubscription(v3), newer, trailing));
        expect(decoded).toEqual({ ...v3, version: newer });
      }),
    );
  });

  it('keeps topics and user data when a v3 subscription is read by a v0 reader', () => {
    fc.assert(
      fc.property(subscription, (s) => {
        const v3bytes = encodeSubscription({ ...s, version: 3 });
        // A v0 reader is our reader on the same bytes labelled v0: it stops after user data.
        const asV0 = decodeSubscription(withVersion(v3bytes, 0, new Uint8Array(0)));
        expect(asV0.topics).toEqual(s.topics);
        expect(asV0.userData).toEqual(s.userData);
        // And kafkajs, whose reader only knows v0, sees the same topics.
        expect(AssignerProtocol.MemberMetadata.decode(Buffer.from(v3bytes)).topics).toEqual(s.topics);
      }),
    );
  });

  it('rejects every truncation with the typed error', () => {
    fc.assert(
      fc.property(subscription, (s) => {
        const bytes = encodeSubscription(s);
        for (let length = 0; length < bytes.length; length++) expect(throwsTyped(() => decodeSubscription(bytes.subarray(0, length)))).toBe(true);
      }),
      { numRuns: 50 },
    );
  });

  it('answers random bytes with a subscription or the typed error, never anything else', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 64 }), (bytes) => {
        try {
          decodeSubscription(bytes);
        } catch (error) {
          expect(isLanesError(error) && error.errorCode === ErrorCode.INCONSISTENT_GROUP_PROTOCOL).toBe(true);
        }
      }),
    );
  });
});

describe('ConsumerProtocolAssignment codec', () => {
  it('round-trips every version', () => {
    fc.assert(fc.property(assignment, (a) => {
      expect(decodeAssignment(encodeAssignment(a))).toEqual(a);
    }));
  });

  it('reads a newer version with trailing bytes', () => {
    fc.assert(
      fc.property(assignment, fc.integer({ min: consumerProtocolVersionMax + 1, max: 0x7fff }), fc.uint8Array({ maxLength: 12 }), (a, newer, trailing) => {
        expect(decodeAssignment(withVersion(encodeAssignment(a), newer, trailing))).toEqual({ ...a, version: newer });
      }),
    );
  });

  it('rejects every non-empty truncation with the typed error (empty means no assignment)', () => {
    fc.assert(
      fc.property(assignment, (a) => {
        const bytes = encodeAssignment(a);
        expect(decodeAssignment(bytes.subarray(0, 0)).assignedPartitions).toEqual([]);
        for (let length = 1; length < bytes.length; length++) expect(throwsTyped(() => decodeAssignment(bytes.subarray(0, length)))).toBe(true);
      }),
      { numRuns: 50 },
    );
  });

  it('answers random bytes with an assignment or the typed error, never anything else', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 64 }), (bytes) => {
        try {
          decodeAssignment(bytes);
        } catch (error) {
          expect(isLanesError(error) && error.errorCode === ErrorCode.INCONSISTENT_GROUP_PROTOCOL).toBe(true);
        }
      }),
    );
  });
});

describe('StickyAssignorUserData codec', () => {
  it('round-trips, and every truncation but the generation-less form is the typed error', () => {
    fc.assert(
      fc.property(topicPartitions, fc.integer({ min: -0x8000_0000, max: 0x7fff_ffff }), (previousAssignment, generationId) => {
        const bytes = encodeStickyUserData({ previousAssignment, generationId });
        expect(decodeStickyUserData(bytes)).toEqual({ previousAssignment, generationId });
        expect(decodeStickyUserData(bytes.subarray(0, bytes.length - 4))).toEqual({ previousAssignment, generationId: -1 });
        for (let length = 0; length < bytes.length - 4; length++) expect(throwsTyped(() => decodeStickyUserData(bytes.subarray(0, length)))).toBe(true);
        for (let length = bytes.length - 3; length < bytes.length; length++) expect(throwsTyped(() => decodeStickyUserData(bytes.subarray(0, length)))).toBe(true);
      }),
      { numRuns: 50 },
    );
  });
});
