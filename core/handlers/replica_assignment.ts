// Manual replica assignments (CreateTopics' `assignments`, CreatePartitions' `assignments`), as
// Kafka's controller checks them: each partition's replica list is non-empty, names each broker
// once, and names only registered brokers; here the one node, Lanes itself. Anything else is
// INVALID_REPLICA_ASSIGNMENT with Kafka's reason, so a client that names broker 10 learns that
// no such broker exists instead of getting a partition placed elsewhere.
import { ErrorCode, LanesError } from '../errors.js';

/** Throws INVALID_REPLICA_ASSIGNMENT unless every list is [nodeId] (in Kafka's terms). */
export function checkReplicaLists(brokerIdLists: readonly (readonly number[])[], nodeId: number, what: string): void {
  for (const brokerIds of brokerIdLists) {
    if (brokerIds.length === 0) throw new LanesError(ErrorCode.INVALID_REPLICA_ASSIGNMENT, `${what} includes an empty replica list`);
    if (new Set(brokerIds).size !== brokerIds.length) throw new LanesError(ErrorCode.INVALID_REPLICA_ASSIGNMENT, `${what} includes a replica list naming a broker twice`);
    const unknown = brokerIds.find((id) => id !== nodeId);
    if (unknown !== undefined) {
      throw new LanesError(ErrorCode.INVALID_REPLICA_ASSIGNMENT, `${what} includes broker ${unknown}, but no such broker is registered (this node is ${nodeId})`);
    }
  }
}
