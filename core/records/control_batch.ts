// Transaction markers: the control batches a transaction coordinator has written to every
// partition of a transaction when it commits or aborts (Kafka's EndTransactionMarker).
//
//   batch     attributes transactional | control, the producer's id and epoch, base sequence −1,
//             exactly one record
//   key       int16 version (0), int16 type (0 ABORT, 1 COMMIT)          Kafka's ControlRecordType
//   value     int16 version (0), int32 coordinatorEpoch                  Kafka's EndTransactionMarker
//
// The broker builds markers itself (WriteTxnMarkers, Broker.writeTxnMarkers); a client may never
// produce one. `readMarker` checks every field it uses, since the bytes it reads may come from a
// log on disk or a caller other than the broker.

import { ErrorCode, LanesError } from '../errors.js';
import { encodeRecordBatch } from './batch_builder.js';
import { attributeControl, attributeTransactional, BatchField, readInt16, readInt32, readInt64 } from './record_batch.js';
import { decodeRecordBatch } from './record_reader.js';

export const ControlRecordType = { abort: 0, commit: 1 } as const;

/** The fields of one transaction marker. */
export interface TxnMarker {
  producerId: number;
  producerEpoch: number;
  committed: boolean;
  coordinatorEpoch: number;
}

const markerKeyBytes = 4;
const markerValueBytes = 6;

/** One control batch holding the marker, timestamped `timestampMs`, ready to append. */
export function encodeMarkerBatch(marker: TxnMarker, timestampMs: number): Uint8Array {
  const key = new Uint8Array(markerKeyBytes);
  const keyView = new DataView(key.buffer);
  keyView.setInt16(0, 0);
  keyView.setInt16(2, marker.committed ? ControlRecordType.commit : ControlRecordType.abort);
  const value = new Uint8Array(markerValueBytes);
  const valueView = new DataView(value.buffer);
  valueView.setInt16(0, 0);
  valueView.setInt32(2, marker.coordinatorEpoch);
  return encodeRecordBatch([{ key, value, timestamp: timestampMs }], {
    producerId: marker.producerId,
    producerEpoch: marker.producerEpoch,
    baseSequence: -1,
    transactional: true,
    control: true,
  });
}

/** True when the batch at bytes[at, …) has the control attribute. Needs a whole header. */
export function isControlBatch(bytes: Uint8Array, at: number): boolean {
  return (readInt16(bytes, at + BatchField.attributes) & attributeControl) !== 0;
}

/** True when the batch at bytes[at, …) has the transactional attribute. Needs a whole header. */
export function isTransactionalBatch(bytes: Uint8Array, at: number): boolean {
  return (readInt16(bytes, at + BatchField.attributes) & attributeTransactional) !== 0;
}

/**
 * The marker in the control batch occupying bytes[at, at + length), which passed batch validation
 * (frame, CRC, record offsets). Throws INVALID_RECORD when it is not one well-formed marker.
 */
export function readMarker(bytes: Uint8Array, at: number, length: number): TxnMarker {
  const attributes = readInt16(bytes, at + BatchField.attributes);
  if ((attributes & attributeControl) === 0 || (attributes & attributeTransactional) === 0) {
    throw new LanesError(ErrorCode.INVALID_RECORD, 'a transaction marker must be a transactional control batch');
  }
  const producerId = readInt64(bytes, at + BatchField.producerId);
  const producerEpoch = readInt16(bytes, at + BatchField.producerEpoch);
  if (!Number.isSafeInteger(producerId) || producerId < 0 || producerEpoch < 0) {
    throw new LanesError(ErrorCode.INVALID_RECORD, `a transaction marker needs a producer id and epoch, got ${producerId} and ${producerEpoch}`);
  }
  if (readInt32(bytes, at + BatchField.recordCount) !== 1) throw new LanesError(ErrorCode.INVALID_RECORD, 'a transaction marker batch holds exactly one record');
  const [record] = decodeRecordBatch(bytes, at, length).records;
  const { key, value } = record;
  if (key === null || key.length < markerKeyBytes || value === null || value.length < markerValueBytes) {
    throw new LanesError(ErrorCode.INVALID_RECORD, 'a transaction marker needs a 4-byte key and a 6-byte value');
  }
  const keyVersion = readInt16(key, 0);
  const type = readInt16(key, 2);
  if (keyVersion < 0 || (type !== ControlRecordType.abort && type !== ControlRecordType.commit)) {
    throw new LanesError(ErrorCode.INVALID_RECORD, `control record version ${keyVersion} type ${type} is not a transaction marker`);
  }
  return { producerId, producerEpoch, committed: type === ControlRecordType.commit, coordinatorEpoch: readInt32(value, 2) };
}
