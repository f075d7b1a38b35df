/**
 * A builder of synthetic traces (plain objects shaped like decoded events)
 * for unit tests of the checker's rules, and the tests that keep it honest:
 * its well-formed baseline trace raises nothing, ALL_RULES implements every
 * trace rule of the catalog, and one ALL_RULES serves several checkers
 * without their states mixing. The rule tests import the builder from here.
 */
import { expect } from 'chai';
import { ContractChecker } from '../../src/check/checker.js';
import { ALL_RULES } from '../../src/check/rules/index.js';
import { RULES, Rule } from '../../src/contract/rules.js';
import type { TraceEvent } from '../../src/trace/decode.js';

type Fields = Record<string, unknown>;

export const SUCCESS = 'EBPF_SUCCESS';
export const HELPER = 'EBPF_MAP_OPERATION_HELPER';
export const UPDATE = 'EBPF_MAP_OPERATION_UPDATE';
export const MAP_CLEANUP = 'EBPF_MAP_OPERATION_MAP_CLEANUP';

const REQUIRED = ['preprocess_map_create', 'postprocess_map_delete', 'preprocess_map_associate_program_type'];
/** A passthrough-like provider: every element callback, postprocess delete. */
export const REG_POST = [...REQUIRED, 'postprocess_map_find_element', 'preprocess_map_update_element', 'postprocess_map_delete_element'];
/** A legacy provider: the deprecated preprocess delete only. */
export const REG_PRE = [...REQUIRED, 'preprocess_map_delete_element'];
const VOID_CALLBACKS = new Set(['postprocess_map_delete', 'postprocess_map_delete_element']);

/** Builds a trace event by event; op_begin/op_end of non-helper ops enter and exit an epoch. */
export class TraceBuilder {
  readonly events: TraceEvent[] = [];
  private seq = 0;
  private readonly depth = new Map<number, number>();
  private readonly modes = new Map<number, string[]>();
  epoch = 5;

  ev(cpu: number, event: string, fields: Fields = {}, irql = 'PASSIVE'): TraceEvent {
    const e = { seq: ++this.seq, cpu, irql, event, ...fields } as TraceEvent;
    this.events.push(e);
    return e;
  }

  enter(cpu: number): this {
    const d = (this.depth.get(cpu) ?? 0) + 1;
    this.depth.set(cpu, d);
    this.ev(cpu, 'epoch_enter', { epoch: this.epoch, state: 0, depth: d });
    return this;
  }

  exit(cpu: number): this {
    const d = (this.depth.get(cpu) ?? 0) - 1;
    this.depth.set(cpu, d);
    this.ev(cpu, 'epoch_exit', { epoch: this.epoch, state: 0, depth: d });
    return this;
  }

  begin(cpu: number, op: string, fields: Fields = {}): this {
    const mode = String(fields['mode'] ?? (op === 'map_cleanup' ? 'system' : 'user'));
    this.ev(cpu, 'op_begin', { map: 'm', op, mode, ...fields }, mode === 'helper' ? 'DISPATCH' : 'PASSIVE');
    const stack = this.modes.get(cpu) ?? [];
    stack.push(mode);
    this.modes.set(cpu, stack);
    if (mode !== 'helper') this.enter(cpu);
    return this;
  }

  end(cpu: number, op: string, result = SUCCESS, fields: Fields = {}): this {
    const mode = this.modes.get(cpu)?.pop() ?? 'user';
    if (mode !== 'helper') this.exit(cpu);
    this.ev(cpu, 'op_end', { map: 'm', op, result, ...fields }, mode === 'helper' ? 'DISPATCH' : 'PASSIVE');
    return this;
  }

  /** A callback event (recorded when it returns): inside an epoch, no lock, SUCCESS unless void. */
  cb(cpu: number, name: string, fields: Fields = {}, irql = 'PASSIVE'): this {
    const result = VOID_CALLBACKS.has(name) ? {} : { result: SUCCESS };
    this.ev(cpu, name, { map: 'm', flags: [], inEpoch: true, bucketLockHeld: false, ...result, ...fields }, irql);
    return this;
  }

  lock(cpu: number, bucket = 1): this {
    this.ev(cpu, 'bucket_lock', { map: 'm', bucket }, 'DISPATCH');
    return this;
  }

  unlock(cpu: number, core: string, value = 0, newValue = 0): this {
    const fields: Fields = { map: 'm', bucket: 1, core };
    if (value !== 0) fields['value'] = value;
    if (newValue !== 0) fields['newValue'] = newValue;
    this.ev(cpu, 'bucket_unlock', fields, 'DISPATCH');
    return this;
  }

  retire(cpu: number, block: number, tag = 'eVal'): this {
    this.ev(cpu, 'retire', { map: 'm', block, epoch: this.epoch, tag });
    return this;
  }

