// OffsetForLeaderEpoch (api key 23): the end offset of a leader epoch, which clients compare with
// their position to detect a truncated log. Kafka 4.0 serves v2 and later (v0–1 removed, KIP-896):
// v2 adds the current leader epoch (fencing), v3 the replica id, v4 is flexible.

import { defineApi, type RequestOf, type ResponseOf } from '../api_definition.js';

export const offsetForLeaderEpochApi = defineApi({
  key: 23,
  name: 'OffsetForLeaderEpoch',
  versions: '2-4',
  flexibleVersions: '4+',
  request: [
    // −1 from a consumer; −2 (the default) a debug client.
    { name: 'replicaId', type: 'int32', versions: '3+', default: -2 },
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
                { name: 'currentLeaderEpoch', type: 'int32', versions: '2+', default: -1 },
                { name: 'leaderEpoch', type: 'int32', versions: '0+' },
              ],
            },
          },
        ],
      },
    },
  ],
  response: [
    { name: 'throttleTimeMs', type: 'int32', versions: '2+' },
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
                { name: 'errorCode', type: 'int16', versions: '0+' },
                { name: 'partitionIndex', type: 'int32', versions: '0+' },
                { name: 'leaderEpoch', type: 'int32', versions: '1+', default: -1 },
                { name: 'endOffset', type: 'int64', versions: '0+', default: -1 },
              ],
            },
          },
        ],
      },
    },
  ],
});

export type OffsetForLeaderEpochRequest = RequestOf<typeof offsetForLeaderEpochApi>;
export type OffsetForLeaderEpochResponse = ResponseOf<typeof offsetForLeaderEpochApi>;
