// SyncGroup (api key 14). The leader sends one assignment per member, followers an empty list;
// each member gets its own assignment bytes back. v3 adds the group instance id.

import { defineMessage, type MessageValue } from '../schema.js';

export const syncGroupRequestSchema = defineMessage({
  apiKey: 14,
  name: 'SyncGroup',
  kind: 'request',
  versions: '0-3',
  flexibleVersions: '4+',
  fields: [
    { name: 'groupId', type: 'string', versions: '0+' },
    { name: 'generationId', type: 'int32', versions: '0+' },
    { name: 'memberId', type: 'string', versions: '0+' },
    { name: 'groupInstanceId', type: 'string', versions: '3+', nullableVersions: '3+', default: null },
    {
      name: 'assignments',
      versions: '0+',
      type: {
        array: [
          { name: 'memberId', type: 'string', versions: '0+' },
          { name: 'assignment', type: 'bytes', versions: '0+' },
        ],
      },
    },
  ],
});

export const syncGroupResponseSchema = defineMessage({
  apiKey: 14,
  name: 'SyncGroup',
  kind: 'response',
  versions: '0-3',
  flexibleVersions: '4+',
  fields: [
    { name: 'throttleTimeMs', type: 'int32', versions: '1+' },
    { name: 'errorCode', type: 'int16', versions: '0+' },
    { name: 'assignment', type: 'bytes', versions: '0+' },
  ],
});

export type SyncGroupRequest = MessageValue<typeof syncGroupRequestSchema>;
export type SyncGroupResponse = MessageValue<typeof syncGroupResponseSchema>;
