// The real-time engine of `lanes lab`: the scenario run for real, on this machine, for its
// duration. A broker in this process (memory storage, or disk in a temporary directory when the
// timeline restarts it) with its Kafka listener on a free loopback port; producers here at the
// scenario's rates with its key distributions; the group members spread over a few member host
// threads (member_host.ts, at most labRealMemberThreadsMax), each member the Lanes client over the
// Kafka protocol with sockets of its own; the timeline applied as it happens (kill: the member's
// sockets closed at once, no LeaveGroup, nothing more from it; leave: the consumer disconnects; slow;
// partitions added through the broker; broker restart: stopped, then started on the same port
// and data). Every `sampleEveryMs` the log ends and committed offsets go to core/lab's
// LabRecorder, with what the members report, so the report reads as the virtual engine's.
//
// One machine cannot hold a 1M events/s design in real time: every rate (produce and process)
// is multiplied by `scale` (at most labRealRecordsPerSecMax records/s produced in all), so the
// shape of the run (who keeps up, how the backlog grows, what a crash costs) is kept and the
// counts are those of the scaled run. The report says the scale.
//
// Nor can it spend an hour on an hour-long design: with `timeScale` K the engine runs the scenario
// compressed K times (core/lab/time_scale.ts: times ÷ K, rates × K, then the scale above) and
// records at compressed time × K, so the report's times are the scenario's and lines up with the
// virtual engine's; its counts are × scale of the scenario's.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { LabRecorder } from '../../core/lab/recorder.js';
import { partitionName, type LabReport } from '../../core/lab/report.js';
import type { GroupSpec, Scenario, TimelineEvent } from '../../core/lab/scenario.js';
import { Kafka } from '../client/lanes.js';
import type { Producer } from '../client/producer.js';
import { Partitioners } from '../client/partitioners.js';
import { kafkaLogLevel } from '../log_lines.js';
import { startServer, type RunningServer } from '../host/cli.js';
import { IntervalSet } from './interval_set.js';
import { keySequence } from './key_sequence.js';
import { labRealMemberThreadsMax, labRealRecordsPerSecMax, labRealSampleEveryMsMin } from '../../core/limits.js';
import { compressTime, realRunNote } from '../../core/lab/time_scale.js';
import type { MemberMessage, MemberSettings } from './member_protocol.js';
import { MemberHosts } from './member_hosts.js';
import type { DescribedConsumerMember } from '../../core/group/group_api.js';

/** A record's bytes in a fetched batch beside its value (offset, timestamp, key, lengths): to size fetches. */
const recordOverheadBytes = 70;

/** The largest records produced to any of the group's topics. */
function recordBytes(group: GroupSpec, scenario: Scenario): number {
  return Math.max(1, ...scenario.producers.filter((producer) => group.topics.includes(producer.topic)).map((producer) => producer.recordBytes));
}

/**
 * segment.bytes of the run's topics: a memory segment takes its room up front, and a scaled run
 * writes a few MB per partition at most, so small segments let 1m-events' 128 partitions fit the
 * broker's memory (at the default size they do not).
 */
const labSegmentBytes = 2 * 1024 * 1024;

/** How often the producers top up to their schedule. */
const produceTickMs = 20;
/** At the end, how long members get to leave cleanly before their threads are stopped. */
const leaveGraceMs = 10_000;

/** A bound raced against the real outcome: its timer must not keep the process alive once the run is over. */
const unrefSleep = (ms: number) => sleep(ms, undefined, { ref: false });

export interface RealRunOptions {
  scenario: Scenario;
  seed: number;
  /** Rates × scale; default: 1, or less so that at most labRealRecordsPerSecMax are produced per second. */
  scale?: number;
  /** Play the scenario this many times faster (1..labRealTimeScaleMax; default 1); `scale` then applies to the compressed rates. */
  timeScale?: number;
  /** Serve the dashboard on this admin port while the run lasts (0: a free one). */
  adminPort?: number;
  /** Told the admin URL once the broker is up. */
  onAdmin?: (url: string) => void;
  /** Threads the members are spread over, at most; default labRealMemberThreadsMax (a thread starts with its first member). */
  memberThreads?: number;
  /** Called about every sample with the run's time. */
  onProgress?: (atMs: number) => void;
  /**
   * After the run: let the producers finish the scenario's record count and wait up to this long
   * for every group to commit up to the log end, before the members leave (unrecorded; the final
   * offsets then show where each record went and that the group got through it). Default 0.
   */
  drainMs?: number;
}

