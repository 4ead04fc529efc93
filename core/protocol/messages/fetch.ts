// Fetch (api key 1). v4 is the first version returning RecordBatch v2 with last_stable_offset and
// aborted transactions; v7 adds fetch sessions (we answer session id 0: always full fetches);
// v11 adds the consumer's rack and preferred_read_replica. Records go out as a list of views.
// Served from v4 (RecordBatch v2 only); the range must include v4 and v10, from which librdkafka
// turns on message format v2 and its group consumer.

import { defineApi, type RequestOf, type ResponseOf } from '../api_definition.js';

export const fetchApi = defineApi({
  key: 1,
  name: 'Fetch',
  versions: '4-11',
  flexibleVersions: '12+',
  request: [
    { name: 'replicaId', type: 'int32', versions: '0+' },
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
          { name: 'topicName', type: 'string', versions: '0+' },
          {
            name: 'partitions',
            versions: '0+',
            type: {
              array: [
                { name: 'partitionIndex', type: 'int32', versions: '0+' },
                { name: 'currentLeaderEpoch', type: 'int32', versions: '9+', default: -1 },
                { name: 'fetchOffset', type: 'int64', versions: '0+' },
                { name: 'logStartOffset', type: 'int64', versions: '5+', default: -1 },
                { name: 'partitionMaxBytes', type: 'int32', versions: '0+' },
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
          { name: 'topicName', type: 'string', versions: '7+' },
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
          { name: 'topicName', type: 'string', versions: '0+' },
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
  ],
});

export type FetchRequest = RequestOf<typeof fetchApi>;
export type FetchRequestTopic = FetchRequest['topics'][number];
export type FetchRequestPartition = FetchRequestTopic['partitions'][number];
export type FetchResponse = ResponseOf<typeof fetchApi>;
export type FetchResponseTopic = FetchResponse['responses'][number];
export type FetchResponsePartition = FetchResponseTopic['partitions'][number];
