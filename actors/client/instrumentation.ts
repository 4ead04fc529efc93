// KafkaJS's instrumentation events, for the producer, the consumer and the admin: their names
// (`producer.events.REQUEST` is 'producer.network.request', as KafkaJS), one emitter per client,
// and the request events each client's broker calls produce.
//
// Requests mean what they mean in KafkaJS over the wire: one REQUEST per response read off a
// connection (size: the response frame's bytes), REQUEST_TIMEOUT when none came within
// `requestTimeout`, REQUEST_QUEUE_SIZE with the requests sent on one connection and not yet
// answered (Lanes writes a request at once, so they wait at the broker, which handles a
// connection's requests in order; KafkaJS counts those its own queue holds back).
// In-process (`lanes.kafka()`) a request is one call of the client to the Broker: `broker` is
// 'in-process', `apiName`/`apiKey` the Kafka API the call stands for, `apiVersion` -1 and `size`
// 0 (nothing is encoded), `duration` the call's time (a Fetch's includes its long poll, as over
// the wire); REQUEST_QUEUE_SIZE counts the client's calls in progress; a call has no timeout, so
// REQUEST_TIMEOUT never comes.

import { EventEmitter } from 'node:events';
import { ApiKey, type ApiName } from '../../core/protocol/api_keys.js';
import type { Logger } from '../logger.js';
import type { ObservedRequest, RequestObserver } from '../net/kafka_client.js';
import type { BrokerPort, TxnPortApi } from './broker_port.js';
import type { InstrumentationEvent, RemoveInstrumentationEventListener } from './types.js';

/** The request events of a client kind, KafkaJS's names: `<kind>.network.request`, …. */
function requestEventsOf<Kind extends string>(kind: Kind) {
  return {
    REQUEST: `${kind}.network.request`,
    REQUEST_TIMEOUT: `${kind}.network.request_timeout`,
    REQUEST_QUEUE_SIZE: `${kind}.network.request_queue_size`,
  } as const;
}

export type RequestEventNames = ReturnType<typeof requestEventsOf<string>>;

/** KafkaJS's producer.events. */
export const producerEvents = { CONNECT: 'producer.connect', DISCONNECT: 'producer.disconnect', ...requestEventsOf('producer') } as const;
export type ProducerEventName = (typeof producerEvents)[keyof typeof producerEvents];

/** KafkaJS's admin.events. */
export const adminEvents = { CONNECT: 'admin.connect', DISCONNECT: 'admin.disconnect', ...requestEventsOf('admin') } as const;
export type AdminEventName = (typeof adminEvents)[keyof typeof adminEvents];

/** The consumer's request events (the rest of consumer.events is consumer_events.ts's). */
export const consumerRequestEvents = requestEventsOf('consumer');

/**
 * One client's events. A listener that throws (or rejects) is logged, never let through into the
 * client's own work, as KafkaJS does.
 */
export class InstrumentationEmitter<Name extends string> {
  readonly #emitter = new EventEmitter();
  readonly #names: ReadonlySet<string>;
  readonly #logger: Logger;
  #eventId = 0;

  constructor(names: Readonly<Record<string, Name>>, logger: Logger) {
    this.#names = new Set(Object.values(names));
    this.#logger = logger;
    this.#emitter.setMaxListeners(0);
  }

