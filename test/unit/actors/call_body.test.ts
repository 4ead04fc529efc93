import { describe, expect, it } from 'vitest';
import { decodeCallBody, encodeCallBody } from '../../../actors/call_body.js';

describe('call bodies through a ring', () => {
  it('decoded byte arrays keep their contents after the ring slot is overwritten', () => {
    // A JoinGroup call as the host sends it: the protocol metadata travels as a Uint8Array.
    const metadata = new Uint8Array([0, 1, 0, 0, 0, 1, 0, 6, 111, 114, 100, 101, 114, 115]);
    const body = encodeCallBody({ method: 'joinGroup', args: [{ protocols: [{ name: 'range', metadata }] }] });
    const ring = new Uint8Array(new SharedArrayBuffer(1024));
    ring.set(body, 64);

    const call = decodeCallBody(ring.subarray(64, 64 + body.length)) as {
      args: [{ protocols: [{ metadata: Uint8Array }] }];
    };
    ring.fill(0xee); // the next records reuse the slot

    const decoded = call.args[0].protocols[0].metadata;
    expect(Array.from(decoded)).toEqual(Array.from(metadata));
    expect(decoded.buffer).not.toBe(ring.buffer);
  });
});
