// How long a member spends on one record in real time: the scenario's rate or per-record
// distribution, stretched by 1/scale when the run is scaled down to what the machine holds.
import type { Processing } from '../../core/lab/scenario.js';

/** `random` returns [0, 1). */
export function perRecordDelayMs(processing: Processing, scale: number, random: () => number): number {
  if ('ratePerSec' in processing) return 1_000 / (processing.ratePerSec * scale);
  const distribution = processing.perRecordMs;
  switch (distribution.kind) {
    case 'fixed':
      return distribution.ms / scale;
    case 'uniform':
      return (distribution.minMs + (distribution.maxMs - distribution.minMs) * random()) / scale;
    case 'exponential':
      return (-Math.log(1 - random()) * distribution.meanMs) / scale;
  }
}
