// The CLI's one-line errors: bad arguments or input, and failures a user can act on. common.ts
// prints them (and actors/net/cluster.ts's ClusterError) without a stack and exits non-zero.

export class CliError extends Error {
  override name = 'CliError';
}
