// comlink ships its Node adapter as an .mjs file without declarations; NodeNext needs this.
declare module 'comlink/dist/esm/node-adapter.mjs' {
  import type { Endpoint } from 'comlink';
  import type { MessagePort, Worker } from 'node:worker_threads';
  export default function nodeEndpoint(endpoint: Worker | MessagePort): Endpoint;
}
