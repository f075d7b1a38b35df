/**
 * Scenario loading: read a scenario file (or a built-in), validate it and
 * compile it into the RunPlan every worker receives. Structure is checked by
 * the zod schemas in scenario-schema.ts; cross-field rules (map names, key
 * widths, CPU numbers, providers) are checked here. Every failure is a
 * one-line BadInput naming the file and the field.
 */
import { readFile } from 'node:fs/promises';
import { basename, dirname, resolve } from 'node:path';
import type { MapPlan, OpPlan, RunPlan, ThreadPlan, WorkloadPlan } from '../runtime/plan.js';
import type { IrqlName } from '../contract/irql.js';
import { BUILTIN_PROVIDERS, missingCallbacks, providerSpec, typeScriptProblem } from '../providers/index.js';
import type { MapProvider, ProviderFactory } from '../providers/provider.js';
import { checkProviderModule } from '../runtime/provider-load.js';
import { BadInput } from '../contract/bad-input.js';
import { builtinScenario } from './builtins.js';
import { MAX_NESTING, parseJson, tooDeep } from './json-keys.js';
import { compileMoreOp, type OpCompiler } from './compile-ops.js';

export { parseJson };
import {
  parseScenario, describeValue, formatPath, type Scenario, type ScenarioOp, type ScenarioBatchedOp, type ScenarioThread, type ScenarioWorkload,
} from './schema.js';

export interface ScenarioOverrides { cpus?: number; seed?: number }

/** Thrown inside compilation; becomes a BadInput carrying the file name. */
class FieldError extends Error {
  constructor(readonly field: string | null, problem: string) { super(problem); }
}

const fail = (field: string | null, problem: string): never => { throw new FieldError(field, problem); };

const UPDATE_OPTIONS = { ANY: 0, NOEXIST: 1, EXIST: 2 } as const;
const MAP_NAME = /^[A-Za-z_][A-Za-z0-9_.-]*$/;
/** Map types below this are eBPF's built-in maps (reference 0: SAMPLE_HASH_MAP is 15). */
const FIRST_CUSTOM_MAP_TYPE = 15;

