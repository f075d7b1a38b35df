/**
 * Pinning narration to a run: each step is the first event after the
 * previous step's event that its predicate accepts, so the steps come in
 * trace order and follow whatever the run did. A step that matches nothing
 * is an error naming the lesson, the variant and what the step looked for:
 * a lesson whose run no longer shows what it narrates must fail loudly.
 */
import type { TraceEvent } from '../trace/decode.js';
import type { LessonStep } from '../view/document.js';
import { LessonError, type Resolved, type StepSpec } from './spec.js';

export interface Narration {
  steps: LessonStep[];
  /** The event of each step, by id (what the answer is computed from). */
  resolved: Resolved;
}

export function narrate(where: string, specs: readonly StepSpec[], events: readonly TraceEvent[]): Narration {
  const resolved: Record<string, TraceEvent> = {};
  const steps: LessonStep[] = [];
  let after = -1;
  for (const spec of specs) {
    if (Object.hasOwn(resolved, spec.id)) throw new LessonError(`${where}: two steps named "${spec.id}"`);
    const e = events.find((x) => x.seq > after && spec.match(x, resolved));
    if (e === undefined) {
      throw new LessonError(`${where}: step "${spec.id}" (${spec.what}) matched no event after #${after < 0 ? 0 : after}`);
    }
    resolved[spec.id] = e;
    steps.push({ seq: e.seq, text: spec.text(e, resolved, events) });
    after = e.seq;
  }
  return { steps, resolved };
}
