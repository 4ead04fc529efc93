// JoinGroup. v0 has no rebalance timeout (the session timeout stands in, as in Kafka); from v4 a
// new dynamic member first gets MEMBER_ID_REQUIRED with its id; v5 carries static group instance
// ids; v7 answers the protocol type and lets the protocol name be null (a failed join); v9 tells
// a rejoining static leader to keep the current assignment.
// Protocol metadata is a view into the frame: it is copied before the coordinator keeps it.
import { ErrorCode, LanesError } from '../errors.js';
import { groupMetadataBytesMax } from '../limits.js';
import { joinGroupApi } from '../protocol/messages/join_group.js';
import { askCoordinator } from './ask_coordinator.js';
import { defineHandler } from './handler.js';

export const joinGroup = defineHandler({
  api: joinGroupApi,
  handle(ctx, request) {
    return askCoordinator(
      ctx,
      (errorCode) => ({
        throttleTimeMs: 0,
        errorCode,
        generationId: -1,
        protocolType: null,
        protocolName: ctx.apiVersion >= 7 ? null : '',
        leader: '',
        skipAssignment: false,
        memberId: request.memberId,
        members: [],
      }),
      (groups) => {
        let metadataBytes = 0;
        for (const protocol of request.protocols) metadataBytes += protocol.metadata.length;
        if (metadataBytes > groupMetadataBytesMax) {
          const message = `JoinGroup for group ${request.groupId} carries ${metadataBytes} bytes of protocol metadata, more than ${groupMetadataBytesMax}`;
          ctx.warn?.(message);
          throw new LanesError(ErrorCode.INVALID_REQUEST, message);
        }
        const join = {
          groupId: request.groupId,
          memberId: request.memberId,
          groupInstanceId: request.groupInstanceId,
          sessionTimeoutMs: request.sessionTimeoutMs,
          rebalanceTimeoutMs: ctx.apiVersion === 0 ? request.sessionTimeoutMs : request.rebalanceTimeoutMs,
          protocolType: request.protocolType,
          protocols: request.protocols.map((protocol) => ({ name: protocol.name, metadata: protocol.metadata.slice() })),
          clientId: ctx.clientId ?? '',
          clientHost: ctx.clientHost,
          requireKnownMemberId: ctx.apiVersion >= 4,
          reason: request.reason,
        };
        // The join may wait a rebalance timeout for the other members: not on the request budget.
        ctx.requestBytesCopied?.();
        return groups.joinGroup(join);
      },
      (response) => ({
        throttleTimeMs: 0,
        errorCode: response.errorCode,
        generationId: response.generationId,
        protocolType: response.protocolType,
        // Null only from v7, where Kafka made the name nullable.
        protocolName: ctx.apiVersion >= 7 ? response.protocolName : (response.protocolName ?? ''),
        leader: response.leader,
        skipAssignment: response.skipAssignment,
        memberId: response.memberId,
        members: response.members.map((member) => ({ memberId: member.memberId, groupInstanceId: member.groupInstanceId, metadata: member.metadata })),
      }),
    );
  },
});
