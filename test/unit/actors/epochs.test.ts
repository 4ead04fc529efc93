import { describe, expect, it } from 'vitest';
import { EpochReader, EpochReclaimer, epochRegionBytes, initEpochs } from '../../../actors/epochs.js';

function setup() {
  const buffer = new SharedArrayBuffer(epochRegionBytes);
  initEpochs(buffer, 0);
  return { reader: new EpochReader(buffer, 0, 0), reclaimer: new EpochReclaimer<string>(buffer, 0) };
}

describe('epoch-based reclamation', () => {
  it('frees a retired block at once when no reader holds a pin', () => {
    const { reclaimer } = setup();
    reclaimer.retire('segment-1');
    const freed: string[] = [];
    expect(reclaimer.collect((item) => freed.push(item))).toBe(1);
    expect(freed).toEqual(['segment-1']);
  });

  it('keeps a block a reader may still see until that reader unpins', () => {
    const { reader, reclaimer } = setup();
    const pin = reader.pin(); // the reader looked at the directory before the unlink
    reclaimer.retire('segment-1');
    const freed: string[] = [];
    expect(reclaimer.collect((item) => freed.push(item))).toBe(0);
    reader.unpin(pin);
    expect(reclaimer.collect((item) => freed.push(item))).toBe(1);
    expect(freed).toEqual(['segment-1']);
  });

  it('does not wait for readers that pinned after the block was unlinked', () => {
    const { reader, reclaimer } = setup();
    reclaimer.retire('segment-1');
    const late = reader.pin();
    expect(reclaimer.collect(() => {})).toBe(1);
    reader.unpin(late);
  });

  it('holds back only what the oldest outstanding pin could see', () => {
    const { reader, reclaimer } = setup();
    const first = reader.pin();
    reclaimer.retire('a');
    const second = reader.pin();
    reclaimer.retire('b');
    reader.unpin(first);
    const freed: string[] = [];
    reclaimer.collect((item) => freed.push(item));
    expect(freed).toEqual(['a']); // 'b' was retired after `second` pinned: it may be in view
    reader.unpin(second);
    reclaimer.collect((item) => freed.push(item));
    expect(freed).toEqual(['a', 'b']);
    expect(reader.pinCount).toBe(0);
  });

  it('refuses to unpin what was never pinned', () => {
    const { reader } = setup();
    expect(() => reader.unpin(42)).toThrow(/not pinned/);
  });
});
