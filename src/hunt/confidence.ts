/**
 * How sure a clean stress run is: for each class of planted bug (the
 * mutants), whether the runs ever opened the window that class needs. A
 * class whose window never opened could not have shown, however long the
 * stress ran; the report says so instead of letting "no violation" stand
 * for more than it means.
 */
import type { Windows, WindowKind } from '../check/near-miss.js';

export interface BugClass {
  name: string;
  mutants: string[];
  /** The windows any of which this class needs. */
  needs: WindowKind[];
  /** Why the class cannot show when none of them opened. */
  absent: string;
}

export const BUG_CLASSES: readonly BugClass[] = [
  { name: 'reclamation races', mutants: ['free-immediately', 'release-off-by-one', 'local-epoch-stamp', 'skip-cpu', 'percpu-local-stamp'],
    needs: ['sharedKeys'], absent: 'no two CPUs ever touched the same key with one of them writing' },
  { name: 'unlocked writers', mutants: ['unlocked-writer'], needs: ['sharedKeys'],
    absent: 'no two CPUs ever touched the same key with one of them writing' },
  { name: 'delete callback order', mutants: ['callback-under-lock', 'double-delete-callback'], needs: ['deleteCallbacks'],
    absent: 'no delete callback ever ran' },
  { name: 'undo after a failed update', mutants: ['missing-undo'], needs: ['failedUpdates'],
    absent: 'no update failed after its preprocess callback succeeded' },
  { name: 'helper blocking', mutants: ['helper-not-blocked'], needs: ['helperWrites'],
    absent: 'no program wrote through a helper to a map that updates the original value' },
  { name: 'cleanup flags', mutants: ['cleanup-flags'], needs: ['cleanupEntries'], absent: 'no map was deleted while it held entries' },
  { name: 'program epochs', mutants: ['exit-other-irql'], needs: ['dispatchEpochs'], absent: 'no program ran at DISPATCH' },
];

export interface ClassReach {
  name: string;
  mutants: string[];
  reachable: boolean;
  /** What opened the window (counts), or why it never opened. */
  detail: string;
}

/** Each class's verdict from the windows summed over a stress. */
export function reachOf(windows: Windows): ClassReach[] {
  return BUG_CLASSES.map((c) => {
    const open = c.needs.filter((k) => windows[k] > 0);
    const reachable = open.length > 0 && (c.name !== 'reclamation races' || windows.retires > 0);
    const detail = reachable ? open.map((k) => `${k} ${windows[k]}`).join(', ')
      : open.length > 0 ? 'nothing was ever retired' : c.absent;
    return { name: c.name, mutants: c.mutants, reachable, detail: reachable ? detail : `${detail}: these bugs cannot show here` };
  });
}
