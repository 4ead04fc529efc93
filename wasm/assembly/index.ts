// Entry of the AssemblyScript kernels. Every export takes raw pointers into the one shared
// WebAssembly.Memory; the host (wasm/loader.ts) owns the layout. No managed allocation here:
// see wasm/README.md for why.
export { crc32cInit, crc32c } from './crc32c';
