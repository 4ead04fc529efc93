// Goal: a consumer never gets OFFSET_OUT_OF_RANGE for an offset the broker itself handed out.
// The host serves fetches from the shared partition directory, which the shard publishes at the
// end of its turn; but a full reply ring makes the shard publish the replies written so far
// mid-turn (the host must drain them), so a fetch answer carrying records appended in this turn
// could reach the client while the directory still showed the older high watermark, and the
// client's next fetch (at the end of those records) was answered OFFSET_OUT_OF_RANGE by the host
// (seen under a connection flood, which stalls the host and fills the ring).
// Method: the exact interleaving, with fake rings; and the reader against a lagging directory.
import { describe, expect, it } from 'vitest';
import { dataViewOf, EnvelopeKind, envelopeHeaderBytes, writeEnvelopeHeader, type EnvelopeHeader } from '../../../actors/envelope.js';
import { readShared } from '../../../actors/host/shared_log_reader.js';
import type { Actor } from '../../../actors/shard/actor.js';
import { PartitionDirectory } from '../../../actors/shard/partition_directory.js';
import { ShardRuntime } from '../../../actors/shard/shard_runtime.js';
import { ErrorCode, LanesError } from '../../../core/errors.js';

function envelope(actorId: number, correlationId: number): Uint8Array {
  const bytes = new Uint8Array(envelopeHeaderBytes);
  writeEnvelopeHeader(dataViewOf(bytes), EnvelopeKind.Call, actorId, correlationId);
  return bytes;
}

/**
 * Runs one shard turn over `envelopes` for an actor that appends (dirty directory) on
 * correlation id 1 and answers on every envelope; the reply ring is full from the reply after
 * the append on. Returns what became visible to the host, in order.
 */
async function turnWithFullRing(envelopes: Uint8Array[]): Promise<string[]> {
  const events: string[] = [];
  let ringFull = false;
  let wake: (() => void) | null = null;
  const requests = { read: () => envelopes.shift() ?? null, release: () => {}, hasData: () => envelopes.length > 0 };
  const replies = {
    reserve: (bytes: number) => (ringFull ? null : new Uint8Array(bytes)),
    waitForRoom: () => {
      events.push('replies visible (ring full)');
      ringFull = false;
    },
    publish: () => events.push('replies visible'),
  };
  const doorbell = { prepareSleep: () => {}, cancelSleep: () => {}, ring: () => wake?.(), waitAsync: () => new Promise<void>((resolve) => (wake = resolve)) };
  const runtime = new ShardRuntime({ shardId: 0, requests, replies, doorbell, clock: { nowMs: () => 0 }, envelopesPerTurn: 16, tickIntervalMs: 1000 } as never);
  let dirty = false;
  const publishDirectory = () => {
    if (!dirty) return;
    dirty = false;
    events.push('directory published');
  };
  const actor: Actor = {
    actorId: 7,
    receive(_bytes: Uint8Array, header: EnvelopeHeader) {
      if (header.correlationId === 1) {
        dirty = true;
        runtime.reply(4, () => {});
        ringFull = true;
      }
      runtime.reply(4, () => events.push(`answer ${header.correlationId} written`));
    },
    beforeRepliesVisible: publishDirectory,
    endTurn: publishDirectory,
    tick: () => {},
    close: async () => {},
  };
  runtime.add(actor);
  const loop = runtime.run();
  await runtime.stop(loop);
  return events;
}

describe('the directory never lags what the host can see', () => {
  it('is published before replies become visible mid-turn (reply ring full, later envelope)', async () => {
    const events = await turnWithFullRing([envelope(7, 1), envelope(7, 2)]);
    expect(events.indexOf('directory published')).toBeGreaterThanOrEqual(0);
    expect(events.indexOf('directory published')).toBeLessThan(events.indexOf('replies visible (ring full)'));
  });

  it('is published before replies become visible mid-turn (the appending envelope itself)', async () => {
    const events = await turnWithFullRing([envelope(7, 1)]);
    expect(events.indexOf('directory published')).toBeGreaterThanOrEqual(0);
    expect(events.indexOf('directory published')).toBeLessThan(events.indexOf('replies visible (ring full)'));
  });
});

describe('readShared with a lagging directory', () => {
  const buffer = new SharedArrayBuffer(PartitionDirectory.regionBytes(1));
  const directory = new PartitionDirectory(buffer, 0, 1);
  directory.publish(0, { highWatermark: 100, logStartOffset: 10, lastStableOffset: 100, lastAbortedOffset: -1, segments: [] });

  it('leaves an offset past the published high watermark to the shard instead of refusing it', () => {
    expect(readShared(directory, 0, 105, 1 << 20, buffer)).toBeNull();
  });

  it('still refuses an offset below the log start', () => {
    let refused: unknown;
    try {
      readShared(directory, 0, 5, 1 << 20, buffer);
    } catch (error) {
      refused = error;
    }
    expect(refused).toBeInstanceOf(LanesError);
    expect((refused as LanesError).errorCode).toBe(ErrorCode.OFFSET_OUT_OF_RANGE);
  });

  it('answers the high watermark itself with no batches', () => {
    expect(readShared(directory, 0, 100, 1 << 20, buffer)).toEqual({ batches: [], highWatermark: 100, logStartOffset: 10 });
  });
});
