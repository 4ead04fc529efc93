// SyncGroup (api key 14). The leader sends one assignment per member, followers an empty list;
// each member gets its own assignment bytes back. v3 adds the group instance id, v4 is the first
// flexible version, v5 carries the protocol type and name both ways (KIP-559: the coordinator
// refuses a mismatch with INCONSISTENT_GROUP_PROTOCOL).
// Served from v0 as Kafka 4.x does: librdkafka < 2.11 requires it.

import { defineApi, type RequestOf, type ResponseOf } from '../api_definition.js';

export const syncGroupApi = defineApi({
  key: 14,
  name: 'SyncGroup',
  versions: '0-5',
  flexibleVersions: '4+',
  request: [
    { name: 'groupId', type: 'string', versions: '0+' },
    { name: 'generationId', type: 'int32', versions: '0+' },
    { name: 'memberId', type: 'string', versions: '0+' },
    { name: 'groupInstanceId', type: 'string', versions: '3+', nullableVersions: '3+', default: null },
    { name: 'protocolType', type: 'string', versions: '5+', nullableVersions: '5+', default: null },
    { name: 'protocolName', type: 'string', versions: '5+', nullableVersions: '5+', default: null },
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
  response: [
    { name: 'throttleTimeMs', type: 'int32', versions: '1+' },
    { name: 'errorCode', type: 'int16', versions: '0+' },
    { name: 'protocolType', type: 'string', versions: '5+', nullableVersions: '5+', default: null },
    { name: 'protocolName', type: 'string', versions: '5+', nullableVersions: '5+', default: null },
    { name: 'assignment', type: 'bytes', versions: '0+' },
  ],
});

export type SyncGroupRequest = RequestOf<typeof syncGroupApi>;
export type SyncGroupResponse = ResponseOf<typeof syncGroupApi>;
