/**
 * Worker entry point for checking a provider module before a run: loads it,
 * calls createProvider once per option set and checks what it returns, in a
 * thread of its own that the main thread can end. Plumbing only: see
 * src/runtime/provider-check.ts.
 */
import { checkProviderInWorker } from '../src/runtime/provider-check.js';

void checkProviderInWorker();
