// WriteTxnMarkers: writes a transaction coordinator's COMMIT or ABORT markers to the partitions
// it names (the broker's writeTxnMarkers: each marker appended and durable per the flush policy
// before it is answered). Every partition answers its own code; a field out of range (a producer
// id beyond 2^53 or negative, a negative epoch) is INVALID_REQUEST for that marker's partitions.
// A marker for a producer with no open transaction in a partition is written and harmless, so a
// coordinator may retry after a crash (as Kafka).
import { writeTxnMarkersApi } from '../protocol/messages/write_txn_markers.js';
import { defineHandler } from './handler.js';

export const writeTxnMarkers = defineHandler({
  api: writeTxnMarkersApi,
  async handle(ctx, request) {
    const results = await ctx.broker.writeTxnMarkers(
      request.markers.map((marker) => ({
        // An int64 off the wire is an integral number; the broker refuses ids beyond 2^53.
        producerId: Number.isInteger(marker.producerId) ? BigInt(marker.producerId) : -1n,
        producerEpoch: marker.producerEpoch,
        committed: marker.transactionResult,
        coordinatorEpoch: marker.coordinatorEpoch,
        partitions: marker.topics.flatMap((topic) => topic.partitionIndexes.map((partition) => ({ topic: topic.name, partition }))),
      })),
    );
    return {
      markers: request.markers.map((marker, index) => {
        const partitions = results[index].partitions;
        let next = 0;
        return {
          producerId: marker.producerId,
          topics: marker.topics.map((topic) => ({
            name: topic.name,
            partitions: topic.partitionIndexes.map((partitionIndex) => ({ partitionIndex, errorCode: partitions[next++].errorCode })),
          })),
        };
      }),
    };
  },
});