export type RealReport = LabReport & {
  /** Rates × this: the report's counts are × scale of the scenario's. */
  readonly scale: number;
  /** The run played the scenario this many times faster; the report's times are the scenario's. */
  readonly timeScale: number;
  /** How the report's times and counts relate to the scenario's (absent when they are the scenario's). */
  readonly note?: string;
  /** After the members left: each group's committed offset per "topic-partition", and each partition's log end. */
  readonly finalCommitted: Record<string, Record<string, number>>;
  readonly finalLogEnd: Record<string, number>;
  /** Timeline events that failed to apply and members whose thread failed (one line each); empty when none did. */
  readonly failures: string[];
};

/** The default scale: 1 if the scenario's produce rate fits labRealRecordsPerSecMax, else the fraction that does. */
export function realScale(scenario: Scenario): number {
  const total = scenario.producers.reduce((sum, producer) => sum + producer.ratePerSec, 0);
  return total <= labRealRecordsPerSecMax ? 1 : labRealRecordsPerSecMax / total;
}

interface LiveMember {
  readonly group: GroupSpec;
  readonly name: string;
  /** "group/member": how the engine and its host thread name it. */
  readonly key: string;
  owned: string[];
  processed: number;
  /** Reported its ownership since the group's open rebalance started. */
  reported: boolean;
  /** Told to start (connect and join): at the run's start, or at its `join` event. */
  joined: boolean;
  gone: boolean;
  ready: Promise<void>;
  left: Promise<void>;
}

const noteOf = (scale: number, timeScale: number) => {
  const note = realRunNote(scale, timeScale);
  return note === undefined ? {} : { note };
};

/** Consumer-protocol (KIP-848) timeouts are the broker's: the shortest any such group asks for, else the broker's defaults. */
function consumerProtocolTimeouts(scenario: Scenario): { consumerSessionTimeoutMs?: number; consumerHeartbeatIntervalMs?: number } {
  const groups = scenario.groups.filter((group) => group.protocol === 'consumer');
  if (groups.length === 0) return {};
  return {
    consumerSessionTimeoutMs: Math.min(...groups.map((group) => group.sessionTimeoutMs)),
    consumerHeartbeatIntervalMs: Math.min(...groups.map((group) => group.heartbeatIntervalMs)),
  };
}

