// ConsumerGroupDescribe (api key 69, KIP-848): groups of the consumer group protocol with their
// epochs, assignor, and each member's current and target assignment. Flexible from v0; v1 adds
// the member type (KIP-1099: 1 for a member speaking the consumer protocol).

import { defineApi, type RequestOf, type ResponseOf } from '../api_definition.js';
import { authorizedOperationsOmitted } from './metadata.js';

const assignment = {
  struct: [
    {
      name: 'topicPartitions',
      versions: '0+',
      type: {
        array: [
          { name: 'topicId', type: 'uuid', versions: '0+' },
          { name: 'topicName', type: 'string', versions: '0+' },
          { name: 'partitions', type: { array: 'int32' }, versions: '0+' },
        ],
      },
    },
  ],
} as const;

export const consumerGroupDescribeApi = defineApi({
  key: 69,
  name: 'ConsumerGroupDescribe',
  versions: '0-1',
  flexibleVersions: '0+',
  request: [
    { name: 'groupIds', type: { array: 'string' }, versions: '0+' },
    { name: 'includeAuthorizedOperations', type: 'bool', versions: '0+' },
  ],
  response: [
    { name: 'throttleTimeMs', type: 'int32', versions: '0+' },
    {
      name: 'groups',
      versions: '0+',
      type: {
        array: [
          { name: 'errorCode', type: 'int16', versions: '0+' },
          { name: 'errorMessage', type: 'string', versions: '0+', nullableVersions: '0+', default: null },
          { name: 'groupId', type: 'string', versions: '0+' },
          { name: 'groupState', type: 'string', versions: '0+' },
          { name: 'groupEpoch', type: 'int32', versions: '0+' },
          { name: 'assignmentEpoch', type: 'int32', versions: '0+' },
          { name: 'assignorName', type: 'string', versions: '0+' },
          {
            name: 'members',
            versions: '0+',
            type: {
              array: [
                { name: 'memberId', type: 'string', versions: '0+' },
                { name: 'instanceId', type: 'string', versions: '0+', nullableVersions: '0+', default: null },
                { name: 'rackId', type: 'string', versions: '0+', nullableVersions: '0+', default: null },
                { name: 'memberEpoch', type: 'int32', versions: '0+' },
                { name: 'clientId', type: 'string', versions: '0+' },
                { name: 'clientHost', type: 'string', versions: '0+' },
                { name: 'subscribedTopicNames', type: { array: 'string' }, versions: '0+' },
                { name: 'subscribedTopicRegex', type: 'string', versions: '0+', nullableVersions: '0+', default: null },
                { name: 'assignment', type: assignment, versions: '0+' },
                { name: 'targetAssignment', type: assignment, versions: '0+' },
                { name: 'memberType', type: 'int8', versions: '1+', default: -1 },
              ],
            },
          },
          { name: 'authorizedOperations', type: 'int32', versions: '0+', default: authorizedOperationsOmitted },
        ],
      },
    },
  ],
});

export type ConsumerGroupDescribeRequest = RequestOf<typeof consumerGroupDescribeApi>;
export type ConsumerGroupDescribeResponse = ResponseOf<typeof consumerGroupDescribeApi>;
