// The bounded fuzz run of every `npm test`: ~20 s of mutated frames for every API and version the
// broker advertises, over TCP to `lanes start --storage disk` (the built CLI), with a good client
// producing and consuming beside it. A fresh seed each run, printed; LANES_SEED=<seed> replays it
// (the frames each fuzz connection sends depend only on the seed). The long run is
// `npm run fuzz -- --minutes 30`; RELIABILITY.md describes both.
import { randomInt } from 'node:crypto';
import { expect, it } from 'vitest';
import { logger } from '../../actors/logger.js';
import { runFuzz, type CrashReport } from './fuzz_run.js';

// The good client retries through the fuzzer's disturbances (a group rebalanced by fuzzed
// JoinGroups) and says so at warn; the test asserts on its outcome instead.
logger.level = 'error';
const seed = process.env.LANES_SEED ? Number(process.env.LANES_SEED) >>> 0 : randomInt(0, 2 ** 32);
const fuzzMs = 20_000;

function describeCrash(crash: CrashReport): string {
  return [
    `broker exited (${crash.exit}) ${crash.atMs} ms into seed ${crash.seed}${crash.known === null ? '' : ` [known: ${crash.known}]`}`,
    crash.stderrTail.slice(-1500),
    'last writes (oldest first):',
    ...crash.lastWrites.map((write) => `  connection ${write.connection}: ${write.labels.join(' | ')}\n    ${write.hex.length > 4000 ? `${write.hex.slice(0, 4000)}…` : write.hex}`),
  ].join('\n');
}

it(`the broker survives ${fuzzMs / 1000} s of fuzzed frames beside a good client, and keeps its data over kill -9 (seed ${seed})`, async () => {
  console.log(`fuzz seed ${seed} (replay: LANES_SEED=${seed} npx vitest run test/fuzz/fuzz.test.ts)`);
  const result = await runFuzz({ seed, durationMs: fuzzMs, stopOnCrash: true });
  console.log(
    `fuzz seed ${seed}: ${result.framesSent} frames in ${result.writes} writes (${result.mutatedFrames} mutated), ` +
      `${result.closedByBroker} closed by the broker, ${result.sentinelsAnswered} answered, ${result.abandoned} abandoned, ` +
      `skipped ${JSON.stringify(result.skipped)}, broker RSS ${result.rssMiB.min.toFixed(0)}–${result.rssMiB.max.toFixed(0)} MiB, ` +
      `good client ${result.good.acked} acked`,
  );
  expect(result.crashes.map(describeCrash)).toEqual([]);
  // A bug the broker survived (a partition taken offline, a request failed in its actor) is still
  // a bug: a value off the wire reached an assert.
  expect(result.survivedBugs.lines).toEqual([]);
  expect(result.good.errors).toEqual([]);
  expect(result.missingBeforeRestart).toEqual([]);
  expect(result.missingAfterRestart).toEqual([]);
  expect(result.finalExit).toBe(0);
  // Every request and response byte counted in the listener's budgets came back once the clients
  // left: a leak there (it once came from a bad frame size after good frames) stops the broker
  // reading from anyone when the budget is spent.
  expect(result.bytesHeldAfterClients).toEqual({ requests: 0, responses: 0 });
  expect(result.stoppedBy).toBeNull();
  // The run did what it claims: frames went out, malformed ones among them, and the good client
  // had records acknowledged and read back.
  expect(result.framesSent).toBeGreaterThan(0);
  expect(result.mutatedFrames).toBeGreaterThan(0);
  expect(result.good.acked).toBeGreaterThan(0);
}, 180_000);
