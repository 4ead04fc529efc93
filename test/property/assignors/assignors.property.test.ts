// The assignor properties (assignor_properties.ts) against the plain TS assignors, the oracle
// every faster path is held equal to.

import { assignCooperativeSticky } from '../../../core/assignors/cooperative_sticky.js';
import { assignRange } from '../../../core/assignors/range.js';
import { assignRoundRobin } from '../../../core/assignors/round_robin.js';
import { assignSticky } from '../../../core/assignors/sticky.js';
import { describeAssignorProperties } from './assignor_properties.js';

describeAssignorProperties({
  range: (spec) => assignRange(spec),
  roundrobin: (spec) => assignRoundRobin(spec),
  sticky: (spec) => assignSticky(spec),
  cooperativeSticky: (spec) => assignCooperativeSticky(spec),
});
