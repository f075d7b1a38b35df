/**
 * The scenario file's structure, as zod 4 schemas, and the conversion of a
 * zod issue into a one-line `FIELD: problem`. Only shapes, types and ranges
 * live here; cross-field checks (map names, key widths, CPU numbers) are in
 * scenario.ts.
 */
import { z } from 'zod';
import type { ScenarioFile } from './scenario-types.js';
import { oneLine } from '../contract/safe-text.js';

const int = (min: number, max: number) => z.int().min(min).max(max);
const num = (min: number, max: number) => z.number().min(min).max(max);

/** Key or value: a non-negative integer or a "hex:..." string; checked by encodeKey. */
const bytes = z.unknown();
const mapName = z.string();

const updateOp = z.strictObject({
  op: z.literal('update'), map: mapName, key: bytes, value: bytes,
  // A number is a raw option: anything but 0..2 is a bad option (rejected as the profile says).
  option: z.union([z.enum(['ANY', 'NOEXIST', 'EXIST']), int(0, 2 ** 31 - 1)], {
    error: (issue) => `expected "ANY", "NOEXIST", "EXIST" or an integer from 0 to ${2 ** 31 - 1}, got ${describeValue(issue.input)}`,
  }).default('ANY'),
});
const findOp = z.strictObject({ op: z.literal('find'), map: mapName, key: bytes, add: z.int().default(0) });
const deleteOp = z.strictObject({ op: z.literal('delete'), map: mapName, key: bytes });
const findAndDeleteOp = z.strictObject({ op: z.literal('find_and_delete'), map: mapName, key: bytes });
const deleteMapOp = z.strictObject({ op: z.literal('delete_map'), map: mapName });
const stallOp = z.strictObject({ op: z.literal('stall'), ms: num(0, 3_600_000) });
// Operations beyond CRUD (reference 1.9, 1.10, 1.13, 3; scenarios 27, 28, 34, 35, 40).
const nextKeyOp = z.strictObject({ op: z.literal('next_key'), map: mapName, key: bytes.optional() });
const iterateOp = z.strictObject({ op: z.literal('iterate'), map: mapName, limit: int(1, 1_000_000).default(1000) });
const pushOp = z.strictObject({ op: z.literal('push'), map: mapName, value: bytes });
const popOp = z.strictObject({ op: z.literal('pop'), map: mapName });
const peekOp = z.strictObject({ op: z.literal('peek'), map: mapName });
const findElementOp = z.strictObject({
  op: z.literal('find_element'), map: mapName.optional(), arrayMap: z.literal(true).optional(), key: bytes, add: z.int().default(0),
});
const updateBatchOp = z.strictObject({
  op: z.literal('update_batch'), map: mapName, entries: z.array(z.strictObject({ key: bytes, value: bytes })).min(1),
  option: z.enum(['ANY', 'NOEXIST', 'EXIST']).default('ANY'),
});
const deleteBatchOp = z.strictObject({ op: z.literal('delete_batch'), map: mapName, keys: z.array(bytes).min(1) });
const lookupBatchOp = z.strictObject({ op: z.literal('lookup_batch'), map: mapName });
const lookupAndDeleteBatchOp = z.strictObject({ op: z.literal('lookup_and_delete_batch'), map: mapName });
const updateWithHandleOp = z.strictObject({ op: z.literal('update_with_handle'), map: mapName, key: bytes });
const writeDataOp = z.strictObject({ op: z.literal('write_data'), map: mapName });
const setWaitHandleOp = z.strictObject({ op: z.literal('set_wait_handle'), map: mapName });
/** ebpf_epoch_synchronize from a PASSIVE thread; inEpoch: called from inside an epoch (reference 4 scenario 50). */
const synchronizeOp = z.strictObject({ op: z.literal('synchronize'), inEpoch: z.boolean().default(false) });
/** The provider of `map` deregisters (NMR): returns once every map bound to it was deleted (reference 1.1, 4 scenario 43). */
const deregisterProviderOp = z.strictObject({ op: z.literal('deregister_provider'), map: mapName });

/** Batches only: the thread moves to another CPU inside the program's epoch (reference 2.4, scenario 48). */
const migrateOp = z.strictObject({ op: z.literal('migrate'), cpu: int(0, 63) });

/** What a batch (one program invocation at DISPATCH) may contain. */
const batchedOp = z.discriminatedUnion('op', [updateOp, findOp, deleteOp, findAndDeleteOp, stallOp, pushOp, popOp, peekOp, findElementOp, migrateOp]);
const batchOp = z.strictObject({
  op: z.literal('batch'), count: int(1, 1_000_000_000).default(1), ops: z.array(batchedOp),
});
const threadOp = z.discriminatedUnion('op', [
  updateOp, findOp, deleteOp, findAndDeleteOp, deleteMapOp, batchOp, stallOp,
  nextKeyOp, iterateOp, pushOp, popOp, peekOp, findElementOp, updateBatchOp, deleteBatchOp, lookupBatchOp,
  lookupAndDeleteBatchOp, updateWithHandleOp, writeDataOp, setWaitHandleOp, synchronizeOp, deregisterProviderOp,
]);

