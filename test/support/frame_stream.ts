// Size-prefixed frames as one byte stream, and that stream cut into chunks the way a socket might
// deliver it: for the frame splitter's tests on both sides of the wire.

/** `frames` each behind its int32 size, back to back. */
export function streamOf(frames: readonly Uint8Array[]): Uint8Array {
  const stream = new Uint8Array(frames.reduce((sum, frame) => sum + 4 + frame.length, 0));
  const view = new DataView(stream.buffer);
  let at = 0;
  for (const frame of frames) {
    view.setInt32(at, frame.length);
    stream.set(frame, at + 4);
    at += 4 + frame.length;
  }
  return stream;
}

/** `stream` cut at the points `cutSeeds` pick (each modulo its length), in order; views, no copy. */
export function cutAt(stream: Uint8Array, cutSeeds: readonly number[]): Uint8Array[] {
  const cuts = [...new Set(cutSeeds.map((seed) => (stream.length === 0 ? 0 : seed % stream.length)))].sort((a, b) => a - b);
  const chunks: Uint8Array[] = [];
  let start = 0;
  for (const cut of [...cuts, stream.length]) {
    chunks.push(stream.subarray(start, cut));
    start = cut;
  }
  return chunks;
}
