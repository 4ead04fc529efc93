// Registers zstd (Kafka's codec 4) in the compression registry of the thread that imports this
// module: libzstd compiled to WebAssembly (@bokuweb/zstd-wasm, no native build, no download at
// install), under core's frame walker, which holds every decompression to the registry's bound
// (core/records/zstd.ts). The registry is per thread, so every module that compresses, validates
// or reads batches imports this one for its side effect; instantiating the WASM module is
// asynchronous, hence the top-level await (importers wait for it once, at load). The engine's
// WASM memory grows to the largest batch it has handled (at most the registry's bound plus the
// compressed bytes) and stays that size for the thread's life: WASM memory never shrinks.
//
// Why this package (measured by hand while choosing it; no bench in the repository repeats it):
// on 1 MiB of JSON-like records (level 3, a machine under load 27 on 2 cores, so relative figures only) it compressed at 17.8 MB/s and decompressed at 24.2 MB/s, beside
// node:zlib gzip's 10.9 / 20.3, zstd-codec's one-shot 19.1 / 23.7 (its streaming decoder, the
// one a bound needs, 8.3) and fzstd's pure-JS 10.5 (decode only, as zstddec); it has both
// directions, no dependencies, and installs as plain files. zstd-napi's native build from its
// bundled sources had not finished after 15 minutes on this machine (its prebuilt download fails).
import zstdWasm from '@bokuweb/zstd-wasm';
import { registerCodec } from '../core/records/compression.js';
import { zstdCodec } from '../core/records/zstd.js';

/** Kafka's compression.zstd.level default (librdkafka's too): libzstd's own default level. */
const zstdLevel = 3;

await zstdWasm.init();

registerCodec(
  zstdCodec({
    compress: (plain) => zstdWasm.compress(plain, zstdLevel),
    // The package sizes its output buffer from the frame's stated content size when there is one
    // (core has checked it against the bound), else from defaultHeapSize: the capacity core allows.
    decompressFrame: (frame, capacity) => zstdWasm.decompress(frame, { defaultHeapSize: capacity }),
  }),
);
