// CreatePartitions (api key 37). v1 only changes throttling behaviour.

import { defineMessage, type MessageValue } from '../schema.js';

export const createPartitionsRequestSchema = defineMessage({
  apiKey: 37,
  name: 'CreatePartitions',
  kind: 'request',
  versions: '0-1',
  flexibleVersions: '2+',
  fields: [
    {
      name: 'topics',
      versions: '0+',
      type: {
        array: [
          { name: 'topicName', type: 'string', versions: '0+' },
          // The new total partition count.
          { name: 'count', type: 'int32', versions: '0+' },
          {
            name: 'assignments',
            versions: '0+',
            nullableVersions: '0+',
            type: { array: [{ name: 'brokerIds', type: { array: 'int32' }, versions: '0+' }] },
          },
        ],
      },
    },
    { name: 'timeoutMs', type: 'int32', versions: '0+' },
    { name: 'validateOnly', type: 'bool', versions: '0+' },
  ],
});

export const createPartitionsResponseSchema = defineMessage({
  apiKey: 37,
  name: 'CreatePartitions',
  kind: 'response',
  versions: '0-1',
  flexibleVersions: '2+',
  fields: [
    { name: 'throttleTimeMs', type: 'int32', versions: '0+' },
    {
      name: 'results',
      versions: '0+',
      type: {
        array: [
          { name: 'topicName', type: 'string', versions: '0+' },
          { name: 'errorCode', type: 'int16', versions: '0+' },
          { name: 'errorMessage', type: 'string', versions: '0+', nullableVersions: '0+', default: null },
        ],
      },
    },
  ],
});

export type CreatePartitionsRequest = MessageValue<typeof createPartitionsRequestSchema>;
export type CreatePartitionsResponse = MessageValue<typeof createPartitionsResponseSchema>;
