// `lanes user add|delete|list`: SCRAM users of the brokers' SASL listeners, over
// AlterUserScramCredentials and DescribeUserScramCredentials (KIP-554), as kafka-configs.sh
// --entity-type users does. The password is salted here (PBKDF2, a fresh random salt): the
// broker receives the salted password, never the password, and keeps only keys derived from it.
// The commands speak to --brokers as every client command does: a PLAINTEXT listener (e.g. one
// kept on 127.0.0.1 beside the SASL ones).
import { pbkdf2Sync, randomBytes } from 'node:crypto';
import { Command, InvalidArgumentError, Option } from 'commander';
import { ErrorCode } from '../../core/errors.js';
import { ApiKey } from '../../core/protocol/api_keys.js';
import { scramIterationsDefault, scramIterationsMax, scramIterationsMin } from '../../core/security/credentials.js';
import { scramHash, scramMechanismById, scramMechanismIds, scramMechanisms, type ScramMechanism } from '../../core/security/scram.js';
import { describeErrorCode } from '../net/kafka_client.js';
import { CliError } from './cli_error.js';
import { addConnectionOptions, formatTable, printJson, withCluster, writeOut, type ConnectionOptions } from './common.js';

interface AddOptions extends ConnectionOptions {
  password?: string;
  mechanism: ScramMechanism[];
  iterations: number;
}

interface DeleteOptions extends ConnectionOptions {
  mechanism: ScramMechanism[];
}

interface ListOptions extends ConnectionOptions {
  json?: boolean;
}

function mechanisms(value: string, previous: ScramMechanism[] | undefined): ScramMechanism[] {
  const name = value.toUpperCase();
  if (!(scramMechanisms as readonly string[]).includes(name)) throw new InvalidArgumentError(`expected ${scramMechanisms.join(' or ')}`);
  // The default (both) is replaced by the first value given.
  return [...(previous === defaultMechanisms ? [] : (previous ?? [])), name as ScramMechanism];
}

const defaultMechanisms: ScramMechanism[] = [...scramMechanisms];

function iterations(value: string): number {
  const parsed = Number(value);
  if (!Number.isInteger(parsed) || parsed < scramIterationsMin || parsed > scramIterationsMax) throw new InvalidArgumentError(`expected ${scramIterationsMin} to ${scramIterationsMax}`);
  return parsed;
}

function resultsOrThrow(action: string, results: readonly { user: string; errorCode: number; errorMessage: string | null }[]): void {
  for (const result of results) {
    if (result.errorCode !== ErrorCode.NONE) throw new CliError(`${action} ${result.user}: ${result.errorMessage ?? describeErrorCode(result.errorCode)}`);
  }
}

export function registerUserCommands(program: Command): void {
  const user = program.command('user').description('SCRAM users of SASL listeners (PLAIN logins are checked against them too)');
  addConnectionOptions(
    user
      .command('add <name>')
      .description('add a user, or change its password')
      .addOption(new Option('--password <password>', 'the password (visible to other local users in the process list: prefer LANES_USER_PASSWORD)').env('LANES_USER_PASSWORD'))
      .addOption(new Option('--mechanism <mechanism>', `${scramMechanisms.join(' or ')} (repeatable; default both)`).argParser(mechanisms).default(defaultMechanisms))
      .addOption(new Option('--iterations <n>', `PBKDF2 iterations (${scramIterationsMin} to ${scramIterationsMax})`).argParser(iterations).default(scramIterationsDefault)),
  ).action((name: string, options: AddOptions) =>
    withCluster(options, async (cluster) => {
      if (options.password === undefined || options.password === '') throw new CliError('user add: give the password with --password or LANES_USER_PASSWORD');
      const password = options.password;
      const upsertions = options.mechanism.map((mechanism) => {
        const salt = randomBytes(32);
        const { name: hash, bytes } = scramHash(mechanism);
        return { name, mechanism: scramMechanismIds[mechanism], iterations: options.iterations, salt, saltedPassword: pbkdf2Sync(password, salt, options.iterations, bytes, hash) };
      });
      const response = await cluster.bootstrap.send(ApiKey.AlterUserScramCredentials, { deletions: [], upsertions });
      resultsOrThrow('user add', response.results);
      await writeOut(`user ${name}: ${options.mechanism.join(', ')} (${options.iterations} iterations)\n`);
    }),
  );
  addConnectionOptions(
    user
      .command('delete <name>')
      .alias('rm')
      .description("delete a user's credentials")
      .addOption(new Option('--mechanism <mechanism>', `${scramMechanisms.join(' or ')} (repeatable; default: every one the user has)`).argParser(mechanisms)),
  ).action((name: string, options: DeleteOptions) =>
    withCluster(options, async (cluster) => {
      let chosen = options.mechanism;
      if (chosen === undefined) {
        const described = await cluster.bootstrap.send(ApiKey.DescribeUserScramCredentials, { users: [{ name }] });
        resultsOrThrow('user delete', described.results);
        chosen = described.results.flatMap((result) => result.credentialInfos.map((info) => scramMechanismById(info.mechanism))).filter((each): each is ScramMechanism => each !== undefined);
      }
      const response = await cluster.bootstrap.send(ApiKey.AlterUserScramCredentials, { deletions: chosen.map((mechanism) => ({ name, mechanism: scramMechanismIds[mechanism] })), upsertions: [] });
      resultsOrThrow('user delete', response.results);
      await writeOut(`user ${name}: deleted ${chosen.join(', ')}\n`);
    }),
  );
  addConnectionOptions(user.command('list').alias('ls').description('list users and their SCRAM mechanisms (never passwords or keys)').option('--json', 'print JSON')).action((options: ListOptions) =>
    withCluster(options, async (cluster) => {
      const response = await cluster.bootstrap.send(ApiKey.DescribeUserScramCredentials, { users: null });
      if (response.errorCode !== ErrorCode.NONE) throw new CliError(`user list: ${response.errorMessage ?? describeErrorCode(response.errorCode)}`);
      const rows = response.results
        .map((result) => ({ user: result.user, credentials: result.credentialInfos.map((info) => ({ mechanism: scramMechanismById(info.mechanism) ?? `mechanism ${info.mechanism}`, iterations: info.iterations })) }))
        .sort((a, b) => (a.user < b.user ? -1 : a.user > b.user ? 1 : 0));
      if (options.json === true) return printJson(rows);
      await writeOut(`${formatTable(['USER', 'MECHANISMS'], rows.map((row) => [row.user, row.credentials.map((each) => `${each.mechanism} (${each.iterations})`).join(', ')]))}\n`);
    }),
  );
}
