// JoinGroup (api key 11). v1 adds the rebalance timeout, v4 the MEMBER_ID_REQUIRED two-step
// join, v5 static membership (group instance ids), v6 is the first flexible version, v7 answers
// the protocol type (KIP-559), v8 carries the member's reason (KIP-800), v9 tells a static leader
// to skip the assignment (KIP-814). The leader's response lists every member.
// Served from v0 as Kafka 4.x does (KIP-896 kept it): librdkafka < 2.11 requires it.

import { defineApi, type RequestOf, type ResponseOf } from '../api_definition.js';

export const joinGroupApi = defineApi({
  key: 11,
  name: 'JoinGroup',
  versions: '0-9',
  flexibleVersions: '6+',
  request: [
    { name: 'groupId', type: 'string', versions: '0+' },
    { name: 'sessionTimeoutMs', type: 'int32', versions: '0+' },
    // Absent in v0, where the session timeout doubles as the rebalance timeout.
    { name: 'rebalanceTimeoutMs', type: 'int32', versions: '1+', default: -1 },
    { name: 'memberId', type: 'string', versions: '0+' },
    { name: 'groupInstanceId', type: 'string', versions: '5+', nullableVersions: '5+', default: null },
    { name: 'protocolType', type: 'string', versions: '0+' },
    {
      name: 'protocols',
      versions: '0+',
      type: {
        array: [
          { name: 'name', type: 'string', versions: '0+' },
          { name: 'metadata', type: 'bytes', versions: '0+' },
        ],
      },
    },
    { name: 'reason', type: 'string', versions: '8+', nullableVersions: '8+', default: null },
  ],
  response: [
    { name: 'throttleTimeMs', type: 'int32', versions: '2+' },
    { name: 'errorCode', type: 'int16', versions: '0+' },
    { name: 'generationId', type: 'int32', versions: '0+', default: -1 },
    { name: 'protocolType', type: 'string', versions: '7+', nullableVersions: '7+', default: null },
    { name: 'protocolName', type: 'string', versions: '0+', nullableVersions: '7+' },
    { name: 'leader', type: 'string', versions: '0+' },
    { name: 'skipAssignment', type: 'bool', versions: '9+', default: false },
    { name: 'memberId', type: 'string', versions: '0+' },
    {
      name: 'members',
      versions: '0+',
      type: {
        array: [
          { name: 'memberId', type: 'string', versions: '0+' },
          { name: 'groupInstanceId', type: 'string', versions: '5+', nullableVersions: '5+', default: null },
          { name: 'metadata', type: 'bytes', versions: '0+' },
        ],
      },
    },
  ],
});

export type JoinGroupRequest = RequestOf<typeof joinGroupApi>;
export type JoinGroupRequestProtocol = JoinGroupRequest['protocols'][number];
export type JoinGroupResponse = ResponseOf<typeof joinGroupApi>;
export type JoinGroupResponseMember = JoinGroupResponse['members'][number];
