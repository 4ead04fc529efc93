// Goal: the codec tells "we don't serve that" apart from "those bytes are broken", and moves
// record data without copying it. Method: real request/response frames built with the codec.

import { describe, expect, it } from 'vitest';
import { ErrorCode } from '../../../core/errors.js';
import { ApiKey } from '../../../core/protocol/api_keys.js';
import {
  compileEveryCodec,
  decodeRequest,
  decodeResponse,
  encodeRequestFrame,
  encodeResponseFrame,
  isSupportedVersion,
} from '../../../core/protocol/codec.js';
import { ProtocolError, UnsupportedApiError } from '../../../core/protocol/errors.js';
import { decodeRequestHeader, decodeResponseHeader } from '../../../core/protocol/header.js';
import type { FetchResponse } from '../../../core/protocol/messages/fetch.js';
import type { ProduceRequest } from '../../../core/protocol/messages/produce.js';
import { Reader } from '../../../core/protocol/reader.js';
import { concatChunks } from '../../../core/protocol/writer.js';
import { zeroTopicId } from '../../../core/handlers/topic_ids.js';

function thrown(fn: () => unknown): unknown {
  try {
    fn();
  } catch (error) {
    return error;
  }
  throw new Error('expected a throw');
}

describe('message tables', () => {
  // The codec compiles a version on first use; this is where a table that cannot compile fails.
  it('compiles every served version of every api, requests and responses', () => {
    expect(() => compileEveryCodec()).not.toThrow();
  });
});

describe('unsupported apis and versions', () => {
  it('reports an unknown api key as UnsupportedApiError, not a ProtocolError', () => {
    const error = thrown(() => decodeRequest(99, 0, new Reader(new Uint8Array(8))));
    expect(error).toBeInstanceOf(UnsupportedApiError);
    expect(error).not.toBeInstanceOf(ProtocolError);
    expect((error as UnsupportedApiError).reason).toBe('unknown-api-key');
    expect((error as UnsupportedApiError).errorCode).toBe(ErrorCode.UNSUPPORTED_VERSION);
  });

  it('reports versions outside the served range the same way', () => {
    for (const [apiKey, apiVersion] of [
      [ApiKey.Produce, 2],
      [ApiKey.Produce, 14],
      [ApiKey.ApiVersions, 5],
      [ApiKey.Fetch, -1],
    ] as const) {
      expect(isSupportedVersion(apiKey, apiVersion)).toBe(false);
      const error = thrown(() => decodeRequest(apiKey, apiVersion, new Reader(new Uint8Array(64))));
      expect(error).toBeInstanceOf(UnsupportedApiError);
      expect((error as UnsupportedApiError).reason).toBe('unsupported-version');
    }
  });

  it('reports a truncated body of a served version as a ProtocolError', () => {
    // Heartbeat v0: group id "g", generation 1, member id "m"; cut before the member id.
    const truncated = new Uint8Array([0, 1, 0x67, 0, 0, 0, 1, 0, 1]);
    const error = thrown(() => decodeRequest(ApiKey.Heartbeat, 0, new Reader(truncated)));
    expect(error).toBeInstanceOf(ProtocolError);
    expect((error as ProtocolError).code).toBe('LANES_MALFORMED_MESSAGE');
  });
});

