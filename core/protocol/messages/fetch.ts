// Fetch (api key 1). v4 is the first version returning RecordBatch v2 with last_stable_offset and
// aborted transactions; v7 adds fetch sessions (we answer session id 0: always full fetches);
// v11 adds the consumer's rack and preferred_read_replica; v12 is the first flexible version, with
// tagged fields for replication (diverging epoch, current leader, snapshot id); v13 names topics
// by id (KIP-516) instead of by name; v14 admits OFFSET_MOVED_TO_TIERED_STORAGE; v15 moves the
// replica id into a tagged ReplicaState (KIP-903); v16 answers node endpoints (KIP-951); v17 adds
// a follower's directory id (KIP-853). Records go out as a list of views.
// Served from v4, as Kafka 4.x does (KIP-896; RecordBatch v2 only); the range must include v4 and
// v10, from which librdkafka turns on message format v2 and its group consumer.

import { defineApi, type RequestOf, type ResponseOf } from '../api_definition.js';

export const fetchApi = defineApi({
  key: 1,
  name: 'Fetch',
  versions: '4-17',
  flexibleVersions: '12+',
  request: [
    { name: 'clusterId', type: 'string', versions: '12+', nullableVersions: '12+', taggedVersions: '12+', tag: 0, default: null },
    // −1 from consumers; brokers only (Lanes has no followers).
    { name: 'replicaId', type: 'int32', versions: '0-14', default: -1 },
    {
      name: 'replicaState',
      versions: '15+',
      taggedVersions: '15+',
      tag: 1,
      type: {
        struct: [
          { name: 'replicaId', type: 'int32', versions: '15+', default: -1 },
          { name: 'replicaEpoch', type: 'int64', versions: '15+', default: -1 },
        ],
      },
    },
    { name: 'maxWaitMs', type: 'int32', versions: '0+' },
    { name: 'minBytes', type: 'int32', versions: '0+' },
    { name: 'maxBytes', type: 'int32', versions: '3+', default: 0x7fffffff },
    { name: 'isolationLevel', type: 'int8', versions: '4+', default: 0 },
    { name: 'sessionId', type: 'int32', versions: '7+', default: 0 },
    { name: 'sessionEpoch', type: 'int32', versions: '7+', default: -1 },
    {
      name: 'topics',
      versions: '0+',
      type: {
        array: [
          { name: 'topicName', type: 'string', versions: '0-12' },
          { name: 'topicId', type: 'uuid', versions: '13+' },
          {
            name: 'partitions',
            versions: '0+',
            type: {
              array: [
                { name: 'partitionIndex', type: 'int32', versions: '0+' },
                { name: 'currentLeaderEpoch', type: 'int32', versions: '9+', default: -1 },
                { name: 'fetchOffset', type: 'int64', versions: '0+' },
                { name: 'lastFetchedEpoch', type: 'int32', versions: '12+', default: -1 },
                { name: 'logStartOffset', type: 'int64', versions: '5+', default: -1 },
                { name: 'partitionMaxBytes', type: 'int32', versions: '0+' },
                { name: 'replicaDirectoryId', type: 'uuid', versions: '17+', taggedVersions: '17+', tag: 0 },
              ],
            },
          },
        ],
      },
    },
    {
      name: 'forgottenTopicsData',
      versions: '7+',
      type: {
        array: [
          { name: 'topicName', type: 'string', versions: '7-12' },
          { name: 'topicId', type: 'uuid', versions: '13+' },
          { name: 'partitions', type: { array: 'int32' }, versions: '7+' },
        ],
      },
    },
    { name: 'rackId', type: 'string', versions: '11+', default: '' },
  ],
  response: [
    { name: 'throttleTimeMs', type: 'int32', versions: '1+' },
    { name: 'errorCode', type: 'int16', versions: '7+' },
    { name: 'sessionId', type: 'int32', versions: '7+', default: 0 },
    {
      name: 'responses',
      versions: '0+',
      type: {
        array: [
          { name: 'topicName', type: 'string', versions: '0-12' },
          { name: 'topicId', type: 'uuid', versions: '13+' },
          {
            name: 'partitions',
            versions: '0+',
            type: {
              array: [
                { name: 'partitionIndex', type: 'int32', versions: '0+' },
                { name: 'errorCode', type: 'int16', versions: '0+' },
                { name: 'highWatermark', type: 'int64', versions: '0+' },
                { name: 'lastStableOffset', type: 'int64', versions: '4+', default: -1 },
                { name: 'logStartOffset', type: 'int64', versions: '5+', default: -1 },
                {
                  name: 'divergingEpoch',
                  versions: '12+',
                  taggedVersions: '12+',
                  tag: 0,
                  type: {
                    struct: [
                      { name: 'epoch', type: 'int32', versions: '12+', default: -1 },
                      { name: 'endOffset', type: 'int64', versions: '12+', default: -1 },
                    ],
                  },
                },
                {
                  name: 'currentLeader',
                  versions: '12+',
                  taggedVersions: '12+',
                  tag: 1,
                  type: {
                    struct: [
                      { name: 'leaderId', type: 'int32', versions: '12+', default: -1 },
                      { name: 'leaderEpoch', type: 'int32', versions: '12+', default: -1 },
                    ],
                  },
                },
                {
                  name: 'snapshotId',
                  versions: '12+',
                  taggedVersions: '12+',
                  tag: 2,
                  type: {
                    struct: [
                      { name: 'endOffset', type: 'int64', versions: '12+', default: -1 },
                      { name: 'epoch', type: 'int32', versions: '12+', default: -1 },
                    ],
                  },
                },
                {
                  name: 'abortedTransactions',
                  versions: '4+',
                  nullableVersions: '4+',
                  type: {
                    array: [
                      { name: 'producerId', type: 'int64', versions: '4+' },
                      { name: 'firstOffset', type: 'int64', versions: '4+' },
                    ],
                  },
                },
                { name: 'preferredReadReplica', type: 'int32', versions: '11+', default: -1 },
                // Views of stored batches, appended to the output without copying.
                { name: 'records', type: 'recordChunks', versions: '0+', nullableVersions: '0+' },
              ],
            },
          },
        ],
      },
    },
    {
      name: 'nodeEndpoints',
      versions: '16+',
      taggedVersions: '16+',
      tag: 0,
      type: {
        array: [
          { name: 'nodeId', type: 'int32', versions: '16+' },
          { name: 'host', type: 'string', versions: '16+' },
          { name: 'port', type: 'int32', versions: '16+' },
          { name: 'rack', type: 'string', versions: '16+', nullableVersions: '16+', default: null },
        ],
      },
    },
  ],
});

/**
 * The last version naming topics by name: Lanes's own clients (the wire client, the CLI, the load
 * generator) fetch at most at this version, since they do not track topic ids.
 */
export const fetchByNameVersionMax = 12;

export type FetchRequest = RequestOf<typeof fetchApi>;
export type FetchRequestTopic = FetchRequest['topics'][number];
export type FetchRequestPartition = FetchRequestTopic['partitions'][number];
export type FetchResponse = ResponseOf<typeof fetchApi>;
export type FetchResponseTopic = FetchResponse['responses'][number];
export type FetchResponsePartition = FetchResponseTopic['partitions'][number];
