// DescribeUserScramCredentials (KIP-554): each user's SCRAM mechanisms and iterations, never
// salts or keys. Users null: every user with a credential; a named user without one:
// RESOURCE_NOT_FOUND; a user named twice: DUPLICATE_RESOURCE, as Kafka answers.
import { ErrorCode } from '../errors.js';
import { describeUserScramCredentialsApi } from '../protocol/messages/describe_user_scram_credentials.js';
import { scramMechanismIds, type ScramMechanism } from '../security/scram.js';
import type { UserCredentials } from '../security/credentials.js';
import { AclOperation, mayOnCluster } from './authorize.js';
import { defineHandler } from './handler.js';

function infos(credentials: UserCredentials) {
  return [...credentials].map(([mechanism, credential]: [ScramMechanism, { iterations: number }]) => ({ mechanism: scramMechanismIds[mechanism], iterations: credential.iterations }));
}

export const describeUserScramCredentials = defineHandler({
  api: describeUserScramCredentialsApi,
  async handle(ctx, request) {
    // With an authorizer, describing users needs DESCRIBE on the cluster (Kafka's rule).
    if (!mayOnCluster(ctx, AclOperation.DESCRIBE)) {
      return { throttleTimeMs: 0, errorCode: ErrorCode.CLUSTER_AUTHORIZATION_FAILED, errorMessage: 'describing SCRAM credentials needs DESCRIBE on the cluster', results: [] };
    }
    const users = ctx.credentials?.users() ?? new Map<string, UserCredentials>();
    if (request.users === null) {
      const results = [...users].map(([user, credentials]) => ({ user, errorCode: ErrorCode.NONE, errorMessage: null, credentialInfos: infos(credentials) }));
      return { throttleTimeMs: 0, errorCode: ErrorCode.NONE, errorMessage: null, results };
    }
    const counts = new Map<string, number>();
    for (const { name } of request.users) counts.set(name, (counts.get(name) ?? 0) + 1);
    const results = [...counts].map(([user, count]) => {
      if (count > 1) return { user, errorCode: ErrorCode.DUPLICATE_RESOURCE, errorMessage: `Cannot describe SCRAM credentials for the same user twice in a single request: ${user}`, credentialInfos: [] };
      const credentials = users.get(user);
      if (credentials === undefined) return { user, errorCode: ErrorCode.RESOURCE_NOT_FOUND, errorMessage: `Attempt to describe a user credential that does not exist: ${user}`, credentialInfos: [] };
      return { user, errorCode: ErrorCode.NONE, errorMessage: null, credentialInfos: infos(credentials) };
    });
    return { throttleTimeMs: 0, errorCode: ErrorCode.NONE, errorMessage: null, results };
  },
});
