// OffsetCommit (api key 8). v2–v4 carry a retention time (dropped in v5), v6 the leader epoch of
// each committed offset, v7 the static member's group instance id.
// v8 is the first flexible version; v9 the first a consumer-protocol (KIP-848) member uses: its
// generationId is the member epoch (STALE_MEMBER_EPOCH, UNKNOWN_MEMBER_ID).
// Served from v2: librdkafka needs an overlap with v1–v2.

import { defineApi, type RequestOf, type ResponseOf } from '../api_definition.js';

export const offsetCommitApi = defineApi({
  key: 8,
  name: 'OffsetCommit',
  versions: '2-9',
  flexibleVersions: '8+',
  request: [
    { name: 'groupId', type: 'string', versions: '0+' },
    { name: 'generationId', type: 'int32', versions: '1+', default: -1 },
    { name: 'memberId', type: 'string', versions: '1+' },
    { name: 'groupInstanceId', type: 'string', versions: '7+', nullableVersions: '7+', default: null },
    { name: 'retentionTimeMs', type: 'int64', versions: '2-4', default: -1 },
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
                { name: 'committedOffset', type: 'int64', versions: '0+' },
                { name: 'committedLeaderEpoch', type: 'int32', versions: '6+', default: -1 },
                { name: 'committedMetadata', type: 'string', versions: '0+', nullableVersions: '0+' },
              ],
            },
          },
        ],
      },
    },
  ],
  response: [
    { name: 'throttleTimeMs', type: 'int32', versions: '3+' },
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
                { name: 'errorCode', type: 'int16', versions: '0+' },
              ],
            },
          },
        ],
      },
    },
  ],
});

export type OffsetCommitRequest = RequestOf<typeof offsetCommitApi>;
export type OffsetCommitResponse = ResponseOf<typeof offsetCommitApi>;
