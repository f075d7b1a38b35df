/**
 * What a provider object must look like before the runtime calls it: an
 * object with a dispatch table and properties. Checked where a module is
 * first loaded (src/runtime/provider-load.ts) and again each time a thread
 * builds its provider instances, since createProvider may behave
 * differently in another thread or on a later call.
 */
import type { MapProvider, ProviderFactory } from '../providers/provider.js';
import { ProviderFault, describeCrash, stackOf } from './crash.js';

/** Why `p` is not a provider object, or null when it is one. */
export function shapeProblem(p: unknown): string | null {
  if (typeof p !== 'object' || p === null) return `${p === null ? 'null' : typeof p}, not a provider object`;
  const o = p as Record<string, unknown>;
  if (typeof o['dispatch'] !== 'object' || o['dispatch'] === null) return 'a provider without a dispatch table';
  if (typeof o['properties'] !== 'object' || o['properties'] === null) return 'a provider without properties ({ updatesOriginalValue })';
  return null;
}

/** Calls createProvider for map `mapName`; a throw or a malformed result becomes a ProviderFault. */
export function instantiate(factory: ProviderFactory, options: Record<string, unknown>, mapName: string): MapProvider {
  let p: unknown;
  try {
    p = factory(options);
  } catch (err) {
    throw new ProviderFault(`createProvider(options) for map ${mapName} ${describeCrash(err)}`, stackOf(err));
  }
  const problem = shapeProblem(p);
  if (problem !== null) throw new ProviderFault(`createProvider(options) for map ${mapName} returned ${problem}`);
  return p as MapProvider;
}
