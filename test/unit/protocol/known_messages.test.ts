// Goal: byte-exact agreement with what real clients send and expect, for the messages whose
// layout has tripped up brokers before (ApiVersions v3's mixed header rules, v0 error bodies,
// Metadata v0's empty-list-means-all). Method: hand-assembled frames, decoded and re-encoded.

import { describe, expect, it } from 'vitest';
import { ApiKey } from '../../../core/protocol/api_keys.js';
import {
  apiCatalog,
  decodeRequest,
  decodeResponse,
  encodeApiVersionsV0ErrorFrame,
  encodeRequestFrame,
  encodeResponseFrame,
} from '../../../core/protocol/codec.js';
import { FrameSplitter } from '../../../core/protocol/frame.js';
import {
  decodeRequestHeader,
  decodeResponseHeader,
  requestHeaderVersion,
  responseHeaderVersion,
} from '../../../core/protocol/header.js';
import type { ApiVersionsResponse } from '../../../core/protocol/messages/api_versions.js';
import { Reader } from '../../../core/protocol/reader.js';
import { concatChunks } from '../../../core/protocol/writer.js';

const hex = (text: string): Uint8Array =>
  new Uint8Array(text.split(/\s+/).filter((pair) => pair.length > 0).map((pair) => Number.parseInt(pair, 16)));
const toHex = (bytes: Uint8Array): string => [...bytes].map((byte) => byte.toString(16).padStart(2, '0')).join(' ');
const ascii = (text: string): string => toHex(new TextEncoder().encode(text));

/** Splits one frame off `bytes` the way the connection layer will. */
function onlyFrame(bytes: Uint8Array): Uint8Array {
  const frames = new FrameSplitter().push(bytes);
  expect(frames).toHaveLength(1);
  return frames[0];
}

describe('ApiVersions v3 as librdkafka 2.0.2 (kcat) sends it', () => {
  const request = hex(
    '00 00 00 24' + // size 36
      ' 00 12 00 03 00 00 00 01' + // ApiVersions v3, correlation id 1
      ` 00 07 ${ascii('rdkafka')}` + // client_id: a classic int16 string even in header v2
      ' 00' + // header tag section
      ` 0b ${ascii('librdkafka')} 06 ${ascii('2.0.2')}` + // compact strings
      ' 00', // body tag section
  );

  it('decodes with request header v2 and a flexible body', () => {
    const reader = new Reader(onlyFrame(request));
    const header = decodeRequestHeader(reader);
    expect(header).toEqual({ apiKey: 18, apiVersion: 3, correlationId: 1, clientId: 'rdkafka' });
    const body = decodeRequest(ApiKey.ApiVersions, 3, reader);
    expect(body).toEqual({ clientSoftwareName: 'librdkafka', clientSoftwareVersion: '2.0.2' });
    expect(reader.remaining).toBe(0);
  });

  it('re-encodes to the same bytes', () => {
    const frame = encodeRequestFrame(
      { apiKey: ApiKey.ApiVersions, apiVersion: 3, correlationId: 1, clientId: 'rdkafka' },
      { clientSoftwareName: 'librdkafka', clientSoftwareVersion: '2.0.2' },
    );
    expect(toHex(concatChunks(frame))).toBe(toHex(request));
  });

  it('skips tags it does not know in the header and the body', () => {
    const withTags = hex(
      '00 00 00 2a 00 12 00 03 00 00 00 01' +
        ` 00 07 ${ascii('rdkafka')}` +
        ' 01 05 01 ff' + // header: one unknown tag (5) of one byte
        ` 0b ${ascii('librdkafka')} 06 ${ascii('2.0.2')}` +
        ' 01 07 01 aa', // body: one unknown tag (7)
    );
    const reader = new Reader(onlyFrame(withTags));
    decodeRequestHeader(reader);
    expect(decodeRequest(ApiKey.ApiVersions, 3, reader).clientSoftwareVersion).toBe('2.0.2');
    expect(reader.remaining).toBe(0);
  });

  it('is answered with response header v0 (no tag byte) and a compact body', () => {
    const body: ApiVersionsResponse = {
      errorCode: 0,
      apiKeys: [
        { apiKey: 0, minVersion: 3, maxVersion: 8 },
        { apiKey: 18, minVersion: 0, maxVersion: 3 },
      ],
      throttleTimeMs: 0,
      supportedFeatures: [],
      finalizedFeaturesEpoch: -1,
      finalizedFeatures: [],
      zkMigrationReady: false,
    };
    const frame = concatChunks(encodeResponseFrame(ApiKey.ApiVersions, 3, 1, body));
    expect(toHex(frame)).toBe(
      '00 00 00 1a' + // size 26
        ' 00 00 00 01' + // correlation id, and no header tag section
        ' 00 00' + // error code
        ' 03 00 00 00 03 00 08 00 00 12 00 00 00 03 00' + // compact array of 2, each with a tag byte
        ' 00 00 00 00' + // throttle time
        ' 00', // body tag section
    );
    const reader = new Reader(onlyFrame(frame));
    expect(decodeResponseHeader(reader, 0)).toEqual({ correlationId: 1 });
    expect(decodeResponse(ApiKey.ApiVersions, 3, reader)).toEqual(body);
  });

  it('writes non-default tagged fields in ascending tag order', () => {
    const body: ApiVersionsResponse = {
      errorCode: 0,
      apiKeys: [],
      throttleTimeMs: 0,
      supportedFeatures: [],
      finalizedFeaturesEpoch: 5,
      finalizedFeatures: [],
      zkMigrationReady: true,
    };
    const frame = concatChunks(encodeResponseFrame(ApiKey.ApiVersions, 3, 9, body));
    expect(toHex(frame.subarray(8))).toBe(
      '00 00 01 00 00 00 00' + ' 02' + ' 01 08 00 00 00 00 00 00 00 05' + ' 03 01 01',
    );
    const reader = new Reader(frame, 8);
    expect(decodeResponse(ApiKey.ApiVersions, 3, reader)).toEqual(body);
  });
});

