/**
 * Scenario objects for tests of one 4-byte-key map `m` on one CPU: the map,
 * the thread, and its keyed ops, as the scenario file writes them.
 */
export type Json = Record<string, unknown>;

export const u32Map = (provider: string, options: Json = {}, maxEntries = 16): Json =>
  ({ provider, keySize: 4, valueSize: 4, maxEntries, options });
export const oneThread = (map: Json, ops: Json[], irql: 'PASSIVE' | 'DISPATCH' = 'PASSIVE', extra: Json = {}): Json =>
  ({ cpus: 1, maps: { m: map }, threads: [{ cpu: 0, irql, ops }], ...extra });
export const update = (key: number, value: number, option?: string | number): Json =>
  ({ op: 'update', map: 'm', key, value, ...(option === undefined ? {} : { option }) });
export const find = (key: number): Json => ({ op: 'find', map: 'm', key });
export const del = (key: number): Json => ({ op: 'delete', map: 'm', key });

/** Callback strings as callbackSequence prints them ("name flags irql [result]"). */
export const CREATE = 'preprocess_map_create 0 PASSIVE SUCCESS';
export const MAP_DELETE = 'postprocess_map_delete 0 PASSIVE';
/** MAP_CLEANUP: documented at PASSIVE; as built at DISPATCH under the custom-map spinlock (reference 1.8). */
export const cleanupIrql = (p: string): string => (p === 'documented' ? 'PASSIVE' : 'DISPATCH');
