/**
 * Interrupt request levels a simulated CPU runs at. Only the two that the
 * custom map contract speaks of exist here: PASSIVE_LEVEL (user-mode calls,
 * waits allowed) and DISPATCH_LEVEL (programs, spinlocks, no waits).
 */
export const Irql = { Passive: 0, Dispatch: 2 } as const;
export type IrqlLevel = (typeof Irql)[keyof typeof Irql];
export type IrqlName = 'PASSIVE' | 'DISPATCH';
export const irqlName = (irql: number): IrqlName => (irql >= Irql.Dispatch ? 'DISPATCH' : 'PASSIVE');