describe('ApiVersions with a version above ours', () => {
  it('is answered UNSUPPORTED_VERSION in a v0-shaped body naming our ApiVersions range', () => {
    const frame = concatChunks(encodeApiVersionsV0ErrorFrame(7));
    expect(toHex(frame)).toBe('00 00 00 10 00 00 00 07 00 23 00 00 00 01 00 12 00 00 00 04');
  });

  it('decodes as a v0 response a kafkajs-style client can read', () => {
    const frame = onlyFrame(concatChunks(encodeApiVersionsV0ErrorFrame(7)));
    const reader = new Reader(frame);
    decodeResponseHeader(reader, 0);
    expect(decodeResponse(ApiKey.ApiVersions, 0, reader)).toEqual({
      errorCode: 35,
      apiKeys: [{ apiKey: 18, minVersion: 0, maxVersion: 4 }],
      throttleTimeMs: 0,
      supportedFeatures: [],
      finalizedFeaturesEpoch: -1,
      finalizedFeatures: [],
      zkMigrationReady: false,
    });
  });
});

describe('Metadata', () => {
  it('v0 with an empty topic list (meaning all topics)', () => {
    const request = hex(`00 00 00 12 00 03 00 00 00 00 00 05 00 04 ${ascii('kcat')} 00 00 00 00`);
    const reader = new Reader(onlyFrame(request));
    expect(decodeRequestHeader(reader)).toEqual({ apiKey: 3, apiVersion: 0, correlationId: 5, clientId: 'kcat' });
    expect(decodeRequest(ApiKey.Metadata, 0, reader)).toEqual({
      topics: [],
      allowAutoTopicCreation: true, // absent before v4: Kafka's default
      includeClusterAuthorizedOperations: false,
      includeTopicAuthorizedOperations: false,
    });
  });

  it('v1+ with a null topic list, and a null client id', () => {
    const request = hex('00 00 00 0f 00 03 00 04 00 00 00 06 ff ff ff ff ff ff 01');
    const reader = new Reader(onlyFrame(request));
    expect(decodeRequestHeader(reader).clientId).toBeNull();
    const body = decodeRequest(ApiKey.Metadata, 4, reader);
    expect(body.topics).toBeNull();
    expect(body.allowAutoTopicCreation).toBe(true);
  });

  it('v0 cannot express a null topic list: encoding one is a programmer error', () => {
    expect(() =>
      encodeRequestFrame(
        { apiKey: ApiKey.Metadata, apiVersion: 0, correlationId: 1, clientId: null },
        { topics: null, allowAutoTopicCreation: true, includeClusterAuthorizedOperations: false, includeTopicAuthorizedOperations: false },
      ),
    ).toThrow(/not nullable/);
  });

  it('v13 answers a top-level error code after the topics (KIP-1102)', () => {
    const frame = encodeResponseFrame(ApiKey.Metadata, 13, 3, {
      throttleTimeMs: 0,
      brokers: [{ nodeId: 0, host: 'h', port: 9092, rack: null }],
      clusterId: 'c',
      controllerId: 0,
      topics: [],
      clusterAuthorizedOperations: -2147483648,
      errorCode: 0,
    });
    // size, correlation 3, header tags; throttle 0; one broker (0, "h", 9092, null rack, tags);
    // cluster id "c"; controller 0; no topics; error code 0; body tags.
    expect(toHex(concatChunks(frame))).toBe('00 00 00 20 00 00 00 03 00 ' + '00 00 00 00 ' + '02 00 00 00 00 02 68 00 00 23 84 00 00 ' + '02 63 ' + '00 00 00 00 ' + '01 ' + '00 00 ' + '00');
  });
});

