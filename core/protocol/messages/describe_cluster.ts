// DescribeCluster (api key 60): cluster id, controller and brokers. v1 adds the endpoint type
// (1 brokers, 2 controllers), v2 fenced brokers (KIP-1073). Flexible from v0.

import { defineApi, type RequestOf, type ResponseOf } from '../api_definition.js';
import { authorizedOperationsOmitted } from './metadata.js';

/** DescribeCluster's endpoint types (Kafka's EndpointType ids). */
export const EndpointType = { broker: 1, controller: 2 } as const;

export const describeClusterApi = defineApi({
  key: 60,
  name: 'DescribeCluster',
  versions: '0-2',
  flexibleVersions: '0+',
  request: [
    { name: 'includeClusterAuthorizedOperations', type: 'bool', versions: '0+' },
    { name: 'endpointType', type: 'int8', versions: '1+', default: EndpointType.broker },
    { name: 'includeFencedBrokers', type: 'bool', versions: '2+', default: false },
  ],
  response: [
    { name: 'throttleTimeMs', type: 'int32', versions: '0+' },
    { name: 'errorCode', type: 'int16', versions: '0+' },
    { name: 'errorMessage', type: 'string', versions: '0+', nullableVersions: '0+', default: null },
    { name: 'endpointType', type: 'int8', versions: '1+', default: EndpointType.broker },
    { name: 'clusterId', type: 'string', versions: '0+' },
    { name: 'controllerId', type: 'int32', versions: '0+', default: -1 },
    {
      name: 'brokers',
      versions: '0+',
      type: {
        array: [
          { name: 'brokerId', type: 'int32', versions: '0+' },
          { name: 'host', type: 'string', versions: '0+' },
          { name: 'port', type: 'int32', versions: '0+' },
          { name: 'rack', type: 'string', versions: '0+', nullableVersions: '0+', default: null },
          { name: 'isFenced', type: 'bool', versions: '2+', default: false },
        ],
      },
    },
    { name: 'clusterAuthorizedOperations', type: 'int32', versions: '0+', default: authorizedOperationsOmitted },
  ],
});

export type DescribeClusterRequest = RequestOf<typeof describeClusterApi>;
export type DescribeClusterResponse = ResponseOf<typeof describeClusterApi>;
