// CPU time another process has used so far (user + system, all its threads), read from Linux's
// /proc/<pid>/stat: lets a load generator report the broker's CPU cost per request beside its
// rate. On a machine shared with other work the rate and tail scatter with the neighbours' load;
// CPU per request scatters much less, so it shows what a change costs even on a busy machine.
import { readFileSync } from 'node:fs';

/** Clock ticks per second of /proc times (USER_HZ): 100 on every Linux configuration Node runs on. */
const userHz = 100;

/** Seconds of CPU `pid` has used, or null where /proc is not available (not Linux, process gone). */
export function processCpuSeconds(pid: number): number | null {
  let stat: string;
  try {
    stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  } catch {
    return null;
  }
  // Fields after the command name (which may hold spaces, and ends at the last ')'): utime and
  // stime are fields 14 and 15 of the whole line, so 12 and 13 after it.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const ticks = Number(fields[11]) + Number(fields[12]);
  return Number.isFinite(ticks) ? ticks / userHz : null;
}
