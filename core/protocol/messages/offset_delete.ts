// OffsetDelete (api key 47): drops a group's committed offsets for some partitions. Note the
// response puts the error code before the throttle time.

import { defineMessage, type MessageValue } from '../schema.js';

export const offsetDeleteRequestSchema = defineMessage({
  apiKey: 47,
  name: 'OffsetDelete',
  kind: 'request',
  versions: '0',
  flexibleVersions: 'none',
  fields: [
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
});

export const offsetDeleteResponseSchema = defineMessage({
  apiKey: 47,
  name: 'OffsetDelete',
  kind: 'response',
  versions: '0',
  flexibleVersions: 'none',
  fields: [
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

export type OffsetDeleteRequest = MessageValue<typeof offsetDeleteRequestSchema>;
export type OffsetDeleteResponse = MessageValue<typeof offsetDeleteResponseSchema>;