  create(registered = REG_POST, fields: Fields = {}): this {
    this.begin(0, 'create').cb(0, 'preprocess_map_create');
    return this.end(0, 'create', SUCCESS, { registered, updatesOriginalValue: false, preFreeMode: false, ...fields });
  }

  insert(key: string, value: number, cpu = 0): this {
    this.begin(cpu, 'update', { key, option: 'ANY' }).cb(cpu, 'preprocess_map_update_element', { key });
    return this.lock(cpu).unlock(cpu, 'insert', value).end(cpu, 'update', SUCCESS, { key });
  }

  replace(key: string, old: number, value: number, cpu = 0): this {
    this.begin(cpu, 'update', { key, option: 'ANY' }).cb(cpu, 'preprocess_map_update_element', { key });
    this.lock(cpu).unlock(cpu, 'replace', old, value);
    this.cb(cpu, 'postprocess_map_delete_element', { key, flags: [UPDATE], value: old }).retire(cpu, old);
    return this.end(cpu, 'update', SUCCESS, { key });
  }

  find(key: string, hit: boolean, cpu = 0): this {
    this.begin(cpu, 'find', { key });
    if (hit) this.cb(cpu, 'postprocess_map_find_element', { key });
    return this.end(cpu, 'find', hit ? SUCCESS : 'EBPF_OBJECT_NOT_FOUND', { key });
  }

  /** An explicit user delete in FREE mode (postprocess delete after the unlock). */
  remove(key: string, value: number, cpu = 0): this {
    this.begin(cpu, 'delete', { key }).lock(cpu).unlock(cpu, 'remove', value);
    this.cb(cpu, 'postprocess_map_delete_element', { key, value }).retire(cpu, value);
    return this.end(cpu, 'delete', SUCCESS, { key });
  }

  /** The deferred map cleanup on the system lane: one MAP_CLEANUP callback per value, then postprocess_map_delete. */
  cleanup(values: number[], callback = 'postprocess_map_delete_element'): this {
    this.begin(-1, 'map_cleanup');
    for (const value of values) this.cb(-1, callback, { flags: [MAP_CLEANUP], value }).retire(-1, value);
    this.cb(-1, 'postprocess_map_delete');
    return this.end(-1, 'map_cleanup', SUCCESS, { entries: values.length });
  }
}

/** Runs events through a fresh checker with ALL_RULES; returns the checker. */
export function check(events: TraceEvent[]): ContractChecker {
  const checker = new ContractChecker(ALL_RULES, { rerun: 'test', maxReports: 1000 });
  for (const e of events) checker.write(e);
  checker.close();
  return checker;
}

/** Violation counts by rule id. */
export const byRule = (events: TraceEvent[]): Record<string, number> => check(events).summary().byRule;

/** The well-formed baseline: create, insert, replace, finds, delete, insert, cleanup. */
export function baseline(): TraceBuilder {
  return new TraceBuilder().create().insert('01', 100).find('01', true).replace('01', 100, 200)
    .find('02', false).remove('01', 200).insert('02', 300).cleanup([300]);
}

/** The catalog ids the contract checker implements (those after the runtime-detected ones). */
/** The catalog's trace-checked rules: those from lifecycle.create-first on, less the runtime-detected rules appended after them. */
export const TRACE_RULE_IDS = RULES.slice(RULES.findIndex((r) => r.id === 'lifecycle.create-first')).map((r) => r.id)
  .filter((id) => id !== RULES[Rule.MigrateDispatch]!.id);

describe('check: synthetic trace builder and ALL_RULES', () => {
  it('the baseline trace raises no violation', () => {
    expect(byRule(baseline().events)).to.deep.equal({});
  });

  it('ALL_RULES implements exactly the catalog rules checked on the trace', () => {
    const ids = new Set(ALL_RULES.flatMap((r) => [...r.ids]));
    expect([...ids].sort()).to.deep.equal([...TRACE_RULE_IDS].sort());
    expect(TRACE_RULE_IDS).to.include.members(['lifecycle.create-first', 'age.window', 'delete.must-not-fail']);
  });

  it('one ALL_RULES serves interleaved checkers without mixing their states', () => {
    const bad = new TraceBuilder().create();
    bad.begin(0, 'find', { key: '01' }).cb(0, 'postprocess_map_find_element').cb(0, 'postprocess_map_find_element');
    bad.end(0, 'find', SUCCESS).cleanup([]);
    const good = baseline().events;
    const a = new ContractChecker(ALL_RULES, { rerun: 'a' });
    const b = new ContractChecker(ALL_RULES, { rerun: 'b' });
    const n = Math.max(bad.events.length, good.length);
    for (let i = 0; i < n; i++) {
      if (i < bad.events.length) a.write(bad.events[i]!);
      if (i < good.length) b.write(good[i]!);
    }
    a.close();
    b.close();
    expect(a.summary().byRule).to.deep.equal({ 'find.after-hit': 1 });
    expect(b.summary().byRule).to.deep.equal({});
  });
});
