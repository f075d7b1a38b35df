/**
 * The provider registry: built-in providers by name, or a user's provider
 * module by path. Used by the CLI (to validate a scenario) and by every
 * thread that runs callbacks (to build its per-map provider instances).
 */
import { pathToFileURL } from 'node:url';
import { isAbsolute, resolve } from 'node:path';
import { MapProvider, ProviderFactory, REQUIRED_CALLBACKS } from './provider.js';
import { createProvider as createObject } from './object.js';
import { createProvider as createPassthrough } from './passthrough.js';
import { createProvider as createMinimal } from './minimal.js';
import { createProvider as createLegacy } from './legacy.js';
import { createProvider as createPreprocess } from './preprocess.js';

export const BUILTIN_PROVIDERS: Readonly<Record<string, ProviderFactory>> = {
  object: createObject,
  passthrough: createPassthrough,
  minimal: createMinimal,
  legacy: createLegacy,
  preprocess: createPreprocess,
};

/** Turns a scenario's provider field into a loadable spec: a built-in name, or a file URL. */
export function providerSpec(provider: string, scenarioDir: string): string {
  if (provider in BUILTIN_PROVIDERS) return provider;
  const abs = isAbsolute(provider) ? provider : resolve(scenarioDir, provider);
  return pathToFileURL(abs).href;
}

/** TypeScript sources (.ts, .mts, .cts, .tsx): Node 20 imports JavaScript only. */
const TYPESCRIPT_SOURCE = /\.[cm]?tsx?$/i;

/** Why a scenario's provider path cannot be loaded as written (it names a TypeScript source), or null. */
export function typeScriptProblem(provider: string): string | null {
  if (provider in BUILTIN_PROVIDERS || !TYPESCRIPT_SOURCE.test(provider)) return null;
  return `${JSON.stringify(provider)} is a TypeScript file, which Node 20 cannot load: compile it to JavaScript ` +
    '(for example with tsc) and name the .js file (Node 22.6 and later can strip types with --experimental-strip-types, ' +
    'but epochlab runs on Node 20)';
}

/** Loads a provider factory. Throws an Error with a one-line message on failure. */
export async function loadProviderFactory(spec: string): Promise<ProviderFactory> {
  const builtin = BUILTIN_PROVIDERS[spec];
  if (builtin) return builtin;
  let mod: Record<string, unknown>;
  try {
    mod = (await import(spec)) as Record<string, unknown>;
  } catch (err) {
    throw new Error(`cannot load provider module: ${(err as Error).message.split('\n')[0]}`);
  }
  return factoryOf(mod);
}

/** A loaded module's createProvider (named, or on its default export). Throws an Error with a one-line message. */
export function factoryOf(mod: Record<string, unknown>): ProviderFactory {
  const factory = mod['createProvider'] ?? (mod['default'] as Record<string, unknown> | undefined)?.['createProvider'];
  if (typeof factory !== 'function') throw new Error('provider module does not export createProvider(options)');
  return factory as ProviderFactory;
}

/** Names of required callbacks a provider instance lacks (empty when complete). */
export function missingCallbacks(provider: MapProvider): string[] {
  const d = provider.dispatch as Record<string, unknown>;
  return REQUIRED_CALLBACKS.filter((name) => typeof d[name] !== 'function');
}