  on<T = unknown>(eventName: Name, listener: (event: InstrumentationEvent<T>) => void | Promise<void>): RemoveInstrumentationEventListener {
    if (!this.#names.has(eventName)) throw new RangeError(`unknown event ${String(eventName)}: one of ${[...this.#names].join(', ')}`);
    const wrapped = (event: InstrumentationEvent<T>) => {
      try {
        const result = listener(event);
        if (result instanceof Promise) result.catch((error: unknown) => this.#listenerFailed(error, eventName));
      } catch (error) {
        this.#listenerFailed(error, eventName);
      }
    };
    this.#emitter.on(eventName, wrapped);
    return () => this.#emitter.off(eventName, wrapped);
  }

  /** Whether anyone listens: payloads that cost something to build are built only then. */
  listened(type: Name): boolean {
    return this.#emitter.listenerCount(type) > 0;
  }

  emit(type: Name, payload: unknown): void {
    if (this.#emitter.listenerCount(type) === 0) return;
    const event: InstrumentationEvent<unknown> = { id: this.#eventId++, type, timestamp: Date.now(), payload };
    this.#emitter.emit(type, event);
  }

  /** The observer a client's port reports its requests to, as this client's request events. */
  requestObserver(names: { readonly [K in keyof RequestEventNames]: Name }): RequestObserver {
    return {
      listening: () => this.listened(names.REQUEST) || this.listened(names.REQUEST_TIMEOUT) || this.listened(names.REQUEST_QUEUE_SIZE),
      answered: (request) => this.emit(names.REQUEST, request),
      timedOut: (request) => this.emit(names.REQUEST_TIMEOUT, request),
      inFlight: (broker, clientId, count) => {
        if (this.listened(names.REQUEST_QUEUE_SIZE)) this.emit(names.REQUEST_QUEUE_SIZE, { broker, clientId, queueSize: count });
      },
    };
  }

  #listenerFailed(error: unknown, event: string): void {
    this.#logger.error({ err: error, event }, 'an instrumentation listener threw');
  }
}

/** The Kafka API each in-process port call stands for; calls not named here are not requests. */
const apiOfCall: Readonly<Record<string, ApiName>> = {
  partitionCounts: 'Metadata',
  partitionCount: 'Metadata',
  ensureTopic: 'Metadata',
  describeCluster: 'Metadata',
  createTopic: 'CreateTopics',
  deleteTopic: 'DeleteTopics',
  createPartitions: 'CreatePartitions',
  topicOffsets: 'ListOffsets',
  listOffset: 'ListOffsets',
  deleteRecords: 'DeleteRecords',
  describeConfigs: 'DescribeConfigs',
  alterConfigs: 'AlterConfigs',
  initProducerId: 'InitProducerId',
  produce: 'Produce',
  fetch: 'Fetch',
  listGroups: 'ListGroups',
  joinGroup: 'JoinGroup',
  syncGroup: 'SyncGroup',
  heartbeat: 'Heartbeat',
  leaveGroup: 'LeaveGroup',
  offsetCommit: 'OffsetCommit',
  offsetFetch: 'OffsetFetch',
  describeGroups: 'DescribeGroups',
  deleteGroups: 'DeleteGroups',
};

const apiOfTxnCall: Readonly<Record<keyof TxnPortApi, ApiName>> = {
  initTransactionalProducer: 'InitProducerId',
  addPartitionsToTxn: 'AddPartitionsToTxn',
  addOffsetsToTxn: 'AddOffsetsToTxn',
  txnOffsetCommit: 'TxnOffsetCommit',
  endTxn: 'EndTxn',
};

const inProcess = 'in-process';

/**
 * The in-process port as one client sees it: every call that stands for a Kafka request is
 * reported to `observer` when it settles (a refusal is the broker's answer too), with the
 * client's calls in progress before and after; while nobody listens, calls go straight through
 * (calls started then are not counted in progress).
 */
export function observedPort(port: BrokerPort, observer: RequestObserver, clientId: string): BrokerPort {
  let correlationId = 0;
  let inFlight = 0;
  const observe = (target: object, name: string, api: ApiName) => {
    const call = Reflect.get(target, name) as (...args: unknown[]) => Promise<unknown>;
    return (...args: unknown[]): Promise<unknown> => {
      if (!observer.listening()) return call.apply(target, args);
      const sentAt = Date.now();
      const request: ObservedRequest = { broker: inProcess, clientId, correlationId: correlationId++, apiName: api, apiKey: ApiKey[api], apiVersion: -1, createdAt: sentAt, sentAt, pendingDuration: 0 };
      inFlight++;
      observer.inFlight(inProcess, clientId, inFlight);
      const settled = () => {
        inFlight--;
        observer.answered({ ...request, size: 0, duration: Date.now() - sentAt });
        observer.inFlight(inProcess, clientId, inFlight);
      };
      const answer = call.apply(target, args);
      answer.then(settled, settled);
      return answer;
    };
  };
  const transactions = {} as Record<string, unknown>;
  for (const [name, api] of Object.entries(apiOfTxnCall)) transactions[name] = observe(port.transactions, name, api);
  const calls = new Map<PropertyKey, unknown>([['transactions', transactions]]);
  for (const [name, api] of Object.entries(apiOfCall)) calls.set(name, observe(port, name, api));
  return new Proxy(port, {
    get(target, property) {
      const observed = calls.get(property);
      if (observed !== undefined) return observed;
      const value: unknown = Reflect.get(target, property);
      return typeof value === 'function' ? value.bind(target) : value;
    },
  });
}
