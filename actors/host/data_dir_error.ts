// A data directory the broker cannot use: not a directory, read-only, locked by another broker.
// The message is one line naming what is wrong and the path; `lanes start` prints it and exits 1.
export class DataDirError extends Error {
  override name = 'DataDirError';

  /** Turns a file system error on `dataDir` into a one-line reason. */
  static from(error: unknown, dataDir: string, doing: string): DataDirError {
    const code = (error as NodeJS.ErrnoException | undefined)?.code;
    const path = (error as NodeJS.ErrnoException | undefined)?.path ?? dataDir;
    const reason =
      code === 'EROFS' ? 'the file system is read-only'
      : code === 'EACCES' || code === 'EPERM' ? 'permission denied'
      : code === 'ENOTDIR' || code === 'EEXIST' ? 'a path component is not a directory'
      : code === 'ENOSPC' ? 'no space left on the device'
      : code === 'EMFILE' || code === 'ENFILE' ? 'out of file descriptors (raise ulimit -n)'
      : error instanceof Error ? error.message : String(error);
    return new DataDirError(`data dir ${dataDir}: ${doing} ${path}: ${reason}`, { cause: error });
  }
}