describe('Produce requests', () => {
  it('decode record batches as views into the frame, never copies', () => {
    const batch = new Uint8Array(700).map((_, index) => index & 0xff);
    const request: ProduceRequest = {
      transactionalId: null,
      acks: -1,
      timeoutMs: 30_000,
      topics: [{ topicName: 'orders', topicId: zeroTopicId(), partitions: [{ partitionIndex: 3, records: batch }, { partitionIndex: 4, records: null }] }],
    };
    const frame = concatChunks(
      encodeRequestFrame({ apiKey: ApiKey.Produce, apiVersion: 7, correlationId: 42, clientId: 'kafkajs' }, request),
    );
    const reader = new Reader(frame, 4);
    const header = decodeRequestHeader(reader);
    const body = decodeRequest(ApiKey.Produce, header.apiVersion, reader);
    const records = body.topics[0].partitions[0].records;
    expect(records).not.toBeNull();
    expect(records!.buffer).toBe(frame.buffer);
    expect(records).toEqual(batch);
    expect(body.topics[0].partitions[1].records).toBeNull();
  });

  it('keep v3\'s transactional id and v8\'s record errors in the right versions', () => {
    const body = {
      responses: [
        {
          topicName: 't',
          topicId: zeroTopicId(),
          partitions: [
            {
              partitionIndex: 0,
              errorCode: ErrorCode.INVALID_RECORD,
              baseOffset: -1,
              logAppendTimeMs: -1,
              logStartOffset: 0,
              recordErrors: [{ batchIndex: 2, batchIndexErrorMessage: 'bad' }],
              errorMessage: 'one bad record',
              currentLeader: { leaderId: -1, leaderEpoch: -1 },
            },
          ],
        },
      ],
      throttleTimeMs: 0,
      nodeEndpoints: [],
    };
    const decodeAt = (version: number) => {
      const reader = new Reader(concatChunks(encodeResponseFrame(ApiKey.Produce, version, 1, body)), 4);
      decodeResponseHeader(reader, 0);
      return decodeResponse(ApiKey.Produce, version, reader);
    };
    expect(decodeAt(8)).toEqual(body);
    // v7 has no record errors: they decode to their defaults.
    const partition = decodeAt(7).responses[0].partitions[0];
    expect(partition.recordErrors).toEqual([]);
    expect(partition.errorMessage).toBeNull();
    expect(partition.logStartOffset).toBe(0);
  });

  it('leave v10\'s tagged CurrentLeader off the wire while it holds its defaults, as Kafka does', () => {
    const encodeAt = (version: number, leaderId: number) => {
      const partition = { partitionIndex: 0, errorCode: 0, baseOffset: 5, logAppendTimeMs: -1, logStartOffset: 0, recordErrors: [], errorMessage: null, currentLeader: { leaderId, leaderEpoch: -1 } };
      return concatChunks(encodeResponseFrame(ApiKey.Produce, version, 1, { responses: [{ topicName: 't', topicId: zeroTopicId(), partitions: [partition] }], throttleTimeMs: 0, nodeEndpoints: [] }));
    };
    // Defaults: the same bytes as v9, which has no such field.
    expect(encodeAt(10, -1)).toEqual(encodeAt(9, -1));
    const moved = encodeAt(10, 3);
    expect(moved.length).toBeGreaterThan(encodeAt(9, -1).length);
    const reader = new Reader(moved, 4);
    decodeResponseHeader(reader, 1);
    expect(decodeResponse(ApiKey.Produce, 10, reader).responses[0].partitions[0].currentLeader).toEqual({ leaderId: 3, leaderEpoch: -1 });
  });
});

describe('Fetch responses', () => {
  it('append the log\'s record chunks to the output without copying them', () => {
    const firstBatch = new Uint8Array(100).fill(1);
    const secondBatch = new Uint8Array(2000).fill(2);
    const response: FetchResponse = {
      throttleTimeMs: 0,
      errorCode: 0,
      sessionId: 0,
      responses: [
        {
          topicName: 'orders',
          topicId: new Uint8Array(16),
          partitions: [
            {
              partitionIndex: 0,
              errorCode: 0,
              highWatermark: 10,
              lastStableOffset: 10,
              logStartOffset: 0,
              divergingEpoch: { epoch: -1, endOffset: -1 },
              currentLeader: { leaderId: -1, leaderEpoch: -1 },
              snapshotId: { endOffset: -1, epoch: -1 },
              abortedTransactions: null,
              preferredReadReplica: -1,
              records: [firstBatch, secondBatch],
            },
          ],
        },
      ],
      nodeEndpoints: [],
    };
    const chunks = encodeResponseFrame(ApiKey.Fetch, 11, 77, response);
    expect(chunks).toContain(firstBatch);
    expect(chunks).toContain(secondBatch);

    const frame = concatChunks(chunks);
    const reader = new Reader(frame, 4);
    expect(decodeResponseHeader(reader, 0).correlationId).toBe(77);
    const decoded = decodeResponse(ApiKey.Fetch, 11, reader);
    const records = decoded.responses[0].partitions[0].records;
    expect(records).toHaveLength(1);
    expect(records![0]).toEqual(concatChunks([firstBatch, secondBatch]));
    expect(reader.remaining).toBe(0);
  });
});