export async function runReal(options: RealRunOptions): Promise<RealReport> {
  const timeScale = options.timeScale ?? 1;
  // `scenario` is what runs (compressed); the recorder is told the original's times.
  const scenario = compressTime(options.scenario, timeScale);
  const scale = options.scale ?? realScale(scenario);
  const sampleEveryMs = Math.max(scenario.sampleEveryMs, labRealSampleEveryMsMin);
  const restarts = scenario.timeline.some((event) => event.event === 'broker-restart');
  const dataDir = restarts ? mkdtempSync(join(tmpdir(), 'lanes-lab-')) : join(tmpdir(), 'lanes-lab-unused');
  const serverOptions = {
    storage: restarts ? ('disk' as const) : ('memory' as const),
    dataDir,
    host: '127.0.0.1',
    port: 0,
    autoCreateTopics: false,
    partitions: 1,
    shards: 1,
    adminPort: options.adminPort,
    groups: {
      initialRebalanceDelayMs: scenario.broker.initialRebalanceDelayMs,
      sessionTimeoutMsMin: scenario.broker.groupMinSessionTimeoutMs,
      ...consumerProtocolTimeouts(scenario),
    },
  };
  let server: RunningServer = await startServer(serverOptions);
  const port = server.listener.port;
  const brokers = [`127.0.0.1:${port}`];
  if (server.admin !== null) options.onAdmin?.(server.admin.url);
  const members = new Map<string, LiveMember>();
  const processedRanges = new Map<string, Map<string, IntervalSet>>();
  const recorder = new LabRecorder({ ...options.scenario, sampleEveryMs: sampleEveryMs * timeScale }, 'real', options.seed, new Date().toISOString());
  const openRebalances = new Set<string>();
  const timers: NodeJS.Timeout[] = [];
  let recording = true;
  /** Timeline events that could not be applied, members whose thread failed: the run goes on, the caller is told at the end. */
  const failures: string[] = [];
  let brokerDown: Promise<void> | null = null;
  let startedAt = performance.now();
  /** The run's time in the scenario's ms (compressed time × timeScale). */
  const now = () => Math.min(options.scenario.durationMs, Math.max(0, Math.round((performance.now() - startedAt) * timeScale)));
  const memberKey = (group: string, member: string) => `${group}/${member}`;

  for (const topic of scenario.topics) await server.broker.createTopic(topic.name, { partitions: topic.partitions, configs: { 'segment.bytes': String(labSegmentBytes) } });
  for (const group of scenario.groups) processedRanges.set(group.name, new Map());

  const groupPartitions = (group: GroupSpec): string[] =>
    group.topics.flatMap((topic) => (server.broker.topic(topic)?.partitions ?? []).map((_, index) => partitionName(topic, index)));

  function startRebalance(group: string, trigger: string): void {
    if (!recording) return;
    recorder.rebalanceStarted(now(), group, trigger);
    openRebalances.add(group);
    for (const member of members.values()) if (member.group.name === group) member.reported = false;
  }

  /**
   * Consumer-protocol groups (KIP-848): a member whose assignment does not change with a new group
   * epoch gets no callback and says nothing, so the coordinator is asked instead: the group epoch
   * the last rebalance ended at, and whether, at a later epoch, every member has reached its target.
   */
  /** The group's members that were told to start and were not killed or told to leave. */
  const liveMembers = (group: GroupSpec) => [...members.values()].filter((member) => member.group === group && member.joined && !member.gone);

  const settledEpoch = new Map<string, number>();
  const convergedEpoch = new Map<string, number>();
  const asking = new Set<string>();
  async function askCoordinator(group: GroupSpec): Promise<void> {
    if (asking.has(group.name) || brokerDown !== null || !openRebalances.has(group.name)) return;
    asking.add(group.name);
    const [described] = await server.broker.consumerGroupDescribe([group.name]).catch(() => [undefined]);
    asking.delete(group.name);
    if (described === undefined || described.errorCode !== 0) return;
    const sameAs = (a: DescribedConsumerMember['assignment'], b: DescribedConsumerMember['assignment']) => partitionNames(a).join() === partitionNames(b).join();
    // The members the coordinator has are the live ones (a joiner has arrived, a killed one expired),
    // by client id, which is the member's name.
    const live = liveMembers(group).map((member) => member.name).sort();
    const sameMembers = described.members.map((member) => member.clientId).sort().join() === live.join();
    const converged = sameMembers && described.assignmentEpoch === described.groupEpoch && described.members.every((member) => member.memberEpoch === described.groupEpoch && sameAs(member.assignment, member.targetAssignment));
    if (converged) convergedEpoch.set(group.name, described.groupEpoch);
    checkSettled(group, false);
  }
  const partitionNames = (assignment: DescribedConsumerMember['assignment']) => assignment.flatMap(({ topic, partitions }) => partitions.map((partition) => `${topic}-${partition}`)).sort();

  /**
   * A group's rebalance is over when each partition has exactly one owner by what the members
   * said, and every live member has said what it owns since it started; for a consumer-protocol
   * group, instead of the latter, the coordinator says every member reached its target at a group
   * epoch past the one the last rebalance ended at.
   */
  function checkSettled(group: GroupSpec, ask = true): void {
    if (!recording || !openRebalances.has(group.name)) return;
    const live = liveMembers(group);
    const owners = live.flatMap((member) => member.owned);
    const wanted = groupPartitions(group);
    if (owners.length !== wanted.length || new Set(owners).size !== owners.length || !wanted.every((name) => owners.includes(name))) return;
    if (group.protocol === 'consumer') {
      const converged = convergedEpoch.get(group.name) ?? -1;
      if (converged <= (settledEpoch.get(group.name) ?? 0)) {
        if (ask) void askCoordinator(group);
        return;
      }
      settledEpoch.set(group.name, converged);
    } else if (live.some((member) => !member.reported)) return;
    recorder.rebalanceEnded(now(), group.name);
    openRebalances.delete(group.name);
  }

  function onMessage(member: LiveMember, message: MemberMessage): void {
    if (message.type === 'owned') {
      const changed = message.partitions.length !== member.owned.length || message.partitions.some((name) => !member.owned.includes(name));
      member.owned = message.partitions;
      member.reported = true;
      if (!recording || member.gone) return;
      // Ownership changing with no rebalance open: the coordinator started one (an expired
      // session, a member past max.poll.interval.ms). A member saying again what it owns is not one.
      if (!openRebalances.has(member.group.name)) {
        if (!changed) return;
        startRebalance(member.group.name, `coordinator (${member.name} reassigned)`);
      }
      member.reported = true;
      recorder.owned(now(), member.group.name, member.name, member.owned);
      checkSettled(member.group);
    } else if (message.type === 'processed') {
      const ranges = processedRanges.get(member.group.name)!;
      let twice = 0;
      for (const [partition, from, to] of message.ranges) {
        let set = ranges.get(partition);
        if (set === undefined) ranges.set(partition, (set = new IntervalSet()));
        twice += set.add(from, to);
        member.processed += to - from;
      }
      if (twice > 0 && recording) recorder.processedTwice(member.group.name, twice);
    }
  }

  // Threads start as members are added, so a run with fewer members starts fewer.
  const hosts = new MemberHosts(
    options.memberThreads ?? labRealMemberThreadsMax,
    (key, message) => {
      const member = members.get(key);
      if (member !== undefined) onMessage(member, message);
    },
    // Reported with the run, whose figures then lack that member's work from here on.
    (key, error) => failures.push(`member ${key} at ${now()} ms: ${error.message}`),
  );

  /** Makes the member on its host thread; it connects when told to start (joinMember). */
  function addMember(group: GroupSpec, name: string): LiveMember {
    // Counts are × scale, so a poll is too: its processing then lasts what it does in the scenario.
    const pollRecords = Math.max(1, Math.round(group.maxPollRecords * scale));
    const settings: MemberSettings = {
      brokers,
      group: group.name,
      member: name,
      topics: group.topics,
      protocol: group.protocol,
      assignor: group.assignor,
      processing: group.processing,
      scale,
      maxPollRecords: pollRecords,
      fetchBytesPerPartition: pollRecords * (recordBytes(group, scenario) + recordOverheadBytes),
      maxPollIntervalMs: group.maxPollIntervalMs,
      sessionTimeoutMs: group.sessionTimeoutMs,
      heartbeatIntervalMs: group.heartbeatIntervalMs,
      commit: group.commit,
      autoCommitIntervalMs: group.autoCommitIntervalMs,
      seed: (options.seed * 1_000_003 + members.size) >>> 0,
    };
    const key = memberKey(group.name, name);
    const { ready, left } = hosts.add(key, settings);
    const member: LiveMember = { group, name, key, owned: [], processed: 0, reported: false, joined: false, gone: false, ready, left };
    members.set(key, member);
    return member;
  }

  function joinMember(member: LiveMember): void {
    member.joined = true;
    hosts.send({ type: 'start', key: member.key });
    if (recording) recorder.memberJoined(now(), member.group.name, member.name);
  }


  async function apply(event: TimelineEvent): Promise<void> {
    if (brokerDown !== null && event.event !== 'broker-restart') await brokerDown;
    const group = 'group' in event ? scenario.groups.find((g) => g.name === event.group) : undefined;
    const member = 'member' in event ? members.get(memberKey(event.group, event.member)) : undefined;
    switch (event.event) {
      case 'join':
        if (member === undefined || member.joined) return;
        startRebalance(event.group, `join ${event.member}`);
        joinMember(member);
        return;
      case 'kill':
        if (member === undefined || member.gone) return;
        startRebalance(event.group, `kill ${event.member}`);
        member.gone = true;
        if (recording) recorder.memberGone(now(), event.group, event.member);
        hosts.send({ type: 'kill', key: member.key });
        return;
      case 'leave':
        if (member === undefined || member.gone) return;
        startRebalance(event.group, `leave ${event.member}`);
        member.gone = true;
        if (recording) recorder.memberGone(now(), event.group, event.member);
        hosts.send({ type: 'leave', key: member.key });
        return;
      case 'slow':
        if (member !== undefined && !member.gone) hosts.send({ type: 'slow', key: member.key, factor: event.factor });
        return;
      case 'add-partitions':
        for (const g of scenario.groups) if (g.topics.includes(event.topic)) startRebalance(g.name, `add-partitions ${event.topic}`);
        await server.broker.createPartitions(event.topic, event.partitions);
        return;
      case 'broker-restart': {
        const down = (async () => {
          await server.stop();
          await sleep(event.downMs);
          server = await startServer({ ...serverOptions, port });
        })();
        brokerDown = down;
        await down;
        brokerDown = null;
        return;
      }
    }
  }

  // Producers: each tops up to floor(rate × scale × elapsed) records every tick, its keys in the
  // scenario's distribution (reproducible for the seed), in the producer's order. Keyless records
  // go round-robin, one partition each in turn, not sticky: a sticky batch (a tick's records, 100
  // at 5,000/s) would be seconds of a scaled-down member's processing where the design's batch
  // (~160 records at 10,000/s per member) is milliseconds, and a member handed two such batches in
  // one fetch round outlasts max.poll.interval.ms. Keyed records are placed by murmur2 either way.
  const kafka = new Kafka({ clientId: 'lanes-lab-producer', brokers, logLevel: kafkaLogLevel.NOTHING });
  const producers: Producer[] = [];
  for (let i = 0; i < scenario.producers.length; i++) {
    const producer = kafka.producer({ createPartitioner: Partitioners.DefaultPartitioner });
    await producer.connect();
    producers.push(producer);
  }
  const sent = scenario.producers.map(() => 0);
  const totals = scenario.producers.map((spec) => Math.floor((spec.ratePerSec * scale * scenario.durationMs) / 1_000));
  const keys = scenario.producers.map((spec, index) => keySequence(spec.keys, options.seed + index));
  const payloads = scenario.producers.map((spec) => Buffer.alloc(spec.recordBytes, 0x61));
  let producing = true;
  const produce = async () => {
    while (producing) {
      if (brokerDown !== null) await brokerDown;
      const elapsed = performance.now() - startedAt;
      await Promise.all(
        scenario.producers.map(async (spec, index) => {
          const due = Math.min(totals[index], Math.floor((spec.ratePerSec * scale * elapsed) / 1_000));
          const count = due - sent[index];
          if (count <= 0) return;
          const messages = Array.from({ length: count }, () => ({ key: keys[index](), value: payloads[index] }));
          sent[index] = due;
          try {
            await producers[index].send({ topic: spec.topic, acks: 1, messages });
          } catch {
            // The broker is restarting: these records were not acknowledged; they count as not produced.
            sent[index] -= count;
          }
        }),
      );
      if (sent.every((count, index) => count >= totals[index])) return;
      await sleep(produceTickMs);
    }
  };
  let produceLoop: Promise<void> = Promise.resolve();

  function logEnds(): Map<string, number> {
    const logEnd = new Map<string, number>();
    for (const topic of scenario.topics) {
      for (const partition of server.broker.describeTopic(topic.name)?.partitions ?? []) logEnd.set(partitionName(topic.name, partition.partition), partition.highWatermark);
    }
    return logEnd;
  }

  async function committedOf(group: string): Promise<Map<string, number>> {
    const answer = await server.broker.offsetFetch({ groupId: group, topics: null });
    const offsets = new Map<string, number>();
    for (const topic of answer.topics) {
      for (const partition of topic.partitions) if (partition.committedOffset >= 0) offsets.set(partitionName(topic.name, partition.partitionIndex), partition.committedOffset);
    }
    return offsets;
  }

  /** Reads the offsets, then records them at the time they were all read (events may have come meanwhile). */
  async function sample(): Promise<void> {
    if (brokerDown !== null) return;
    const logEnd = logEnds();
    const committed = new Map<string, Map<string, number>>();
    for (const group of scenario.groups) committed.set(group.name, await committedOf(group.name));
    const processed = new Map<string, number>();
    for (const member of members.values()) processed.set(memberKey(member.group.name, member.name), member.processed);
    if (recording) recorder.sample(now(), { logEnd, committed, processed });
  }

  /** Until `deadline`: the producers send the rest of their records, then every group catches up. */
  async function drain(deadline: number): Promise<void> {
    await Promise.race([produceLoop, unrefSleep(Math.max(0, deadline - performance.now()))]);
    while (performance.now() < deadline) {
      const ends = logEnds();
      let behind = false;
      for (const group of scenario.groups) {
        const committed = await committedOf(group.name);
        for (const name of groupPartitions(group)) if ((committed.get(name) ?? 0) < (ends.get(name) ?? 0)) behind = true;
      }
      if (!behind) return;
      await sleep(labRealSampleEveryMsMin);
    }
  }

  try {
    // Every member made first (joiners' too), so thread start-up is not part of the run.
    for (const group of scenario.groups) for (const name of group.members) addMember(group, name);
    for (const event of scenario.timeline) if (event.event === 'join') addMember(scenario.groups.find((g) => g.name === event.group)!, event.member);
    await Promise.all([...members.values()].map((member) => member.ready));
    startedAt = performance.now();
    for (const group of scenario.groups) {
      startRebalance(group.name, 'start');
      for (const name of group.members) joinMember(members.get(memberKey(group.name, name))!);
    }
    produceLoop = produce();
    for (const event of scenario.timeline) {
      const run = () => apply(event).catch((error: unknown) => failures.push(`${event.event} at ${event.atMs} ms: ${error instanceof Error ? error.message : String(error)}`));
      timers.push(setTimeout(run, Math.max(0, event.atMs - (performance.now() - startedAt))));
    }
    // Samples on the run's clock; a slow sample is not made up for, the next one is on time.
    for (let next = 0; next <= scenario.durationMs; next += sampleEveryMs) {
      const wait = next - (performance.now() - startedAt);
      if (wait > 0) await sleep(wait);
      await sample();
      for (const group of scenario.groups) checkSettled(group);
      options.onProgress?.(now());
    }
    // The run is over: nothing more reaches the recorder but the skipped records. The members
    // leave cleanly (what they hold is committed), then offsets committed that no member
    // processed are counted.
    recording = false;
    const drainMs = options.drainMs ?? 0;
    if (drainMs > 0) await drain(performance.now() + drainMs);
    producing = false;
    await produceLoop;
    const staying = [...members.values()].filter((member) => member.joined && !member.gone);
    for (const member of staying) hosts.send({ type: 'leave', key: member.key });
    await Promise.race([Promise.all(staying.map((member) => member.left)), unrefSleep(leaveGraceMs)]);
    for (const group of scenario.groups) {
      const skipped = await countSkipped(group);
      if (skipped > 0) recorder.skipped(group.name, skipped);
    }
    const finalCommitted: Record<string, Record<string, number>> = {};
    for (const group of scenario.groups) finalCommitted[group.name] = Object.fromEntries(await committedOf(group.name));
    return { ...recorder.finish(options.scenario.durationMs), scale, timeScale, ...noteOf(scale, timeScale), failures, finalCommitted, finalLogEnd: Object.fromEntries(logEnds()) };
  } finally {
    producing = false;
    for (const timer of timers) clearTimeout(timer);
    await hosts.terminate();
    await Promise.all(producers.map((producer) => producer.disconnect().catch(() => {})));
    await server.stop();
    if (restarts) rmSync(dataDir, { recursive: true, force: true });
  }

  async function countSkipped(group: GroupSpec): Promise<number> {
    let skipped = 0;
    const ranges = processedRanges.get(group.name)!;
    for (const [name, offset] of await committedOf(group.name)) skipped += (ranges.get(name) ?? new IntervalSet()).missingBelow(offset);
    return skipped;
  }
}
