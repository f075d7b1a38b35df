/**
 * The lessons, in the order a course would take them: why a reader needs
 * an epoch, what a grace period waits for, the published and released
 * epochs, a stalled reader, why helper calls on an object map are blocked,
 * and the retire-before-unlink hazard of the runtime as built.
 */
import type { LessonSpec } from './spec.js';
import { whyEpochs } from './lessons/why-epochs.js';
import { gracePeriod } from './lessons/grace-period.js';
import { releasedEpoch } from './lessons/released-epoch.js';
import { stalledReader } from './lessons/stalled-reader.js';
import { updatesOriginalValue } from './lessons/updates-original-value.js';
import { retireBeforeUnlink } from './lessons/retire-before-unlink.js';

export const LESSONS: readonly LessonSpec[] = [whyEpochs, gracePeriod, releasedEpoch, stalledReader, updatesOriginalValue, retireBeforeUnlink];

export const lessonSpec = (name: string): LessonSpec | undefined => LESSONS.find((l) => l.name === name);
