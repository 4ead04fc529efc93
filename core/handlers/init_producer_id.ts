// InitProducerId: gives an idempotent producer its producer id and epoch. The
// partitions then check each batch's (producer id, epoch, sequence) on append
// (core/log/producer_state.ts). A request naming a transactional id goes to that id's
// transaction coordinator (core/txn/), which keeps the id's producer id and epoch durably and
// bumps the epoch on every InitProducerId, fencing the previous producer.
//
// Producer ids must never be reissued while a log still holds batches of an earlier holder, or a
// new producer's first batches could be taken for the old one's retries. Kafka persists blocks of
// ids in its metadata log; Lanes derives them from the wall clock instead, so a restarted broker
// needs no state: ids are max(last + 1, nowMs × 1024). A restart issues ids above every id of the
// previous run as long as the clock did not step back past the previous run's last allocation and
// it allocated fewer than 1024 ids per millisecond on average (ids stay below 2^53 until 2248).
//
// Epoch bump (v3+, KIP-360): a producer that passes the id and epoch this broker gave it gets the
// same id with the epoch + 1 (a new id when the epoch would overflow), and restarts its sequences
// at 0. A retried bump (the epoch just below ours) gets the current epoch again; any other epoch
// of a known id is fenced. An id this process does not know (another run's, or a client's
// placeholder such as @platformatic/kafka's 0) gets a new id, as Kafka does for non-transactional
// producers.
import { assert } from '../assert.js';
import { ErrorCode } from '../errors.js';
import { rememberedProducersMax } from '../limits.js';
import { initProducerIdApi } from '../protocol/messages/init_producer_id.js';
import { askTxnCoordinator, fencedFor } from './ask_txn_coordinator.js';
import { AclOperation, mayOnCluster, mayOnTopic } from './authorize.js';
import { defineHandler } from './handler.js';


const idsPerMillisecond = 1024;
const epochMax = 0x7fff - 1;

export type ProducerIdGrant = { errorCode: 0; producerId: number; producerEpoch: number } | { errorCode: number; producerId: -1; producerEpoch: -1 };

export class ProducerIdAllocator {
  #lastId = -1;
  /** producer id → current epoch, in issue order (a Map iterates in insertion order). */
  readonly #epochs = new Map<number, number>();

  /** A new producer id with epoch 0; ids only grow, and start from the clock (see above). */
  allocate(nowMs: number): { producerId: number; producerEpoch: number } {
    const producerId = Math.max(this.#lastId + 1, Math.floor(nowMs) * idsPerMillisecond);
    assert(Number.isSafeInteger(producerId) && producerId > this.#lastId, `producer id ${producerId} after ${this.#lastId}`);
    this.#lastId = producerId;
    this.#remember(producerId, 0);
    return { producerId, producerEpoch: 0 };
  }

  /** InitProducerId for a producer that may pass its current id and epoch (−1, −1: none). */
  init(nowMs: number, producerId: number, producerEpoch: number, apiVersion: number): ProducerIdGrant {
    if (producerId < 0 && producerEpoch < 0) return { errorCode: ErrorCode.NONE, ...this.allocate(nowMs) };
    const current = this.#epochs.get(producerId);
    if (current === undefined) return { errorCode: ErrorCode.NONE, ...this.allocate(nowMs) };
    if (producerEpoch === current - 1) return { errorCode: ErrorCode.NONE, producerId, producerEpoch: current };
    if (producerEpoch !== current) {
      const errorCode = apiVersion >= 4 ? ErrorCode.PRODUCER_FENCED : ErrorCode.INVALID_PRODUCER_EPOCH // v4+ knows PRODUCER_FENCED;
      return { errorCode, producerId: -1, producerEpoch: -1 };
    }
    if (current >= epochMax) return { errorCode: ErrorCode.NONE, ...this.allocate(nowMs) };
    this.#remember(producerId, current + 1);
    return { errorCode: ErrorCode.NONE, producerId, producerEpoch: current + 1 };
  }

  #remember(producerId: number, epoch: number): void {
    this.#epochs.delete(producerId);
    this.#epochs.set(producerId, epoch);
    if (this.#epochs.size > rememberedProducersMax) this.#epochs.delete(this.#epochs.keys().next().value!);
  }
}

/** One allocator per process: every broker in it draws from the same increasing sequence. */
export const producerIds = new ProducerIdAllocator();

export function initProducerIdHandler(allocator: ProducerIdAllocator) {
  return defineHandler({
    api: initProducerIdApi,
    async handle(ctx, request) {
      if (request.transactionalId !== null) {
        const transactionalId = request.transactionalId;
        const refused = (errorCode: number) => ({ throttleTimeMs: 0, errorCode, producerId: -1, producerEpoch: -1 });
        return askTxnCoordinator(
          ctx,
          refused,
          (txns) => txns.initTransactionalProducer({ transactionalId, transactionTimeoutMs: request.transactionTimeoutMs, producerId: request.producerId, producerEpoch: request.producerEpoch }),
          (grant) => (grant.errorCode === ErrorCode.NONE ? { throttleTimeMs: 0, ...grant } : refused(fencedFor(grant.errorCode, ctx.apiVersion, 4))),
        );
      }
      // An idempotent producer needs IDEMPOTENT_WRITE on the cluster or WRITE on a topic (KIP-679;
      // Kafka asks of any topic name, Lanes of the topics that exist).
      if (ctx.acls != null && !mayOnCluster(ctx, AclOperation.IDEMPOTENT_WRITE) && !ctx.broker.listTopics().some((topic) => mayOnTopic(ctx, AclOperation.WRITE, topic.name))) {
        return { throttleTimeMs: 0, errorCode: ErrorCode.CLUSTER_AUTHORIZATION_FAILED, producerId: -1, producerEpoch: -1 };
      }
      const grant = allocator.init(ctx.clock.nowMs(), request.producerId, request.producerEpoch, ctx.apiVersion);
      return { throttleTimeMs: 0, ...grant };
    },
  });
}

export const initProducerId = initProducerIdHandler(producerIds);
