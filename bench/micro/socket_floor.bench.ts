// The floor a Node server pays per small request on this machine, before any broker work: a
// TCP server in a child process that answers every length-prefixed frame with a 60-byte frame
// (one socket write per response, corked when several arrive in one read, as the broker's
// connection does), and a client here keeping N requests of 170 bytes (a single-record Produce's
// size) in flight on one loopback connection, closed loop. Requests/s and the server's CPU per
// request bound what any Node broker can serve one connection at that depth: the broker's own
// work comes on top.
//
//   npm run build:ts && node dist/bench/micro/socket_floor.bench.js [--seconds 4] [--in-flight 1,5,32]
//
// Thread: the client on this process's event loop; the server in its own process (so its CPU is
// its own), forked from this same file with `--serve`.
import { fork } from 'node:child_process';
import { createConnection, createServer, type Socket } from 'node:net';
import { fileURLToPath } from 'node:url';
import { printMachineFacts } from '../support/machine.js';

const requestBytes = 170;
const responseBytes = 60;

/** Splits a byte stream into 4-byte-length-prefixed frames; calls `onFrames(count)` once per read. */
function frameCounter(onFrames: (count: number) => void): (chunk: Buffer) => void {
  let needed = 4;
  let header = true;
  let headerBytes = Buffer.alloc(0);
  return (chunk) => {
    let frames = 0;
    let at = 0;
    while (at < chunk.length) {
      const take = Math.min(needed, chunk.length - at);
      if (header) {
        headerBytes = Buffer.concat([headerBytes, chunk.subarray(at, at + take)]);
        needed -= take;
        if (needed === 0) {
          needed = headerBytes.readInt32BE(0);
          headerBytes = Buffer.alloc(0);
          header = false;
        }
      } else {
        needed -= take;
        if (needed === 0) {
          frames++;
          needed = 4;
          header = true;
        }
      }
      at += take;
    }
    if (frames > 0) onFrames(frames);
  };
}

function frame(bytes: number): Buffer {
  const buffer = Buffer.alloc(bytes);
  buffer.writeInt32BE(bytes - 4, 0);
  return buffer;
}

function serve(): void {
  const response = frame(responseBytes);
  const server = createServer((socket: Socket) => {
    socket.setNoDelay(true);
    // The client ends each step by destroying its connection.
    socket.on('error', () => {});
    socket.on(
      'data',
      frameCounter((count) => {
        if (count > 1) socket.cork();
        // A fresh buffer per response, as an encoder makes one.
        for (let i = 0; i < count; i++) socket.write(Buffer.from(response));
        if (count > 1) socket.uncork();
      }),
    );
  });
  server.listen(0, '127.0.0.1', () => process.send?.({ port: (server.address() as { port: number }).port }));
  process.on('message', (message: { cpu?: boolean }) => {
    if (message.cpu === true) {
      const usage = process.cpuUsage();
      process.send?.({ cpuUs: usage.user + usage.system });
    }
  });
}

async function measure(port: number, inFlight: number, seconds: number, serverCpuUs: () => Promise<number>): Promise<{ requestsPerSecond: number; cpuUsPerRequest: number }> {
  const socket = createConnection({ host: '127.0.0.1', port });
  socket.setNoDelay(true);
  await new Promise((resolve) => socket.once('connect', resolve));
  const request = frame(requestBytes);
  let answered = 0;
  let counting = false;
  socket.on(
    'data',
    frameCounter((count) => {
      if (counting) answered += count;
      for (let i = 0; i < count; i++) socket.write(request);
    }),
  );
  for (let i = 0; i < inFlight; i++) socket.write(request);
  await new Promise((resolve) => setTimeout(resolve, 500));
  counting = true;
  const cpuBefore = await serverCpuUs();
  const started = performance.now();
  await new Promise((resolve) => setTimeout(resolve, seconds * 1000));
  const elapsed = (performance.now() - started) / 1000;
  const counted = answered;
  const cpuAfter = await serverCpuUs();
  socket.destroy();
  return { requestsPerSecond: counted / elapsed, cpuUsPerRequest: (cpuAfter - cpuBefore) / counted };
}

async function main(): Promise<void> {
  const argument = (name: string, fallback: string) => {
    const index = process.argv.indexOf(name);
    return index >= 0 ? process.argv[index + 1] : fallback;
  };
  const seconds = Number(argument('--seconds', '4'));
  const steps = argument('--in-flight', '1,5,32').split(',').map(Number);
  printMachineFacts('socket floor: a Node TCP server answering 170-byte frames with 60-byte ones, one loopback connection, closed loop', `node dist/bench/micro/socket_floor.bench.js --seconds ${seconds} --in-flight ${steps.join(',')}`);
  const child = fork(fileURLToPath(import.meta.url), ['--serve']);
  const port = await new Promise<number>((resolve) => child.once('message', (message: { port: number }) => resolve(message.port)));
  const serverCpuUs = () =>
    new Promise<number>((resolve) => {
      child.once('message', (message: { cpuUs: number }) => resolve(message.cpuUs));
      child.send({ cpu: true });
    });
  console.log('| in flight | requests/s | server CPU µs/request |');
  console.log('|--:|--:|--:|');
  for (const inFlight of steps) {
    const result = await measure(port, inFlight, seconds, serverCpuUs);
    console.log(`| ${inFlight} | ${Math.round(result.requestsPerSecond).toLocaleString('en')} | ${result.cpuUsPerRequest.toFixed(1)} |`);
  }
  child.kill();
}

if (process.argv.includes('--serve')) serve();
else await main();
