// AlterUserScramCredentials (KIP-554): per user, deletions then upserts, all of a user's changes
// or none. Checked as Kafka checks them: an unknown mechanism UNSUPPORTED_SASL_MECHANISM, a bad
// iteration count, empty salt or name UNACCEPTABLE_CREDENTIAL, a deletion of what does not exist
// RESOURCE_NOT_FOUND, the same user and mechanism twice DUPLICATE_RESOURCE. The salted password
// becomes the stored and server keys (core/security/scram.ts); it is not kept. New users beyond
// scramUsersMax, or with names beyond scramUserNameCharsMax, are UNACCEPTABLE_CREDENTIAL.
import { ErrorCode } from '../errors.js';
import { alterUserScramCredentialsApi } from '../protocol/messages/alter_user_scram_credentials.js';
import { scramUsersMax } from '../limits.js';
import { credentialProblem } from '../security/credentials.js';
import { scramCredential, scramMechanismById, type ScramCredential, type ScramMechanism } from '../security/scram.js';
import { AclOperation, mayOnCluster } from './authorize.js';
import { defineHandler } from './handler.js';

interface Refusal {
  errorCode: number;
  errorMessage: string;
}

export const alterUserScramCredentials = defineHandler({
  api: alterUserScramCredentialsApi,
  async handle(ctx, request) {
    const store = ctx.credentials;
    const users = [...new Set([...request.deletions.map((each) => each.name), ...request.upsertions.map((each) => each.name)])];
    if (store === undefined || store === null) {
      return { throttleTimeMs: 0, results: users.map((user) => ({ user, errorCode: ErrorCode.UNSUPPORTED_VERSION, errorMessage: 'this broker keeps no SCRAM credentials' })) };
    }
    // With an authorizer, altering users needs ALTER on the cluster (Kafka's rule).
    if (!mayOnCluster(ctx, AclOperation.ALTER)) {
      return { throttleTimeMs: 0, results: users.map((user) => ({ user, errorCode: ErrorCode.CLUSTER_AUTHORIZATION_FAILED, errorMessage: 'altering SCRAM credentials needs ALTER on the cluster' })) };
    }
    const refused = new Map<string, Refusal>();
    const refuse = (user: string, errorCode: number, errorMessage: string): void => {
      if (!refused.has(user)) refused.set(user, { errorCode, errorMessage });
    };
    const seen = new Set<string>();
    const deletions: { user: string; mechanism: ScramMechanism }[] = [];
    const upserts: { user: string; mechanism: ScramMechanism; credential: ScramCredential }[] = [];
    const existing = store.users();
    /** Users the upserts would add, counted against scramUsersMax. */
    const newUsers = new Set<string>();
    for (const { name, mechanism: id } of request.deletions) {
      const mechanism = scramMechanismById(id);
      if (name === '') refuse(name, ErrorCode.UNACCEPTABLE_CREDENTIAL, 'Username must not be empty');
      else if (mechanism === undefined) refuse(name, ErrorCode.UNSUPPORTED_SASL_MECHANISM, `Unknown SCRAM mechanism ${id}`);
      else if (seen.has(`${mechanism}:${name}`)) refuse(name, ErrorCode.DUPLICATE_RESOURCE, `A user credential cannot be altered twice in the same request: ${name}`);
      else if (existing.get(name)?.has(mechanism) !== true) refuse(name, ErrorCode.RESOURCE_NOT_FOUND, `Attempt to delete a user credential that does not exist: ${name}`);
      else {
        seen.add(`${mechanism}:${name}`);
        deletions.push({ user: name, mechanism });
      }
    }
    for (const { name, mechanism: id, iterations, salt, saltedPassword } of request.upsertions) {
      const mechanism = scramMechanismById(id);
      if (mechanism === undefined) {
        refuse(name, ErrorCode.UNSUPPORTED_SASL_MECHANISM, `Unknown SCRAM mechanism ${id}`);
        continue;
      }
      const problem = credentialProblem(name, mechanism, iterations, salt, saltedPassword);
      if (problem !== null) refuse(name, ErrorCode.UNACCEPTABLE_CREDENTIAL, problem);
      else if (seen.has(`${mechanism}:${name}`)) refuse(name, ErrorCode.DUPLICATE_RESOURCE, `A user credential cannot be altered twice in the same request: ${name}`);
      else if (!existing.has(name) && existing.size + newUsers.size >= scramUsersMax && !newUsers.has(name)) refuse(name, ErrorCode.UNACCEPTABLE_CREDENTIAL, `This broker keeps at most ${scramUsersMax} SCRAM users`);
      else {
        seen.add(`${mechanism}:${name}`);
        if (!existing.has(name)) newUsers.add(name);
        upserts.push({ user: name, mechanism, credential: scramCredential(mechanism, saltedPassword, salt, iterations) });
      }
    }
    await store.alter(
      deletions.filter((each) => !refused.has(each.user)),
      upserts.filter((each) => !refused.has(each.user)),
    );
    return {
      throttleTimeMs: 0,
      results: users.map((user) => ({ user, errorCode: refused.get(user)?.errorCode ?? ErrorCode.NONE, errorMessage: refused.get(user)?.errorMessage ?? null })),
    };
  },
});
