// DeleteTopics (api key 20). v0–v3 are the same list of names; v3 may answer
// TOPIC_DELETION_DISABLED.

import { defineMessage, type MessageValue } from '../schema.js';

export const deleteTopicsRequestSchema = defineMessage({
  apiKey: 20,
  name: 'DeleteTopics',
  kind: 'request',
  versions: '0-3',
  flexibleVersions: '4+',
  fields: [
    { name: 'topicNames', type: { array: 'string' }, versions: '0-5' },
    { name: 'timeoutMs', type: 'int32', versions: '0+' },
  ],
});

export const deleteTopicsResponseSchema = defineMessage({
  apiKey: 20,
  name: 'DeleteTopics',
  kind: 'response',
  versions: '0-3',
  flexibleVersions: '4+',
  fields: [
    { name: 'throttleTimeMs', type: 'int32', versions: '1+' },
    {
      name: 'responses',
      versions: '0+',
      type: {
        array: [
          { name: 'topicName', type: 'string', versions: '0+' },
          { name: 'errorCode', type: 'int16', versions: '0+' },
        ],
      },
    },
  ],
});

export type DeleteTopicsRequest = MessageValue<typeof deleteTopicsRequestSchema>;
export type DeleteTopicsResponse = MessageValue<typeof deleteTopicsResponseSchema>;
