// DescribeCluster: this node is the cluster's only broker and its controller, at the address the
// client connected to. Only the broker endpoint type is served: asking for controllers answers
// MISMATCHED_ENDPOINT_TYPE, an unknown type UNSUPPORTED_ENDPOINT_TYPE (INVALID_REQUEST in v0,
// which predates both codes), as a Kafka broker answers. Authorized operations are not computed
// (no ACLs), as in Metadata.
import { ErrorCode } from '../errors.js';
import { describeClusterApi, EndpointType, type DescribeClusterResponse } from '../protocol/messages/describe_cluster.js';
import { authorizedOperationsOmitted } from '../protocol/messages/metadata.js';
import { defineHandler } from './handler.js';

export const describeCluster = defineHandler({
  api: describeClusterApi,
  async handle(ctx, request) {
    const refused = (errorCode: number, errorMessage: string): DescribeClusterResponse => ({
      throttleTimeMs: 0,
      errorCode: ctx.apiVersion === 0 ? ErrorCode.INVALID_REQUEST : errorCode,
      errorMessage,
      endpointType: EndpointType.broker,
      clusterId: '',
      controllerId: -1,
      brokers: [],
      clusterAuthorizedOperations: authorizedOperationsOmitted,
    });
    if (request.endpointType === EndpointType.controller) {
      return refused(ErrorCode.MISMATCHED_ENDPOINT_TYPE, 'The request was sent to an endpoint of type BROKER, but we wanted an endpoint of type CONTROLLER');
    }
    if (request.endpointType !== EndpointType.broker) return refused(ErrorCode.UNSUPPORTED_ENDPOINT_TYPE, `Unsupported endpoint type ${request.endpointType}`);
    const { nodeId, clusterId } = ctx.settings;
    return {
      throttleTimeMs: 0,
      errorCode: ErrorCode.NONE,
      errorMessage: null,
      endpointType: EndpointType.broker,
      clusterId,
      controllerId: nodeId,
      brokers: [{ brokerId: nodeId, host: ctx.advertisedHost, port: ctx.advertisedPort, rack: null, isFenced: false }],
      clusterAuthorizedOperations: authorizedOperationsOmitted,
    };
  },
});
