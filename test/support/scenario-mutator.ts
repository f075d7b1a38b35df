/**
 * A seeded mutation engine for scenario files (the scenario fuzzer,
 * test/integration/scenario-fuzz.test.ts). A mutant starts from a valid
 * scenario (a built-in or an example file) and gets one to three mutations:
 * on the parsed value (drop a field, a wrong type, a huge, negative or
 * fractional number, an unknown or strangely named key, deep nesting, a
 * swapped provider, a tiny watchdog) or on the text (truncated JSON, a key
 * given twice, a stray character). Every choice comes from one Prng, so a
 * seed names a mutant.
 */
import { Prng } from '../../src/contract/prng.js';

export interface Mutant {
  /** What was done, for a failure message. */
  steps: string[];
  /** The scenario file's text. */
  text: string;
}

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
type Path = (string | number)[];

const STRANGE_NAMES = ['line\nbreak', 'tab\there', 'nul\u0000byte', 'esc\u001b[31mred', 'sep\u2028line', '', ' ', '__proto__',
  'constructor', 'x'.repeat(3000), '\u{1F600}', 'a.b', 'maps', 'ops[0]', '"quoted"'];
const NUMBERS = [0, -1, -0.5, 0.5, 1.5, 2 ** 31, 2 ** 32 + 1, 2 ** 53 + 2, -(2 ** 53), 1e308, 1e-300, 65, 4097, 1e9];
/** Number literals JSON.parse reads as something odd (Infinity, -0). */
const NUMBER_TEXTS = ['1e999', '-1e999', '-0', '1E400', '0.0000001'];
const PROVIDERS = ['passthrough', 'object', 'legacy', 'minimal', 'nope', './missing.js', '/', 'Passthrough', '../../etc/passwd',
  'object.ts', 'data:text/javascript,export default 1', 'node:fs'];
const WRONG_TYPES: Json[] = [null, true, 'text', [], {}, [1, 2], { a: 1 }, 'hex:zz', '1'];

export class ScenarioMutator {
  private readonly rng: Prng;

  constructor(seed: number) {
    this.rng = new Prng(seed, 0xf022);
  }

  pick<T>(items: readonly T[]): T {
    return items[this.rng.below(items.length)] as T;
  }

  below(n: number): number {
    return this.rng.below(n);
  }

  /** One mutant of `base` (a parsed scenario). */
  mutate(base: Record<string, unknown>): Mutant {
    const value = structuredClone(base) as Json;
    const steps: string[] = [];
    let text: string | null = null;
    const count = 1 + this.rng.below(3);
    for (let i = 0; i < count; i++) {
      if (text === null && this.rng.below(6) === 0) {
        text = this.mutateText(pretty(value), steps);
      } else if (text === null) {
        this.mutateValue(value, steps);
      }
    }
    return { steps, text: text ?? this.render(value) };
  }

  /** The value as JSON text; some number literals are written in odd spellings JSON.parse still reads. */
  private render(value: Json): string {
    const text = pretty(value);
    if (this.rng.below(8) !== 0) return text;
    return text.replace(/: (\d+)(,?)$/m, (_m, _n, comma: string) => `: ${this.pick(NUMBER_TEXTS)}${comma}`);
  }

  private mutateValue(root: Json, steps: string[]): void {
    const paths = allPaths(root);
    const path = this.pick(paths);
    const kind = this.rng.below(10);
    switch (kind) {
      case 0: steps.push(`drop ${show(path)}`); return drop(root, path);
      case 1: return this.set(root, path, this.pick(WRONG_TYPES), steps);
      case 2: return this.set(root, path, this.pick(NUMBERS), steps);
      case 3: return this.addKey(root, path, steps);
      case 4: return this.renameKey(root, path, steps);
      case 5: return this.set(root, path, nest(this.pick([2, 50, 70, 3000]), this.pick<Json>([1, 'x', null])), steps);
      case 6: return this.set(root, this.providerPath(root) ?? path, this.pick(PROVIDERS), steps);
      case 7: return this.set(root, ['watchdogMs'], this.pick([1, 2, 0, -5, 0.5]), steps);
      case 8: return this.set(root, this.numberPath(root) ?? path, this.pick(NUMBERS), steps);
      default: return this.set(root, path, JSON.parse(JSON.stringify(get(root, this.pick(paths)) ?? null)) as Json, steps);
    }
  }

  private set(root: Json, path: Path, value: Json, steps: string[]): void {
    steps.push(`set ${show(path)} = ${brief(value)}`);
    if (path.length === 0) return;
    const parent = get(root, path.slice(0, -1));
    const last = path[path.length - 1]!;
    if (Array.isArray(parent) && typeof last === 'number') parent[last] = value;
    else if (isObject(parent)) put(parent, String(last), value);
  }

  private addKey(root: Json, path: Path, steps: string[]): void {
    const target = objectAt(root, path);
    if (target === null) return;
    const key = this.pick([...STRANGE_NAMES, 'extra', 'cpu', 'op', 'map']);
    steps.push(`add key ${JSON.stringify(key).slice(0, 30)} in ${show(path)}`);
    put(target, key, this.pick([...WRONG_TYPES, ...NUMBERS]));
  }

