// How fast the fuzzer makes writes with no broker at all (`npx tsx test/fuzz/generator_rate.ts`):
// 10 s of FrameFactory.nextWrite(16) over every API version the codec has, plus the per-write
// work the run does (the skip-list check, and hexing, which the run now does only for a crash).
// If the long run's rate is far below this, the broker (or the sentinel waits) is the bottleneck.
import { FrameFactory } from './frames.js';
import { Prng } from '../support/prng.js';
import { apiDefinitions } from '../../core/protocol/messages/registry.js';
import { concatChunks } from '../../core/protocol/writer.js';
import { knownCrashIn } from './skip_list.js';
const versions: { apiKey: number; version: number; name: string }[] = [];
for (const api of apiDefinitions) {
  for (let v = api.versionMin; v <= api.versionMax; v++) versions.push({ apiKey: api.key, version: v, name: api.name });
}
const factory = new FrameFactory(new Prng(210765805), versions, 0.7);
let frames = 0, bytes = 0; const t0 = performance.now(); let hexMs = 0;
while (performance.now() - t0 < 10_000) {
  const w = factory.nextWrite(16); frames += w.length;
  const write = concatChunks(w.map((f) => f.bytes)); bytes += write.length;
  const h0 = performance.now(); Buffer.from(write).toString('hex'); knownCrashIn(write); hexMs += performance.now() - h0;
}
const s = (performance.now() - t0) / 1000;
console.log(`${frames} frames in ${s.toFixed(1)} s = ${(frames / s).toFixed(0)}/s, ${(bytes / frames / 1024).toFixed(1)} KiB/frame, hex+skip ${hexMs.toFixed(0)} ms`);
