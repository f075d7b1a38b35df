/**
 * Every rule the contract checker evaluates on the trace, one module per
 * family. Runtime-detected rules need no entry here: the checker reports
 * their `violation` events directly. MapFacts comes first: it records what a
 * map's creation told before any other rule looks at the map.
 *
 * The rule objects are shared by every checker; each keeps its state per
 * CheckContext (see util.ts), so one ALL_RULES serves any number of runs.
 */
import type { CheckRule } from '../context.js';
import { MapFacts } from './facts.js';
import { LifecycleRule } from './lifecycle.js';
import { FindRule } from './find.js';
import { UpdateRule } from './update.js';
import { DeleteRule } from './delete.js';
import { CleanupRule } from './cleanup.js';
import { ExactlyOnceRule } from './exactly-once.js';
import { BlockingRule } from './blocking.js';
import { IrqlRule } from './irql.js';
import { EpochRule } from './epoch.js';
import { ReclaimBoundRule } from './memory.js';
import { AgeWindowRule } from './age.js';
import { BadOptionRule } from './option.js';
import { OpsRule } from './ops.js';
import { SynchronizeRule } from './synchronize.js';

/** Fresh rule objects (ALL_RULES is one such set). */
export function createRules(): CheckRule[] {
  return [
    new MapFacts(), new LifecycleRule(), new FindRule(), new UpdateRule(), new DeleteRule(), new CleanupRule(),
    new ExactlyOnceRule(), new BlockingRule(), new IrqlRule(), new EpochRule(), new ReclaimBoundRule(), new AgeWindowRule(),
    new BadOptionRule(),
    new OpsRule(),
    new SynchronizeRule(),
  ];
}

export const ALL_RULES: readonly CheckRule[] = createRules();