describe('InitProducerId', () => {
  it('v4 as librdkafka sends it for an epoch bump: header v2, compact null transactional id, tags', () => {
    // size, key 22, v4, correlation 9, client id "rdkafka", header tags; then a null
    // transactional id, timeout 60000, producer id 1234, epoch 3, body tags.
    const request = hex(`00 00 00 22 00 16 00 04 00 00 00 09 00 07 ${ascii('rdkafka')} 00 00 00 00 ea 60 00 00 00 00 00 00 04 d2 00 03 00`);
    const reader = new Reader(onlyFrame(request));
    expect(decodeRequestHeader(reader)).toEqual({ apiKey: 22, apiVersion: 4, correlationId: 9, clientId: 'rdkafka' });
    expect(decodeRequest(ApiKey.InitProducerId, 4, reader)).toEqual({ transactionalId: null, transactionTimeoutMs: 60_000, producerId: 1234, producerEpoch: 3 });
    expect(reader.remaining).toBe(0);
  });

  it('v1 as kafkajs sends it: classic null string; producer id and epoch default to -1', () => {
    const request = hex(`00 00 00 17 00 16 00 01 00 00 00 02 00 07 ${ascii('kafkajs')} ff ff 00 00 75 30`);
    const reader = new Reader(onlyFrame(request));
    decodeRequestHeader(reader);
    expect(decodeRequest(ApiKey.InitProducerId, 1, reader)).toEqual({ transactionalId: null, transactionTimeoutMs: 30_000, producerId: -1, producerEpoch: -1 });
  });

  it('answers v2+ with response header v1 and a flexible body', () => {
    const frame = encodeResponseFrame(ApiKey.InitProducerId, 2, 9, { throttleTimeMs: 0, errorCode: 0, producerId: 5, producerEpoch: 1 });
    expect(toHex(concatChunks(frame))).toBe('00 00 00 16 00 00 00 09 00 ' + '00 00 00 00 ' + '00 00 ' + '00 00 00 00 00 00 00 05 ' + '00 01 00');
  });
});

