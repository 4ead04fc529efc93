// How many batch bytes one FetchResult may carry through a reply ring: a ring record holds at
// most half the ring, minus the record and envelope headers.
import { fetchResultHeaderBytes } from '../envelope.js';
import { ringPayloadBytesMax } from '../ring/ring_layout.js';

export function fetchTransferBytesMax(ringBytes: number): number {
  return ringPayloadBytesMax(ringBytes) - fetchResultHeaderBytes;
}
