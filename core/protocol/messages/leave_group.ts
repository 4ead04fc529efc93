// LeaveGroup (api key 13). Up to v2 one member leaves by member id; v3 makes it a batch of
// member identities (member id and/or group instance id), answered per member.

import { defineMessage, type MessageValue } from '../schema.js';

export const leaveGroupRequestSchema = defineMessage({
  apiKey: 13,
  name: 'LeaveGroup',
  kind: 'request',
  versions: '0-3',
  flexibleVersions: '4+',
  fields: [
    { name: 'groupId', type: 'string', versions: '0+' },
    { name: 'memberId', type: 'string', versions: '0-2' },
    {
      name: 'members',
      versions: '3+',
      type: {
        array: [
          { name: 'memberId', type: 'string', versions: '3+' },
          { name: 'groupInstanceId', type: 'string', versions: '3+', nullableVersions: '3+', default: null },
        ],
      },
    },
  ],
});

export const leaveGroupResponseSchema = defineMessage({
  apiKey: 13,
  name: 'LeaveGroup',
  kind: 'response',
  versions: '0-3',
  flexibleVersions: '4+',
  fields: [
    { name: 'throttleTimeMs', type: 'int32', versions: '1+' },
    { name: 'errorCode', type: 'int16', versions: '0+' },
    {
      name: 'members',
      versions: '3+',
      type: {
        array: [
          { name: 'memberId', type: 'string', versions: '3+' },
          { name: 'groupInstanceId', type: 'string', versions: '3+', nullableVersions: '3+', default: null },
          { name: 'errorCode', type: 'int16', versions: '3+' },
        ],
      },
    },
  ],
});

export type LeaveGroupRequest = MessageValue<typeof leaveGroupRequestSchema>;
export type LeaveGroupResponse = MessageValue<typeof leaveGroupResponseSchema>;
