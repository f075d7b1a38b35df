/**
 * Compiles the scenario ops beyond CRUD (next_key, iterate, push, pop, peek,
 * find_element, update_batch, delete_batch and the unsupported operations)
 * into their OpPlan. The field checks and encodings are scenario.ts's, handed
 * in as an OpCompiler, so every problem is the same one-line FieldError.
 */
import type { MapPlan, OpPlan } from '../runtime/plan.js';
import type { ScenarioOp } from './schema.js';

/** scenario.ts's helpers: fail throws its FieldError. */
export interface OpCompiler {
  fail(field: string | null, problem: string): never;
  findMap(maps: MapPlan[], name: string, field: string): MapPlan;
  encodeAt(value: unknown, size: number, what: 'key' | 'value', field: string): Uint8Array;
  updateOption(option: 'ANY' | 'NOEXIST' | 'EXIST'): number;
}

type KeyedOp = Extract<ScenarioOp, { op: 'update' | 'find' | 'delete' | 'find_and_delete' }>;
type MoreOp = Exclude<ScenarioOp, KeyedOp | { op: 'stall' | 'batch' | 'delete_map' | 'synchronize' | 'deregister_provider' }>;

/** The operations beyond CRUD (see plan.ts); `program`: the op runs inside a program (a DISPATCH thread or a batch). */
export function compileMoreOp(op: MoreOp, field: string, program: boolean, maps: MapPlan[], c: OpCompiler): OpPlan {
  if (op.op === 'find_element') return compileFindElement(op, field, program, maps, c);
  const { encodeAt } = c;
  const m = c.findMap(maps, op.map, `${field}.map`);
  switch (op.op) {
    case 'next_key':
      return { op: 'next_key', map: m.index, key: op.key === undefined ? null : encodeAt(op.key, m.keySize, 'key', `${field}.key`) };
    case 'iterate': return { op: 'iterate', map: m.index, limit: op.limit };
    case 'push': return { op: 'push', map: m.index, value: encodeAt(op.value, m.valueSize, 'value', `${field}.value`) };
    case 'pop': return { op: 'pop', map: m.index };
    case 'peek': return { op: 'peek', map: m.index };
    case 'update_batch':
      return {
        op: 'update_batch', map: m.index, option: c.updateOption(op.option),
        entries: op.entries.map((e, k) => ({
          key: encodeAt(e.key, m.keySize, 'key', `${field}.entries[${k}].key`),
          value: encodeAt(e.value, m.valueSize, 'value', `${field}.entries[${k}].value`),
        })),
      };
    case 'delete_batch':
      return { op: 'delete_batch', map: m.index, keys: op.keys.map((k, j) => encodeAt(k, m.keySize, 'key', `${field}.keys[${j}]`)) };
    default: {
      const key = op.op === 'update_with_handle' ? encodeAt(op.key, m.keySize, 'key', `${field}.key`) : null;
      return { op: 'unsupported', what: op.op, map: m.index, key };
    }
  }
}

/** find_element: a program helper, on a scenario map or (arrayMap) on an array map, whose keys are u32 indexes. */
function compileFindElement(op: Extract<ScenarioOp, { op: 'find_element' }>, field: string, program: boolean, maps: MapPlan[],
  c: OpCompiler): OpPlan {
  const { encodeAt } = c;
  if (!program) {
    c.fail(`${field}.op`, 'find_element is an extension helper a program calls: use it on a DISPATCH thread or inside a batch');
  }
  if ((op.map === undefined) === (op.arrayMap === undefined)) c.fail(field, 'find_element needs exactly one of map and arrayMap');
  if (op.map === undefined) return { op: 'find_element', map: -1, key: encodeAt(op.key, 4, 'key', `${field}.key`), add: op.add };
  const m = c.findMap(maps, op.map, `${field}.map`);
  return { op: 'find_element', map: m.index, key: encodeAt(op.key, m.keySize, 'key', `${field}.key`), add: op.add };
}
