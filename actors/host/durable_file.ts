// A small file replaced whole and durably: written to a temporary beside it, fsynced, renamed
// over the old one, and the directory fsynced, so after a crash the file is either the old
// version or the new one, never a torn mix. For the broker's catalogues (topics.json, acls.json,
// scram_credentials.json), which change rarely and are read once at start.
import { closeSync, fsyncSync, openSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';

/** `mode`: the new file's permissions (0o600 for secrets); a leftover temporary is removed first, so it applies. */
export function replaceFileDurably(file: string, text: string, mode = 0o644): void {
  const temporary = `${file}.tmp`;
  rmSync(temporary, { force: true });
  writeFileSync(temporary, text, { mode });
  const fd = openSync(temporary, 'r+');
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  renameSync(temporary, file);
  // The rename is durable once the directory is.
  const dir = openSync(dirname(file), 'r');
  try {
    fsyncSync(dir);
  } finally {
    closeSync(dir);
  }
}
