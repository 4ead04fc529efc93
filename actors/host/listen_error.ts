// A port `lanes start` cannot listen on, as one line naming the flag that chose it: the Kafka
// port (--port) or the admin port (--admin-port). `lanes start` prints it and exits 1.
export class ListenError extends Error {
  override name = 'ListenError';

  /** Turns a failed listen on host:port, chosen by `flag`, into a one-line reason. */
  static from(error: unknown, flag: '--port' | '--admin-port' | '--listener', host: string, port: number): ListenError {
    const code = (error as NodeJS.ErrnoException | undefined)?.code;
    const where = `${host}:${port}`;
    const reason =
      code === 'EADDRINUSE' ? `${flag} ${port}: ${where} is already in use (another broker or program listens there); stop it or choose another ${flag} (0 picks a free one)`
      : code === 'EACCES' || code === 'EPERM' ? `${flag} ${port}: permission denied to listen on ${where} (ports below 1024 need privileges); choose another ${flag}`
      : code === 'EADDRNOTAVAIL' || code === 'ENOTFOUND' || code === 'EAI_AGAIN' ? `${flag} ${port}: cannot listen on ${where}: no such local address (check ${flag === '--port' ? '--host' : flag === '--listener' ? 'the --listener host' : '--admin-host'})`
      : `${flag} ${port}: cannot listen on ${where}: ${error instanceof Error ? error.message : String(error)}`;
    return new ListenError(reason, { cause: error });
  }
}