describe('ListOffsets', () => {
  it('v10 as the Java 4.x client sends it: a max-timestamp (−3) query and the timeout after the topics', () => {
    // Body only: replica −1, read_uncommitted, one topic "t" with partition 0, leader epoch −1,
    // timestamp −3 and tags; the topic's tags; timeout 30000; the body's tags.
    const body = hex('ff ff ff ff 00 02 02 74 02 00 00 00 00 ff ff ff ff ff ff ff ff ff ff ff fd 00 00 00 00 75 30 00');
    const reader = new Reader(body);
    expect(decodeRequest(ApiKey.ListOffsets, 10, reader)).toEqual({
      replicaId: -1,
      isolationLevel: 0,
      topics: [{ topicName: 't', partitions: [{ partitionIndex: 0, currentLeaderEpoch: -1, timestamp: -3 }] }],
      timeoutMs: 30_000,
    });
    expect(reader.remaining).toBe(0);
  });
});

describe('header versions', () => {
  it('uses request header v2 exactly for flexible request versions', () => {
    expect(requestHeaderVersion(ApiKey.ApiVersions, 3)).toBe(2);
    expect(requestHeaderVersion(ApiKey.ApiVersions, 2)).toBe(1);
    expect(requestHeaderVersion(ApiKey.Metadata, 8)).toBe(1);
    expect(requestHeaderVersion(ApiKey.Metadata, 9)).toBe(2); // known from the table, though not served
    expect(requestHeaderVersion(999, 0)).toBe(1);
  });

  it('uses response header v1 for flexible versions, except ApiVersions (always v0)', () => {
    expect(responseHeaderVersion(ApiKey.ApiVersions, 3)).toBe(0);
    expect(responseHeaderVersion(ApiKey.Produce, 8)).toBe(0);
    expect(responseHeaderVersion(ApiKey.Produce, 9)).toBe(1);
    expect(responseHeaderVersion(ApiKey.Heartbeat, 4)).toBe(1);
  });
});

describe('apiCatalog', () => {
  it('serves the ranges the supported clients need advertised', () => {
    const ranges = Object.fromEntries(apiCatalog.map((entry) => [entry.name, [entry.versionMin, entry.versionMax]]));
    expect(ranges).toEqual({
      Produce: [3, 13],
      Fetch: [4, 17],
      ListOffsets: [1, 10],
      Metadata: [0, 13],
      OffsetCommit: [2, 9],
      OffsetFetch: [1, 9],
      FindCoordinator: [0, 6],
      JoinGroup: [0, 9],
      Heartbeat: [0, 4],
      LeaveGroup: [0, 5],
      SyncGroup: [0, 5],
      DescribeGroups: [0, 6],
      ListGroups: [0, 5],
      SaslHandshake: [0, 1],
      ApiVersions: [0, 4],
      CreateTopics: [2, 7],
      DeleteTopics: [1, 6],
      DeleteRecords: [0, 2],
      InitProducerId: [0, 5],
      OffsetForLeaderEpoch: [2, 4],
      AddPartitionsToTxn: [0, 5],
      AddOffsetsToTxn: [0, 4],
      EndTxn: [0, 5],
      WriteTxnMarkers: [1, 2],
      TxnOffsetCommit: [0, 5],
      DescribeAcls: [1, 3],
      CreateAcls: [1, 3],
      DeleteAcls: [1, 3],
      DescribeConfigs: [1, 4],
      AlterConfigs: [0, 2],
      DescribeLogDirs: [1, 4],
      SaslAuthenticate: [0, 2],
      CreatePartitions: [0, 3],
      DeleteGroups: [0, 2],
      IncrementalAlterConfigs: [0, 1],
      OffsetDelete: [0, 0],
      DescribeUserScramCredentials: [0, 0],
      AlterUserScramCredentials: [0, 0],
      DescribeCluster: [0, 2],
      DescribeProducers: [0, 0],
      DescribeTransactions: [0, 0],
      ListTransactions: [0, 2],
      ConsumerGroupHeartbeat: [0, 1],
      ConsumerGroupDescribe: [0, 1],
    });
    expect(apiCatalog.map((entry) => entry.apiKey)).toEqual([...apiCatalog.map((entry) => entry.apiKey)].sort((a, b) => a - b));
  });
});
