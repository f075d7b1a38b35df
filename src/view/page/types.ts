/** The document's types as the page uses them (the page may import only src/view/document.ts). */
import type { TraceDocument } from '../document.js';

export type { LessonDocument, LessonStep, RetiredBlock, RuleGuide, TraceDocument, TraceWindow, ViewDocument, WindowSegment } from '../document.js';
export type TraceEvent = TraceDocument['events'][number];
export type ViolationReport = TraceDocument['reports'][number];
