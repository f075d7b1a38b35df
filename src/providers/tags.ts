/**
 * Pool tags for the built-in providers' epoch allocations (see
 * src/contract/tags.ts). Every tag below is distinct, so a leaked or
 * double-freed block names the provider and the kind of block it was.
 */
import { fourcc } from '../contract/tags.js';

/** Object map: the per-map context (live/created/released object counters). */
export const OBJECT_MAP_CONTEXT_TAG = fourcc('ObMc');
/** Object map: one reference-counted object ([refCount, userValue]). */
export const OBJECT_TAG = fourcc('ObOb');
/** Passthrough provider: the per-map context block. */
export const PASSTHROUGH_MAP_CONTEXT_TAG = fourcc('PtMc');
/** Minimal provider: the per-map context block. */
export const MINIMAL_MAP_CONTEXT_TAG = fourcc('MnMc');
/** Legacy (deprecated preprocess delete) provider: the per-map context block. */
export const LEGACY_MAP_CONTEXT_TAG = fourcc('LgMc');
/** Preprocess provider (update + deprecated preprocess delete): the per-map context block. */
export const PREPROCESS_MAP_CONTEXT_TAG = fourcc('PpMc');
