// The broker and the transaction coordinator as a client with an authorizer sees them: a call on
// a resource the connection may not touch throws the API's authorization error (a LanesError),
// which each handler already answers per topic, partition or request in its API's own shape, as
// it answers any operating error. So the rules live here once, by the call that needs them, and
// not in forty handlers. Produce, Fetch and Metadata ask in their handlers (per topic, and
// Metadata hides what a client may not see); group calls are guarded in guarded_groups.ts.
import { ErrorCode, LanesError } from '../errors.js';
import type { BrokerFacade } from '../handlers/handler.js';
import type { TxnFacade } from '../txn/txn_calls.js';
import { AclOperation, ResourceType, clusterResourceName, type AclOperationCode, type ResourceTypeCode } from './acl.js';

/** May the connection do `operation` to this resource? */
export type MayOn = (operation: AclOperationCode, resourceType: ResourceTypeCode, name: string) => boolean;

const operationNames = new Map<number, string>(Object.entries(AclOperation).map(([name, code]) => [code, name]));

const refusalCode: Partial<Record<ResourceTypeCode, number>> = {
  [ResourceType.TOPIC]: ErrorCode.TOPIC_AUTHORIZATION_FAILED,
  [ResourceType.GROUP]: ErrorCode.GROUP_AUTHORIZATION_FAILED,
  [ResourceType.CLUSTER]: ErrorCode.CLUSTER_AUTHORIZATION_FAILED,
  [ResourceType.TRANSACTIONAL_ID]: ErrorCode.TRANSACTIONAL_ID_AUTHORIZATION_FAILED,
};

const typeNames: Partial<Record<ResourceTypeCode, string>> = {
  [ResourceType.TOPIC]: 'topic',
  [ResourceType.GROUP]: 'group',
  [ResourceType.CLUSTER]: 'cluster',
  [ResourceType.TRANSACTIONAL_ID]: 'transactional id',
};

/** The authorization error a refused call answers with, or null when `may` allows it. */
export function accessError(may: MayOn, operation: AclOperationCode, resourceType: ResourceTypeCode, name: string): LanesError | null {
  if (may(operation, resourceType, name)) return null;
  const what = resourceType === ResourceType.CLUSTER ? 'the cluster' : `${typeNames[resourceType] ?? 'resource'} ${JSON.stringify(name)}`;
  return new LanesError(refusalCode[resourceType] ?? ErrorCode.CLUSTER_AUTHORIZATION_FAILED, `not authorized to ${operationNames.get(operation) ?? operation} ${what}`);
}

/** Throws the authorization error unless `may` allows it. */
export function requireAccess(may: MayOn, operation: AclOperationCode, resourceType: ResourceTypeCode, name: string): void {
  const error = accessError(may, operation, resourceType, name);
  if (error !== null) throw error;
}

/**
 * A call over many ids (groups, transactional ids) with some refused: the allowed ids are asked of
 * `call` in one go (not at all when none is), and every id is answered in request order, by its
 * answer or by `refused(id)`.
 */
export async function answerAllowed<Answer>(
  ids: readonly string[],
  allowed: (id: string) => boolean,
  call: (ids: string[]) => Promise<readonly Answer[]>,
  idOf: (answer: Answer) => string,
  refused: (id: string) => Answer,
): Promise<Answer[]> {
  const asked = ids.filter(allowed);
  const byId = new Map((asked.length === 0 ? [] : await call(asked)).map((answer) => [idOf(answer), answer]));
  return ids.map((id) => byId.get(id) ?? refused(id));
}

/** Creating a topic: CREATE on the cluster or on the topic (Kafka's rule). */
function requireCreateTopic(may: MayOn, name: string): void {
  if (may(AclOperation.CREATE, ResourceType.CLUSTER, clusterResourceName)) return;
  requireAccess(may, AclOperation.CREATE, ResourceType.TOPIC, name);
}

