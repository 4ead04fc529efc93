// JoinGroup (api key 11). v1 adds the rebalance timeout, v4 the MEMBER_ID_REQUIRED two-step
// join, v5 static membership (group instance ids). The leader's response lists every member.
// Served from v0: librdkafka < 2.11 requires it for its group consumer.

import { defineApi, type RequestOf, type ResponseOf } from '../api_definition.js';

export const joinGroupApi = defineApi({
  key: 11,
  name: 'JoinGroup',
  versions: '0-5',
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
  ],
  response: [
    { name: 'throttleTimeMs', type: 'int32', versions: '2+' },
    { name: 'errorCode', type: 'int16', versions: '0+' },
    { name: 'generationId', type: 'int32', versions: '0+', default: -1 },
    { name: 'protocolName', type: 'string', versions: '0+' },
    { name: 'leader', type: 'string', versions: '0+' },
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
