// ListOffsets (api key 2). v1 returns a single offset per partition (v0's offsets array is not
// served); v2 adds the isolation level, v4 leader epochs; v5 only adds an error code.

import { defineApi, type RequestOf, type ResponseOf } from '../api_definition.js';

export const listOffsetsApi = defineApi({
  key: 2,
  name: 'ListOffsets',
  versions: '1-5',
  flexibleVersions: '6+',
  request: [
    { name: 'replicaId', type: 'int32', versions: '0+' },
    { name: 'isolationLevel', type: 'int8', versions: '2+' },
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
                { name: 'currentLeaderEpoch', type: 'int32', versions: '4+', default: -1 },
                // -1 latest, -2 earliest, otherwise a timestamp in ms.
                { name: 'timestamp', type: 'int64', versions: '0+' },
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
                { name: 'partitionIndex', type: 'int32', versions: '0+' },
                { name: 'errorCode', type: 'int16', versions: '0+' },
                { name: 'timestamp', type: 'int64', versions: '1+', default: -1 },
                { name: 'offset', type: 'int64', versions: '1+', default: -1 },
                { name: 'leaderEpoch', type: 'int32', versions: '4+', default: -1 },
              ],
            },
          },
        ],
      },
    },
  ],
});

export type ListOffsetsRequest = RequestOf<typeof listOffsetsApi>;
export type ListOffsetsResponse = ResponseOf<typeof listOffsetsApi>;