export function guardedBroker(broker: BrokerFacade, may: MayOn): BrokerFacade {
  const topic = (operation: AclOperationCode, name: string) => requireAccess(may, operation, ResourceType.TOPIC, name);
  const cluster = (operation: AclOperationCode) => requireAccess(may, operation, ResourceType.CLUSTER, clusterResourceName);
  // Each guarded method checks first, then calls through; a refusal is a rejected promise, as the broker's own errors are.
  const guarded: Partial<BrokerFacade> = {
    createTopic: async (name, options) => (requireCreateTopic(may, name), broker.createTopic(name, options)),
    deleteTopic: async (name) => (topic(AclOperation.DELETE, name), broker.deleteTopic(name)),
    createPartitions: async (name, count) => (topic(AclOperation.ALTER, name), broker.createPartitions(name, count)),
    alterTopicConfigs: async (name, overrides) => (topic(AclOperation.ALTER_CONFIGS, name), broker.alterTopicConfigs(name, overrides)),
    offsetForTimestamp: async (name, partition, timestampMs) => (topic(AclOperation.DESCRIBE, name), broker.offsetForTimestamp(name, partition, timestampMs)),
    maxTimestampRecord: async (name, partition) => (topic(AclOperation.DESCRIBE, name), broker.maxTimestampRecord(name, partition)),
    deleteRecords: async (name, partition, offset) => (topic(AclOperation.DELETE, name), broker.deleteRecords(name, partition, offset)),
    activeProducers: async (name, partition) => (topic(AclOperation.READ, name), broker.activeProducers(name, partition)),
    describeLogDir: async () => (cluster(AclOperation.DESCRIBE), broker.describeLogDir()),
    writeTxnMarkers: async (markers) => (cluster(AclOperation.CLUSTER_ACTION), broker.writeTxnMarkers(markers)),
  };
  // Everything else (reads of the catalogue, produce, fetch) passes through, bound to the broker.
  return new Proxy(broker, {
    get(target, property, receiver) {
      const own = (guarded as Record<PropertyKey, unknown>)[property];
      if (own !== undefined) return own;
      const value = Reflect.get(target, property, receiver) as unknown;
      return typeof value === 'function' ? (value as (...args: unknown[]) => unknown).bind(target) : value;
    },
  });
}

export function guardedTxns(txns: TxnFacade, may: MayOn): TxnFacade {
  const writeId = (transactionalId: string) => requireAccess(may, AclOperation.WRITE, ResourceType.TRANSACTIONAL_ID, transactionalId);
  const readGroup = (groupId: string) => requireAccess(may, AclOperation.READ, ResourceType.GROUP, groupId);
  return {
    initTransactionalProducer: async (request) => (writeId(request.transactionalId), txns.initTransactionalProducer(request)),
    addPartitionsToTxn: async (request) => {
      writeId(request.transactionalId);
      for (const partition of request.partitions) requireAccess(may, AclOperation.WRITE, ResourceType.TOPIC, partition.topic);
      return txns.addPartitionsToTxn(request);
    },
    addOffsetsToTxn: async (request) => (writeId(request.transactionalId), readGroup(request.groupId), txns.addOffsetsToTxn(request)),
    txnOffsetCommit: async (request) => (writeId(request.transactionalId), readGroup(request.groupId), txns.txnOffsetCommit(request)),
    endTxn: async (request) => (writeId(request.transactionalId), txns.endTxn(request)),
    describeTransactions: (transactionalIds) =>
      answerAllowed(
        transactionalIds,
        (id) => may(AclOperation.DESCRIBE, ResourceType.TRANSACTIONAL_ID, id),
        (ids) => txns.describeTransactions(ids),
        (txn) => txn.transactionalId,
        (transactionalId) => ({
          transactionalId,
          errorCode: ErrorCode.TRANSACTIONAL_ID_AUTHORIZATION_FAILED,
          state: 'Dead',
          timeoutMs: 0,
          startMs: -1,
          producerId: -1,
          producerEpoch: -1,
          topics: [],
          groups: [],
          stagedOffsets: [],
        }),
      ),
    async listTransactions(request) {
      const listed = await txns.listTransactions(request);
      return { ...listed, transactions: listed.transactions.filter((txn) => may(AclOperation.DESCRIBE, ResourceType.TRANSACTIONAL_ID, txn.transactionalId)) };
    },
  };
}
