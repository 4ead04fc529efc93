// The scenarios `lanes lab list` shows and `lanes lab run NAME` runs: the textbook's questions about
// consumer groups, each as data in scenarios/ (plain objects, checked by parseScenario like a file).

import { assert } from '../assert.js';
import { parseScenario, type Scenario } from './scenario.js';
import commitBeforeAfter from './scenarios/commit_before_after.js';
import hotPartition from './scenarios/hot_partition.js';
import maxPollExceeded from './scenarios/max_poll_exceeded.js';
import oneMillionEvents from './scenarios/one_million_events.js';
import orders from './scenarios/orders.js';
import scalingProblem from './scenarios/scaling_problem.js';
import sixOnFour from './scenarios/six_on_four.js';
import threeGroups from './scenarios/three_groups.js';

const sources: readonly unknown[] = [scalingProblem, orders, threeGroups, oneMillionEvents, hotPartition, sixOnFour, maxPollExceeded, commitBeforeAfter];

function parsed(source: unknown): Scenario {
  const result = parseScenario(source);
  assert(result.ok, `a built-in scenario is invalid: ${result.ok ? '' : result.errors.join('; ')}`);
  return result.scenario;
}

const scenarios: ReadonlyMap<string, Scenario> = new Map(sources.map(parsed).map((scenario) => [scenario.name, scenario]));

/** Every built-in scenario, in the order `lanes lab list` shows them. */
export function listScenarios(): readonly Scenario[] {
  return [...scenarios.values()];
}

/** The built-in scenario of that name, or undefined. */
export function builtinScenario(name: string): Scenario | undefined {
  return scenarios.get(name);
}
