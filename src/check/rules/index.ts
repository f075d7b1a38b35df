/**
 * Every rule the contract checker evaluates on the trace, one module per
 * family. Runtime-detected rules need no entry here: the checker reports
 * their `violation` events directly.
 */
import type { CheckRule } from '../context.js';

export const ALL_RULES: readonly CheckRule[] = [];