/** Every op name, for telling "unknown op" from "not allowed here". */
export const OP_NAMES: readonly string[] = threadOp.options.map((o) => o.shape.op.value);
/** Ops allowed only inside a batch. */
const BATCH_ONLY_OPS: readonly string[] = ['migrate'];

const mapSchema = z.strictObject({
  provider: z.string().min(1),
  keySize: int(1, 64),
  valueSize: int(1, 4096),
  maxEntries: int(0, 1_048_576),
  options: z.record(z.string(), z.unknown()).default({}),
  /** The map type create asks for (default 15, the type every provider registers); reference 4 scenarios 1, 2. */
  mapType: int(0, 0xffff_ffff).default(15),
});

const threadSchema = z.strictObject({
  cpu: z.int().min(0),
  irql: z.enum(['PASSIVE', 'DISPATCH']),
  ops: z.array(threadOp),
  repeat: int(1, 1e9).default(1),
  controlledRepeat: int(1, 1e9).optional(),
  /** The program type the thread's program is loaded as (associate; reference 1.4, 4 scenario 36). */
  programType: z.string().min(1).max(64).default('sample'),
});

/** Controlled mode's operation budget per CPU for a generated workload (it has no clock). */
export const DEFAULT_CONTROLLED_OPS_PER_CPU = 256;

const workloadSchema = z.strictObject({
  findPct: num(0, 100),
  updatePct: num(0, 100),
  deletePct: num(0, 100),
  insertPct: num(0, 100).optional(),
  updateOption: z.enum(['ANY', 'EXIST']).optional(),
  keyRange: int(1, 2 ** 31 - 1),
  opsPerCpu: int(1, 1e9),
  batchSize: int(1, 100_000),
  durationMs: num(0, 3_600_000).default(0),
  controlledOpsPerCpu: int(1, 1e9).default(DEFAULT_CONTROLLED_OPS_PER_CPU),
  irql: z.enum(['mixed', 'PASSIVE', 'DISPATCH']).default('mixed'),
  maps: z.array(mapName).min(1).optional(),
  prefill: int(0, 2 ** 31 - 1).default(0),
  afterThreads: z.boolean().default(false),
});

export const scenarioSchema = z.strictObject({
  name: z.string().min(1).optional(),
  cpus: int(1, 64).default(2),
  seed: z.int().default(1),
  epochTickMs: num(0.1, 1000).default(1),
  maps: z.record(z.string(), mapSchema),
  threads: z.array(threadSchema).default([]),
  workload: workloadSchema.optional(),
  faults: z.strictObject({
    allocFailAt: z.array(int(1, Number.MAX_SAFE_INTEGER)).default([]),
    stall: z.array(z.strictObject({ cpu: int(0, 63), atOp: int(1, Number.MAX_SAFE_INTEGER), steps: int(1, 1_000_000) })).default([]),
    dropTicks: z.array(int(1, Number.MAX_SAFE_INTEGER)).default([]),
    delayTicks: z.array(z.strictObject({ tick: int(1, Number.MAX_SAFE_INTEGER), steps: int(1, 1_000_000) })).default([]),
    spuriousLockFailAt: z.array(int(1, Number.MAX_SAFE_INTEGER)).default([]),
    tempBufferFailAt: z.array(z.strictObject({ cpu: int(0, 63), at: int(1, Number.MAX_SAFE_INTEGER) })).default([]),
    nameAllocFail: z.array(mapName).default([]),
  }).default({ allocFailAt: [], stall: [], dropTicks: [], delayTicks: [], spuriousLockFailAt: [], tempBufferFailAt: [], nameAllocFail: [] }),
  stallEpochs: int(1, 1e9).default(200),
  watchdogMs: int(1, 3_600_000).default(10_000),
  arenaMB: int(1, 1024).default(64),
  traceRecords: int(64, 1_048_576).default(4096),
});

export type Scenario = z.output<typeof scenarioSchema>;
export type ScenarioMap = z.output<typeof mapSchema>;
export type ScenarioThread = z.output<typeof threadSchema>;
export type ScenarioOp = z.output<typeof threadOp>;
export type ScenarioBatchedOp = z.output<typeof batchedOp>;
export type ScenarioWorkload = z.output<typeof workloadSchema>;

