// OffsetDelete (api key 47): drops a group's committed offsets for some partitions. Note the
// response puts the error code before the throttle time.

import { defineApi, type RequestOf, type ResponseOf } from '../api_definition.js';

export const offsetDeleteApi = defineApi({
  key: 47,
  name: 'OffsetDelete',
  versions: '0',
  flexibleVersions: 'none',
  request: [
    { name: 'groupId', type: 'string', versions: '0+' },
    {
      name: 'topics',
      versions: '0+',
      type: {
        array: [
          { name: 'topicName', type: 'string', versions: '0+' },
          {
            name: 'partitions',
            versions: '0+',
            type: { array: [{ name: 'partitionIndex', type: 'int32', versions: '0+' }] },
          },
        ],
      },
    },
  ],
  response: [
    { name: 'errorCode', type: 'int16', versions: '0+' },
    { name: 'throttleTimeMs', type: 'int32', versions: '0+' },
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

export type OffsetDeleteRequest = RequestOf<typeof offsetDeleteApi>;
export type OffsetDeleteResponse = ResponseOf<typeof offsetDeleteApi>;
