/**
 * The benchmark scripts' own helpers: the one-load floor table, the start
 * gate and twoStores now live in src/shm/floor-table.ts (shared with
 * `epochlab bench`); the wait/notify ping-pong of the controlled-steps
 * benchmark stays here.
 */
export * from '../src/shm/floor-table.js';

/** A baton word shared by two ping-pong workers: [turn]. */
export function createPingPong(): SharedArrayBuffer {
  return new SharedArrayBuffer(4 * 4);
}

/**
 * The scheduler's floor: `hops` handoffs of a turn word between two threads
 * by Atomics.wait / Atomics.notify (the same primitive the controlled-mode
 * baton uses). Returns false if a wait timed out (the partner is gone).
 */
export function pingPong(sab: SharedArrayBuffer, me: number, hops: number): boolean {
  const i32 = new Int32Array(sab);
  for (let i = 0; i < hops; i++) {
    for (;;) {
      const turn = Atomics.load(i32, 0);
      if (turn === me) break;
      if (Atomics.wait(i32, 0, turn, 5000) === 'timed-out') return false;
    }
    Atomics.store(i32, 0, 1 - me);
    Atomics.notify(i32, 0);
  }
  return true;
}
