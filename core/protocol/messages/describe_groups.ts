// DescribeGroups (api key 15). v3 adds authorized operations, v4 members' group instance ids, v5
// is the first flexible version, v6 (KIP-1043) an error message and GROUP_ID_NOT_FOUND for a group
// that is not a classic group this coordinator has. Up to v5 such a group is described as Dead
// without an error, as Kafka 4 does (DescribeGroups describes classic groups; ConsumerGroupDescribe
// the others). Group states go out as Kafka's names ("Empty", "PreparingRebalance",
// "CompletingRebalance", "Stable", "Dead").

import { defineApi, type RequestOf, type ResponseOf } from '../api_definition.js';
import { authorizedOperationsOmitted } from './metadata.js';

export const describeGroupsApi = defineApi({
  key: 15,
  name: 'DescribeGroups',
  versions: '0-6',
  flexibleVersions: '5+',
  request: [
    { name: 'groups', type: { array: 'string' }, versions: '0+' },
    { name: 'includeAuthorizedOperations', type: 'bool', versions: '3+', default: false },
  ],
  response: [
    { name: 'throttleTimeMs', type: 'int32', versions: '1+' },
    {
      name: 'groups',
      versions: '0+',
      type: {
        array: [
          { name: 'errorCode', type: 'int16', versions: '0+' },
          { name: 'errorMessage', type: 'string', versions: '6+', nullableVersions: '6+', default: null },
          { name: 'groupId', type: 'string', versions: '0+' },
          { name: 'groupState', type: 'string', versions: '0+' },
          { name: 'protocolType', type: 'string', versions: '0+' },
          { name: 'protocolData', type: 'string', versions: '0+' },
          {
            name: 'members',
            versions: '0+',
            type: {
              array: [
                { name: 'memberId', type: 'string', versions: '0+' },
                { name: 'groupInstanceId', type: 'string', versions: '4+', nullableVersions: '4+', default: null },
                { name: 'clientId', type: 'string', versions: '0+' },
                { name: 'clientHost', type: 'string', versions: '0+' },
                { name: 'memberMetadata', type: 'bytes', versions: '0+' },
                { name: 'memberAssignment', type: 'bytes', versions: '0+' },
              ],
            },
          },
          { name: 'authorizedOperations', type: 'int32', versions: '3+', default: authorizedOperationsOmitted },
        ],
      },
    },
  ],
});

export type DescribeGroupsRequest = RequestOf<typeof describeGroupsApi>;
export type DescribeGroupsResponse = ResponseOf<typeof describeGroupsApi>;