/** Loads a scenario from a .json path or a built-in name and compiles it. */
export async function loadScenario(arg: string, overrides: ScenarioOverrides): Promise<RunPlan> {
  const looksLikePath = arg.endsWith('.json') || arg.includes('/') || arg.includes('\\');
  const builtin = looksLikePath ? undefined : builtinScenario(arg);
  if (builtin) return compileScenario(builtin, `builtin:${arg}`, process.cwd(), overrides);
  let text: string;
  try {
    text = await readFile(arg, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code ?? 'error';
    if (code === 'ENOENT' && !looksLikePath) {
      throw new BadInput(arg, null, 'no such scenario file or built-in scenario (try: epochlab scenarios)');
    }
    throw new BadInput(arg, null, `cannot read file (${code})`);
  }
  return compileScenario(parseJson(text, arg), arg, dirname(resolve(arg)), overrides);
}

/** Validates parsed scenario JSON and compiles it; `source` names it in errors, `dir` resolves provider paths. */
export async function compileScenario(json: unknown, source: string, dir: string,
  overrides: ScenarioOverrides): Promise<RunPlan> {
  checkOverrides(overrides);
  try {
    const deep = tooDeep(json);
    if (deep !== null) fail(`${formatPath(deep.slice(0, 6))}...`, `nested more than ${MAX_NESTING} levels deep`);
    const parsed = parseScenario(json);
    if (!parsed.ok) return fail(parsed.error.field, parsed.error.problem);
    const scenario = { ...parsed.value, ...definedOnly(overrides) };
    const plan = buildPlan(scenario, source, dir);
    await checkProviders(plan.maps, scenario);
    return plan;
  } catch (err) {
    if (err instanceof FieldError) throw new BadInput(source, err.field, err.message);
    throw err;
  }
}

function checkOverrides(overrides: ScenarioOverrides): void {
  const { cpus, seed } = overrides;
  if (cpus !== undefined && !(Number.isInteger(cpus) && cpus >= 1 && cpus <= 64)) {
    throw new BadInput('epochlab', '--cpus', `must be an integer from 1 to 64, got ${cpus}`);
  }
  if (seed !== undefined && !Number.isSafeInteger(seed)) {
    throw new BadInput('epochlab', '--seed', `must be an integer, got ${seed}`);
  }
}

function definedOnly(overrides: ScenarioOverrides): ScenarioOverrides {
  const out: ScenarioOverrides = {};
  if (overrides.cpus !== undefined) out.cpus = overrides.cpus;
  if (overrides.seed !== undefined) out.seed = overrides.seed;
  return out;
}

function buildPlan(s: Scenario, source: string, dir: string): RunPlan {
  const maps = compileMaps(s, dir);
  if (s.threads.length === 0 && !s.workload) fail('threads', 'a scenario needs threads or a workload');
  s.faults.stall.forEach((f, i) => { if (f.cpu >= s.cpus) fail(`faults.stall[${i}].cpu`, `cpu ${f.cpu} is out of range (cpus is ${s.cpus})`); });
  s.faults.tempBufferFailAt.forEach((f, i) => { if (f.cpu >= s.cpus) fail(`faults.tempBufferFailAt[${i}].cpu`, `cpu ${f.cpu} is out of range (cpus is ${s.cpus})`); });
  // One delay per tick: the manager looks a tick's delay up by its number, so a repeat would be lost.
  s.faults.delayTicks.forEach((f, i) => {
    const first = s.faults.delayTicks.findIndex((g) => g.tick === f.tick);
    if (first < i) fail(`faults.delayTicks[${i}].tick`, `tick ${f.tick} is already delayed by faults.delayTicks[${first}]`);
  });
  const threads = compileThreads(s.threads, s.cpus, maps);
  const workload = s.workload ? compileWorkload(s.workload, maps) : null;
  return {
    name: s.name ?? defaultName(source),
    source, cpus: s.cpus, seed: s.seed, epochTickMs: s.epochTickMs,
    stallEpochs: s.stallEpochs, watchdogMs: s.watchdogMs,
    arenaBytes: s.arenaMB * 2 ** 20, traceRecords: s.traceRecords,
    profile: 'documented', mode: 'free', strategy: 'random', pctDepth: 3, pctSteps: 20_000, switchEvery: 1, schedule: [], mutant: null, maps, threads, workload,
    faults: {
      allocFailAt: [...s.faults.allocFailAt], stall: s.faults.stall.map((f) => ({ ...f })),
      dropTicks: [...s.faults.dropTicks], delayTicks: s.faults.delayTicks.map((f) => ({ ...f })),
      spuriousLockFailAt: [...s.faults.spuriousLockFailAt],
      tempBufferFailAt: s.faults.tempBufferFailAt.map((f) => ({ ...f })),
      nameAllocFail: s.faults.nameAllocFail.map((name, i) => findMap(maps, name, `faults.nameAllocFail[${i}]`).index),
    },
    trace: true,
  };
}

function defaultName(source: string): string {
  return source.startsWith('builtin:') ? source.slice('builtin:'.length) : basename(source, '.json');
}

function compileMaps(s: Scenario, dir: string): MapPlan[] {
  const names = Object.keys(s.maps);
  if (names.length === 0) fail('maps', 'a scenario needs at least one map');
  return names.map((name, index) => {
    if (!MAP_NAME.test(name)) fail(formatPath(['maps', name]), 'map names must start with a letter or _ and use only letters, digits, _ . -');
    const m = s.maps[name]!;
    if (m.mapType < FIRST_CUSTOM_MAP_TYPE) {
      fail(formatPath(['maps', name, 'mapType']), `types below ${FIRST_CUSTOM_MAP_TYPE} are eBPF's built-in maps, which epochlab does not simulate, got ${m.mapType}`);
    }
    return {
      name, index, provider: providerSpec(m.provider, dir),
      keySize: m.keySize, valueSize: m.valueSize, maxEntries: m.maxEntries,
      options: m.options, buckets: bucketCount(m.maxEntries), mapType: m.mapType,
    };
  });
}

/** The next power of two >= maxEntries; 64 when unbounded; at least 1. */
export function bucketCount(maxEntries: number): number {
  if (maxEntries === 0) return 64;
  let buckets = 1;
  while (buckets < maxEntries) buckets *= 2;
  return buckets;
}

function compileThreads(threads: ScenarioThread[], cpus: number, maps: MapPlan[]): ThreadPlan[] {
  const owner = new Map<number, number>();
  return threads.map((t, i) => {
    const field = `threads[${i}]`;
    if (t.cpu >= cpus) fail(`${field}.cpu`, `cpu ${t.cpu} is out of range (cpus = ${cpus})`);
    const other = owner.get(t.cpu);
    if (other !== undefined) fail(`${field}.cpu`, `cpu ${t.cpu} already runs threads[${other}]`);
    owner.set(t.cpu, i);
    const ops = t.ops.map((op, j) => compileOp(op, `${field}.ops[${j}]`, t.irql, maps, false, cpus));
    return {
      cpu: t.cpu, irql: t.irql, ops, repeat: t.repeat, controlledRepeat: t.controlledRepeat ?? t.repeat, programType: t.programType,
    };
  });
}

function compileOp(op: ScenarioOp, field: string, irql: IrqlName, maps: MapPlan[], inBatch = false, cpus = 64): OpPlan {
  switch (op.op) {
    case 'stall': return { op: 'stall', ms: op.ms };
    case 'batch':
      return { op: 'batch', count: op.count, ops: op.ops.map((o, k) => compileBatched(o, `${field}.ops[${k}]`, irql, maps, cpus)) };
    case 'delete_map': return { op: 'delete_map', map: findMap(maps, op.map, `${field}.map`).index };
    case 'synchronize':
      passiveOnly(op.op, field, irql);
      return { op: 'synchronize', inEpoch: op.inEpoch };
    case 'deregister_provider':
      passiveOnly(op.op, field, irql);
      return { op: 'deregister_provider', map: findMap(maps, op.map, `${field}.map`).index };
    case 'update': case 'find': case 'delete': case 'find_and_delete': return compileKeyedOp(op, field, maps);
    default: return compileMoreOp(op, field, inBatch || irql === 'DISPATCH', maps, COMPILER);
  }
}

/** An op inside a batch: `migrate` names a CPU of the scenario; the rest compile as at the top level, in a batch. */
function compileBatched(op: ScenarioBatchedOp, field: string, irql: IrqlName, maps: MapPlan[], cpus: number): OpPlan {
  if (op.op !== 'migrate') return compileOp(op, field, irql, maps, true, cpus);
  if (op.cpu >= cpus) fail(`${field}.cpu`, `cpu ${op.cpu} is out of range (cpus = ${cpus})`);
  return { op: 'migrate', cpu: op.cpu };
}

/** ebpf_epoch_synchronize and an NMR deregistration wait: only PASSIVE threads may call them (reference 2.6). */
function passiveOnly(name: string, field: string, irql: IrqlName): void {
  if (irql !== 'PASSIVE') fail(`${field}.op`, `${name} waits, so it runs only on PASSIVE threads (this thread is ${irql})`);
}

type KeyedOp = Extract<ScenarioOp, { op: 'update' | 'find' | 'delete' | 'find_and_delete' }>;

function compileKeyedOp(op: KeyedOp, field: string, maps: MapPlan[]): OpPlan {
  const m = findMap(maps, op.map, `${field}.map`);
  const key = encodeAt(op.key, m.keySize, 'key', `${field}.key`);
  switch (op.op) {
    case 'update': {
      const value = encodeAt(op.value, m.valueSize, 'value', `${field}.value`);
      return { op: 'update', map: m.index, key, value, option: typeof op.option === 'number' ? op.option : UPDATE_OPTIONS[op.option] };
    }
    case 'find': return { op: 'find', map: m.index, key, add: op.add };
    case 'delete': return { op: 'delete', map: m.index, key };
    case 'find_and_delete': return { op: 'find_and_delete', map: m.index, key };
  }
}

function findMap(maps: MapPlan[], name: string, field: string): MapPlan {
  return maps.find((m) => m.name === name) ?? fail(field, `no map named ${JSON.stringify(name)}`);
}

/** What compile-ops.ts uses to compile the operations beyond CRUD. */
const COMPILER: OpCompiler = { fail, findMap, encodeAt, updateOption: (o) => UPDATE_OPTIONS[o] };

function compileWorkload(w: ScenarioWorkload, maps: MapPlan[]): WorkloadPlan {
  const insertPct = w.insertPct ?? 0;
  const sum = w.findPct + insertPct + w.updatePct + w.deletePct;
  if (Math.abs(sum - 100) > 1e-9) {
    const terms = w.insertPct === undefined ? 'findPct + updatePct + deletePct' : 'findPct + insertPct + updatePct + deletePct';
    fail(w.insertPct === undefined ? 'workload' : 'workload.insertPct', `${terms} must be 100, got ${sum}`);
  }
  const names = w.maps ?? maps.map((m) => m.name);
  const used = names.map((name, i) => findMap(maps, name, `workload.maps[${i}]`));
  used.forEach((m, i) => {
    if (used.indexOf(m) !== i) fail(`workload.maps[${i}]`, `map "${m.name}" is listed twice`);
    if (m.keySize < 4 && w.keyRange > 2 ** (8 * m.keySize)) {
      fail('workload.keyRange', `keys up to ${w.keyRange - 1} do not fit in map "${m.name}" (keySize ${m.keySize})`);
    }
  });
  if (w.prefill > w.keyRange) fail('workload.prefill', `must be at most keyRange (${w.keyRange}), got ${w.prefill}`);
  return {
    findPct: w.findPct, insertPct, updatePct: w.updatePct, deletePct: w.deletePct, keyRange: w.keyRange,
    updateOption: UPDATE_OPTIONS[w.updateOption ?? 'ANY'],
    opsPerCpu: w.opsPerCpu, batchSize: w.batchSize, durationMs: w.durationMs, controlledOpsPerCpu: w.controlledOpsPerCpu, irql: w.irql,
    maps: used.map((m) => m.index), prefill: w.prefill, afterThreads: w.afterThreads,
  };
}

/**
 * Checks each distinct provider once, with the options of every map that
 * uses it: a built-in here, a module in a supervised worker (the main thread
 * never imports it), which also catches an exit, a hang or a throw while loading.
 */
async function checkProviders(maps: MapPlan[], s: Scenario): Promise<void> {
  const bySpec = new Map<string, MapPlan[]>();
  for (const m of maps) {
    const typeScript = typeScriptProblem(s.maps[m.name]!.provider);
    if (typeScript !== null) fail(`maps.${m.name}.provider`, typeScript);
    bySpec.set(m.provider, [...(bySpec.get(m.provider) ?? []), m]);
  }
  for (const [spec, group] of bySpec) {
    const builtin = BUILTIN_PROVIDERS[spec];
    const missing = builtin ? group.map((m) => missingCallbacks(builtinWith(builtin, m))) : await checkModule(spec, group, s);
    missing.forEach((names, i) => {
      if (names.length > 0) fail(`maps.${group[i]!.name}.provider`, `provider lacks required callbacks: ${names.join(', ')}`);
    });
  }
}

/** A built-in provider made with a map's options; options it rejects are bad input naming the map's options. */
function builtinWith(factory: ProviderFactory, m: MapPlan): MapProvider {
  try {
    return factory(m.options);
  } catch (err) {
    return fail(`maps.${m.name}.options`, errorText(err));
  }
}

/** A module's missing callbacks per map of `group`, checked in a worker; what it did wrong is a FieldError. */
async function checkModule(spec: string, group: MapPlan[], s: Scenario): Promise<string[][]> {
  const first = group[0]!;
  const given = s.maps[first.name]!.provider;
  const answer = await checkProviderModule(spec, group.map((m) => m.options));
  if (answer.ok) return answer.missing;
  const field = `maps.${first.name}.provider`;
  if (answer.byModule) return fail(field, `provider module ${JSON.stringify(given)} ${answer.problem}`);
  if (answer.notFound && !/[/\\.]/.test(given)) {
    const builtins = Object.keys(BUILTIN_PROVIDERS).join(', ');
    return fail(field, `no built-in provider named ${JSON.stringify(given)} (built-ins: ${builtins}) and no module file at that path`);
  }
  return fail(field, answer.problem);
}

function errorText(err: unknown): string {
  return (err instanceof Error ? err.message : String(err)).split('\n')[0] ?? '';
}

function encodeAt(value: unknown, size: number, what: 'key' | 'value', field: string): Uint8Array {
  try {
    return encodeBytes(value, size, what);
  } catch (err) {
    return fail(field, errorText(err));
  }
}

/** Encodes a scenario key (integer, little-endian, or "hex:..." zero-padded) in exactly `size` bytes. Throws Error. */
export function encodeKey(value: unknown, size: number): Uint8Array {
  return encodeBytes(value, size, 'key');
}

/** Encodes a scenario value like encodeKey, in the map's valueSize. Throws Error. */
export function encodeValue(value: unknown, size: number): Uint8Array {
  return encodeBytes(value, size, 'value');
}

function encodeBytes(value: unknown, size: number, what: 'key' | 'value'): Uint8Array {
  const tooWide = `${what} wider than ${what}Size (${size} byte${size === 1 ? '' : 's'})`;
  if (typeof value === 'string') return encodeHex(value, size, tooWide);
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 0) {
    throw new Error(`expected a non-negative integer or a "hex:..." string, got ${describeValue(value)}`);
  }
  const out = new Uint8Array(size);
  let rest = BigInt(value);
  for (let i = 0; i < size && rest > 0n; i++) {
    out[i] = Number(rest & 0xffn);
    rest >>= 8n;
  }
  if (rest > 0n) throw new Error(tooWide);
  return out;
}

function encodeHex(text: string, size: number, tooWide: string): Uint8Array {
  const digits = text.startsWith('hex:') ? text.slice(4) : null;
  if (digits === null || !/^(?:[0-9a-fA-F]{2})*$/.test(digits)) {
    throw new Error(`expected a non-negative integer or "hex:" and pairs of hex digits, got ${describeValue(text)}`);
  }
  if (digits.length / 2 > size) throw new Error(tooWide);
  const out = new Uint8Array(size);
  for (let i = 0; i < digits.length / 2; i++) out[i] = parseInt(digits.slice(2 * i, 2 * i + 2), 16);
  return out;
}