  private renameKey(root: Json, path: Path, steps: string[]): void {
    const target = objectAt(root, path);
    const keys = target === null ? [] : Object.keys(target);
    if (target === null || keys.length === 0) return;
    const from = this.pick(keys);
    const to = this.pick(STRANGE_NAMES);
    steps.push(`rename ${show([...path, from])} to ${JSON.stringify(to).slice(0, 30)}`);
    const value = target[from]!;
    delete target[from];
    put(target, to, value);
  }

  private providerPath(root: Json): Path | null {
    const found = allPaths(root).filter((p) => p[p.length - 1] === 'provider');
    return found.length > 0 ? this.pick(found) : null;
  }

  private numberPath(root: Json): Path | null {
    const found = allPaths(root).filter((p) => typeof get(root, p) === 'number');
    return found.length > 0 ? this.pick(found) : null;
  }

  /** Text-level damage: truncation, a key given twice, a stray or missing character. */
  private mutateText(text: string, steps: string[]): string {
    const at = this.rng.below(text.length);
    switch (this.rng.below(4)) {
      case 0: steps.push(`truncate at ${at}`); return text.slice(0, at);
      case 1: {
        const m = /\n( *)"([^"]+)": ([^\n]*?),?\n/.exec(text.slice(at)) ?? /\n( *)"([^"]+)": ([^\n]*?),?\n/.exec(text);
        if (m === null) return text;
        steps.push(`duplicate key ${m[2]}`);
        return text.replace(m[0], `\n${m[1]}"${m[2]}": ${m[3]},${m[0]}`);
      }
      case 2: {
        const c = this.pick(['{', '}', '[', ']', ',', ':', '"', '\u0000', '\n', 'x', '\\']);
        steps.push(`insert ${JSON.stringify(c)} at ${at}`);
        return text.slice(0, at) + c + text.slice(at);
      }
      default: steps.push(`delete char at ${at}`); return text.slice(0, at) + text.slice(at + 1);
    }
  }
}

/** One key per line (what the text mutations look for), or compact when deep nesting would make that huge. */
function pretty(value: Json): string {
  const compact = JSON.stringify(value);
  return /(\{"x":\[){40}/.test(compact) ? compact : JSON.stringify(value, null, 1);
}

/** Sets an own property, even one named __proto__ (which plain assignment would not create). */
function put(target: object, key: string, value: unknown): void {
  Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true });
}

function isObject(v: Json | undefined): v is { [key: string]: Json } {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Paths are collected this deep at most (a deeply nested mutant is not walked to its bottom). */
const MAX_DEPTH = 12;

/** Every path in the value down to MAX_DEPTH, the root (the empty path) included. */
function allPaths(root: Json): Path[] {
  const out: Path[] = [];
  const walk = (v: Json, path: Path): void => {
    out.push(path);
    if (path.length >= MAX_DEPTH) return;
    if (Array.isArray(v)) v.forEach((item, i) => walk(item, [...path, i]));
    else if (isObject(v)) for (const [k, item] of Object.entries(v)) walk(item, [...path, k]);
  };
  walk(root, []);
  return out;
}

function get(root: Json, path: Path): Json | undefined {
  let v: Json | undefined = root;
  for (const part of path) {
    if (Array.isArray(v) && typeof part === 'number') v = v[part];
    else if (isObject(v)) v = v[String(part)];
    else return undefined;
  }
  return v;
}

function drop(root: Json, path: Path): void {
  if (path.length === 0) return;
  const parent = get(root, path.slice(0, -1));
  const last = path[path.length - 1]!;
  if (Array.isArray(parent) && typeof last === 'number') parent.splice(last, 1);
  else if (isObject(parent)) delete parent[String(last)];
}

/** The object at `path`, or the nearest object above it; null when there is none. */
function objectAt(root: Json, path: Path): { [key: string]: Json } | null {
  for (let n = path.length; n >= 0; n--) {
    const v = get(root, path.slice(0, n));
    if (isObject(v)) return v;
  }
  return null;
}

function nest(depth: number, inner: Json): Json {
  let v = inner;
  for (let i = 0; i < depth; i++) v = i % 2 === 0 ? [v] : { x: v };
  return v;
}

function brief(value: Json): string {
  try {
    return String(JSON.stringify(value)).slice(0, 40);
  } catch {
    return 'a value too deep to show';
  }
}

function show(path: Path): string {
  return path.length === 0 ? '(root)' : path.map((p) => (typeof p === 'number' ? `[${p}]` : `.${p.slice(0, 20)}`)).join('');
}

/**
 * Small budgets for running a mutant end to end: counts, repeats, durations
 * and CPUs are capped (a mutant that only validates keeps its own numbers).
 */
export function budgeted(value: unknown): unknown {
  const caps: Record<string, number> = {
    repeat: 2, controlledRepeat: 2, count: 100, opsPerCpu: 500, controlledOpsPerCpu: 100, ms: 20, steps: 20,
    durationMs: 100, prefill: 50, cpus: 3, arenaMB: 16, traceRecords: 4096, maxEntries: 4096, keyRange: 1000,
  };
  const walk = (v: unknown, depth = 0): unknown => {
    if (depth > MAX_DEPTH) return v;
    if (Array.isArray(v)) return v.map((item) => walk(item, depth + 1));
    if (typeof v !== 'object' || v === null) return v;
    const out: Record<string, unknown> = {};
    for (const [k, item] of Object.entries(v)) {
      const cap = caps[k];
      put(out, k, typeof item === 'number' && cap !== undefined && item > cap ? cap : walk(item, depth + 1));
    }
    return out;
  };
  return walk(value);
}
