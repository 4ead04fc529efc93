// `--vary key=v1,v2,…`: the scenario once per value, each run by the same engine, in one
// comparison. The engine is a parameter, so the real-time engine compares the same way.

import type { LabComparison, LabReport } from './report.js';
import type { Scenario } from './scenario.js';
import { applyVariation } from './variation.js';

export type VariantRunner = (scenario: Scenario, variant: { readonly key: string; readonly value: string }) => LabReport;

export type ComparisonResult = { readonly ok: true; readonly comparison: LabComparison } | { readonly ok: false; readonly errors: string[] };

/** Every variant is checked before any runs: one bad value must not cost the others' run time. */
export function runVariants(scenario: Scenario, key: string, values: readonly string[], run: VariantRunner): ComparisonResult {
  const variants: Scenario[] = [];
  const errors: string[] = [];
  if (values.length === 0) errors.push(`--vary ${key}: expected at least one value`);
  for (const value of values) {
    const varied = applyVariation(scenario, key, value);
    if (varied.ok) variants.push(varied.scenario);
    else errors.push(...varied.errors);
  }
  if (errors.length > 0) return { ok: false, errors };
  const reports = variants.map((variant, index) => run(variant, { key, value: values[index] }));
  return { ok: true, comparison: { format: 'lanes-lab-comparison', version: 1, vary: { key, values: [...values] }, reports } };
}
