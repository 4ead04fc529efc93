// LeaveGroup (api key 13). Up to v2 one member leaves by member id; v3 makes it a batch of
// member identities (member id and/or group instance id), answered per member; v4 is the first
// flexible version, v5 adds each member's reason (KIP-800).
// Served from v0 as Kafka 4.x does: librdkafka < 2.11 requires it.

import { defineApi, type RequestOf, type ResponseOf } from '../api_definition.js';

export const leaveGroupApi = defineApi({
  key: 13,
  name: 'LeaveGroup',
  versions: '0-5',
  flexibleVersions: '4+',
  request: [
    { name: 'groupId', type: 'string', versions: '0+' },
    { name: 'memberId', type: 'string', versions: '0-2' },
    {
      name: 'members',
      versions: '3+',
      type: {
        array: [
          { name: 'memberId', type: 'string', versions: '3+' },
          { name: 'groupInstanceId', type: 'string', versions: '3+', nullableVersions: '3+', default: null },
          { name: 'reason', type: 'string', versions: '5+', nullableVersions: '5+', default: null },
        ],
      },
    },
  ],
  response: [
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

export type LeaveGroupRequest = RequestOf<typeof leaveGroupApi>;
export type LeaveGroupResponse = ResponseOf<typeof leaveGroupApi>;
