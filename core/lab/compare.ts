// `--vary key=v1,v2,…`: the scenario once per value, each run by the same engine, in one
// comparison. Planning and assembling are here; running is the caller's (either engine, sync or
// not), so the real-time engine compares the same way.

import type { LabComparison, LabReport } from './report.js';
import type { Scenario } from './scenario.js';
import { applyVariation } from './variation.js';

export interface PlannedVariant {
  readonly scenario: Scenario;
  readonly variant: { readonly key: string; readonly value: string };
}

export type VariantPlan = { readonly ok: true; readonly variants: PlannedVariant[] } | { readonly ok: false; readonly errors: string[] };

/** Every variant is checked before any runs: one bad value must not cost the others' run time. */
export function planVariants(scenario: Scenario, key: string, values: readonly string[]): VariantPlan {
  const variants: PlannedVariant[] = [];
  const errors: string[] = [];
  if (values.length === 0) errors.push(`--vary ${key}: expected at least one value`);
  for (const value of values) {
    const varied = applyVariation(scenario, key, value);
    if (varied.ok) variants.push({ scenario: varied.scenario, variant: { key, value } });
    else errors.push(...varied.errors);
  }
  return errors.length > 0 ? { ok: false, errors } : { ok: true, variants };
}

/** The reports of a plan's variants, in its order, as one comparison. */
export function comparisonOf(key: string, values: readonly string[], reports: LabReport[]): LabComparison {
  return { format: 'lanes-lab-comparison', version: 1, vary: { key, values: [...values] }, reports };
}
