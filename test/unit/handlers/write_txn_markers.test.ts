// WriteTxnMarkers: every marker's partitions are asked of the broker in one call, and each
// partition's code comes back under its own topic and index, in request order.
import { describe, expect, it } from 'vitest';
import { writeTxnMarkers } from '../../../core/handlers/write_txn_markers.js';
import { context, FakeBroker } from './fakes.js';

describe('WriteTxnMarkers', () => {
  it('passes each marker to the broker and answers per partition, in request order', async () => {
    const broker = new FakeBroker();
    await broker.createTopic('a', { partitions: 2 });
    const ctx = context({ broker, apiVersion: 1 });
    const response = await writeTxnMarkers.handle(ctx, {
      markers: [
        { producerId: 9, producerEpoch: 1, transactionResult: true, coordinatorEpoch: 2, transactionVersion: 0, topics: [{ name: 'a', partitionIndexes: [1, 0, 5] }, { name: 'b', partitionIndexes: [0] }] },
        { producerId: 10, producerEpoch: 0, transactionResult: false, coordinatorEpoch: 2, transactionVersion: 0, topics: [] },
      ],
    });
    expect(broker.markers).toEqual([
      { producerId: 9n, producerEpoch: 1, committed: true, coordinatorEpoch: 2, partitions: [{ topic: 'a', partition: 1 }, { topic: 'a', partition: 0 }, { topic: 'a', partition: 5 }, { topic: 'b', partition: 0 }] },
      { producerId: 10n, producerEpoch: 0, committed: false, coordinatorEpoch: 2, partitions: [] },
    ]);
    expect(response).toEqual({
      markers: [
        {
          producerId: 9,
          topics: [
            { name: 'a', partitions: [{ partitionIndex: 1, errorCode: 0 }, { partitionIndex: 0, errorCode: 0 }, { partitionIndex: 5, errorCode: 3 }] },
            { name: 'b', partitions: [{ partitionIndex: 0, errorCode: 3 }] },
          ],
        },
        { producerId: 10, topics: [] },
      ],
    });
  });
});
