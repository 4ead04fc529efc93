// Registers zstd (Kafka's codec 4) in the compression registry of the thread that imports this
// module: libzstd compiled to WebAssembly (@bokuweb/zstd-wasm, no native build, no download at
// install), under core's frame walker, which holds every decompression to the registry's bound
// (core/records/zstd.ts). The registry is per thread, so every module that compresses, validates
// or reads batches imports this one for its side effect.
//
// The package is loaded and its WASM module compiled and instantiated on the first zstd use in the
// thread, not at import: doing it at load (the package's asynchronous init, behind a top-level
// await) cost every shard thread, client and CLI start 60-76 ms, though most never see a zstd
// batch. The registry's codecs are synchronous, so the first use instantiates synchronously,
// through the Emscripten module's `instantiateWasm` hook (the package's own init reads the file
// and instantiates asynchronously, then runs the same runtime start-up). The engine's WASM memory
// grows to the largest batch it has handled (at most the registry's bound plus the compressed
// bytes) and stays that size for the thread's life: WASM memory never shrinks.
//
// Why this package (measured by hand while choosing it; no bench in the repository repeats it):
// on 1 MiB of JSON-like records (level 3, a machine under load 27 on 2 cores, so relative figures only) it compressed at 17.8 MB/s and decompressed at 24.2 MB/s, beside
// node:zlib gzip's 10.9 / 20.3, zstd-codec's one-shot 19.1 / 23.7 (its streaming decoder, the
// one a bound needs, 8.3) and fzstd's pure-JS 10.5 (decode only, as zstddec); it has both
// directions, no dependencies, and installs as plain files. zstd-napi's native build from its
// bundled sources had not finished after 15 minutes on this machine (its prebuilt download fails).
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import type * as ZstdWasm from '@bokuweb/zstd-wasm';
import { assert } from '../core/assert.js';
import { registerCodec } from '../core/records/compression.js';
import { zstdCodec } from '../core/records/zstd.js';

/** Kafka's compression.zstd.level default (librdkafka's too): libzstd's own default level. */
const zstdLevel = 3;

/** The package's Emscripten module object: the part of it the synchronous start-up uses. */
interface EmscriptenModule {
  instantiateWasm?: (imports: WebAssembly.Imports, receiveInstance: (instance: WebAssembly.Instance) => void) => WebAssembly.Exports;
  /** The package's start: instantiates (through instantiateWasm when set), then runs the runtime. */
  init(): unknown;
  /** Set once the runtime has started. */
  calledRun?: boolean;
}

/** The package, loaded and started on first use. */
let engine: typeof ZstdWasm | null = null;

/**
 * Loads the package and instantiates libzstd, on first use. The package exports only its
 * asynchronous init, so its module object is reached by file (module.js beside the package's
 * entry: the same instance the entry's compress and decompress use).
 */
function zstdWasm(): typeof ZstdWasm {
  if (engine !== null) return engine;
  const require = createRequire(import.meta.url);
  const entry = require.resolve('@bokuweb/zstd-wasm');
  const loaded = require(entry) as typeof ZstdWasm;
  const packageDir = dirname(entry);
  const { Module } = require(join(packageDir, 'module.js')) as { Module: EmscriptenModule };
  const bytes = readFileSync(join(packageDir, 'zstd.wasm'));
  Module.instantiateWasm = (imports, receiveInstance) => {
    const instance = new WebAssembly.Instance(new WebAssembly.Module(bytes), imports);
    receiveInstance(instance);
    return instance.exports;
  };
  Module.init();
  assert(Module.calledRun === true, 'libzstd started synchronously');
  engine = loaded;
  return engine;
}

registerCodec(
  zstdCodec({
    compress: (plain) => zstdWasm().compress(plain, zstdLevel),
    // The package sizes its output buffer from the frame's stated content size when there is one
    // (core has checked it against the bound), else from defaultHeapSize: the capacity core allows.
    decompressFrame: (frame, capacity) => zstdWasm().decompress(frame, { defaultHeapSize: capacity }),
  }),
);