/** True only when A and B are the same type. */
export type Same<A, B> = (<T>() => T extends A ? 1 : 2) extends (<T>() => T extends B ? 1 : 2) ? true : false;
/** A compile error unless T is true. */
export type Holds<T extends true> = T;
/** A compile error unless scenario-types.ts (the public, zod-free types) is exactly what the schema accepts. */
export type ScenarioTypesAgree = Holds<Same<ScenarioFile, z.input<typeof scenarioSchema>>>;

/** A field name shown bare in a path; any other is shown quoted, escaped and cut (`maps["a\\nb"]`). */
const PLAIN_NAME = /^[A-Za-z0-9_$][A-Za-z0-9_$.-]{0,39}$/;

/**
 * A field path as users write it: `threads[0].ops[2].op`, `maps.counters.keySize`;
 * always one line, whatever characters a field name holds.
 */
export function formatPath(path: readonly PropertyKey[]): string {
  let out = '';
  for (const part of path) {
    if (typeof part === 'number') out += `[${part}]`;
    else if (typeof part === 'string' && PLAIN_NAME.test(part)) out += out === '' ? part : `.${part}`;
    else out += `[${oneLine(JSON.stringify(String(part)), 40)}]`;
  }
  return out;
}

/** A short rendering of a bad input value for messages. */
export function describeValue(value: unknown): string {
  if (value === undefined) return 'nothing';
  if (Array.isArray(value)) return 'an array';
  if (value !== null && typeof value === 'object') return 'an object';
  const text = JSON.stringify(value) ?? String(value);
  return text.length > 40 ? `${text.slice(0, 37)}...` : text;
}

export interface FieldProblem { field: string | null; problem: string }

/** Parses structurally; returns the scenario or the first problem found. */
export function parseScenario(json: unknown): { ok: true; value: Scenario } | { ok: false; error: FieldProblem } {
  const result = scenarioSchema.safeParse(json, { reportInput: true });
  if (result.success) return { ok: true, value: result.data };
  return { ok: false, error: describeIssue(firstIssue(result.error.issues)) };
}

/**
 * The issue to report: the first, except that z.int()'s own safe-integer
 * bound gives way to the field's bound at the same path (1e308 for
 * maxEntries is "at most 1048576", not "at most 9007199254740991").
 */
function firstIssue(issues: readonly z.core.$ZodIssue[]): z.core.$ZodIssue {
  const first = issues[0]!;
  if (first.code !== 'too_big' || first.maximum !== Number.MAX_SAFE_INTEGER) return first;
  const same = (i: z.core.$ZodIssue): boolean => i !== first && i.path.length === first.path.length && i.path.every((p, k) => p === first.path[k]);
  return issues.find((i) => same(i) && i.code === 'too_big') ?? first;
}

/** Turns one zod issue into `FIELD` + `problem`. */
export function describeIssue(issue: z.core.$ZodIssue): FieldProblem {
  const path = [...issue.path];
  if (issue.code === 'unrecognized_keys') {
    return { field: formatPath([...path, issue.keys[0]!]) || null, problem: 'unknown field' };
  }
  const field = formatPath(path) || null;
  return { field, problem: issueProblem(issue) };
}

function issueProblem(issue: z.core.$ZodIssue): string {
  const got = describeValue(issue.input);
  switch (issue.code) {
    case 'invalid_type':
      if (issue.input === undefined) return 'missing';
      return `expected ${typeName(issue.expected)}, got ${got}`;
    case 'too_small':
      return issue.origin === 'array' ? `must have at least ${issue.minimum} item(s)`
        : `must be at least ${issue.minimum}${issue.origin === 'string' ? ' character(s)' : ''}, got ${got}`;
    case 'too_big':
      return issue.origin === 'array' ? `must have at most ${issue.maximum} item(s)`
        : `must be at most ${issue.maximum}, got ${got}`;
    case 'invalid_value':
      return `expected one of ${issue.values.map((v) => JSON.stringify(v)).join(', ')}, got ${got}`;
    case 'invalid_union':
      return unionProblem(issue);
    default:
      return issue.message;
  }
}

function unionProblem(issue: z.core.$ZodIssueInvalidUnion): string {
  const tag = (issue as { discriminator?: string }).discriminator;
  if (tag === undefined) return issue.message;
  const input = issue.input as Record<string, unknown> | undefined;
  const value = input?.[tag];
  if (value === undefined) return 'missing';
  if (typeof value === 'string' && OP_NAMES.includes(value)) return `op "${value}" is not allowed inside a batch`;
  if (typeof value === 'string' && BATCH_ONLY_OPS.includes(value)) return `op "${value}" is allowed only inside a batch`;
  return `unknown ${tag} ${describeValue(value)}`;
}

function typeName(expected: string): string {
  const names: Record<string, string> = {
    int: 'an integer', number: 'a number', string: 'a string', object: 'an object', record: 'an object',
    array: 'an array',
    boolean: 'true or false',
  };
  return names[expected] ?? expected;
}
