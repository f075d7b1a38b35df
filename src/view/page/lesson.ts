/**
 * A lesson's narration beside the timeline: the step text pinned to the
 * current event (the last step at or before it), the "break it" switch
 * between the correct trace and the one with the lesson's mutant, and the
 * closing question with its answer kept back until asked for.
 */
import { button, el, fill } from './dom.js';
import { fmt } from './format.js';
import type { LessonDocument, LessonStep } from './types.js';

export interface LessonActions {
  /** Switches to the broken trace (true) or back to the correct one. */
  breakIt(broken: boolean): void;
  /** Moves the current event to the event with this seq (or the first after it). */
  goSeq(seq: number): void;
}

export class LessonPanel {
  readonly root = el('section.panel.lesson', { 'aria-label': 'lesson' });
  private readonly narration = el('div.narration', { 'aria-live': 'polite' });
  private readonly answer = el('p.answer', { hidden: '' });
  private readonly toggle: HTMLButtonElement | null;
  broken = false;
  answerShown = false;
  /** The step shown now, or null before the first. */
  step: LessonStep | null = null;

  constructor(private readonly lesson: LessonDocument, private readonly actions: LessonActions) {
    const b = lesson.broken;
    this.toggle = b ? button(`Break it: ${b.label}`, `switch the mutant ${b.mutant} in`, () => this.setBroken(!this.broken), 'break-it') : null;
    this.answer.textContent = lesson.answer;
    const reveal = button('Show the answer', 'reveal the answer', () => this.reveal(), 'answer');
    fill(this.root,
      el('h2', {}, lesson.title), el('p.intro', {}, lesson.intro),
      this.toggle ? el('p.break', {}, this.toggle) : null,
      this.narration,
      el('div.question', {}, el('h3', {}, 'Question'), el('p', {}, lesson.question), reveal, this.answer));
  }

  get steps(): LessonStep[] {
    return this.broken && this.lesson.broken ? this.lesson.broken.steps : this.lesson.steps;
  }

  setBroken(broken: boolean): void {
    if (broken === this.broken || (broken && !this.lesson.broken)) return;
    this.broken = broken;
    if (this.toggle) {
      this.toggle.textContent = broken ? 'Fix it: back to the correct run' : `Break it: ${this.lesson.broken!.label}`;
      this.toggle.setAttribute('aria-pressed', String(broken));
    }
    this.actions.breakIt(broken);
  }

  private reveal(): void {
    this.answerShown = true;
    this.answer.hidden = false;
  }

  /** Shows the narration for the event with this seq (null: before the first event). */
  show(seq: number | null): void {
    const steps = this.steps;
    let k = -1;
    if (seq !== null) for (let j = 0; j < steps.length && steps[j]!.seq <= seq; j++) k = j;
    this.step = k >= 0 ? steps[k]! : null;
    const prev = k > 0 ? steps[k - 1]! : null;
    const next = steps[k + 1] ?? null;
    const where = this.step ? `Step ${k + 1} of ${steps.length}, at event #${fmt(this.step.seq)}` : `${steps.length} steps`;
    fill(this.narration,
      el('p.step-where', {}, `${this.broken ? 'Broken run. ' : ''}${where}`),
      el('p.step-text', {}, this.step ? this.step.text : 'Step forward to start the lesson.'),
      el('p.step-nav', {},
        button('previous step', 'go to the previous narrated event', () => { if (prev) this.actions.goSeq(prev.seq); }, 'lesson-prev'),
        ' ',
        button('next step', 'go to the next narrated event', () => { if (next) this.actions.goSeq(next.seq); }, 'lesson-next')));
  }
}
