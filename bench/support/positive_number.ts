// A commander option parser for the long-running tools (soak, fuzz): a positive number, fractions
// allowed (`--minutes 1.5`), anything else refused with commander's usage error.
import { InvalidArgumentError } from 'commander';

export function positiveNumber(value: string): number {
  const parsed = Number(value);
  if (!(parsed > 0)) throw new InvalidArgumentError('expected a positive number');
  return parsed;
}
