/**
 * epochlab as a library. A provider author imports the vocabulary and the
 * provider interface:
 *
 *     import { EbpfResult, MapOperationFlag, type ProviderModule } from 'epochlab';
 *
 * and a script runs scenarios and gets the report objects that the command
 * line prints with --json:
 *
 *     import { run, stress } from 'epochlab';
 *     const report = await run('smoke');
 *     const hunt = await stress('examples/mutant-hunt.json', { runs: 100, mutant: 'free-immediately' });
 *
 * A scenario is a built-in name, a path to a .json file, or the scenario
 * object itself. Bad input (a scenario field, an option) throws BadInput,
 * whose message names the file and the field.
 */

// The shared vocabulary.
export { EbpfResult, resultName, resultCode, type EbpfResultCode } from './contract/ebpf-result.js';
export { MapOperationFlag, UpdateOption, flagNames } from './contract/map-operation.js';
export { Irql, irqlName, type IrqlLevel, type IrqlName } from './contract/irql.js';
export { RULES, familyOf, type RuleInfo } from './contract/rules.js';
export { MUTANT_NAMES, type MutantName } from './contract/mutants.js';
export { fourcc, tagName } from './contract/tags.js';

// What a provider implements and what it is handed.
export type {
  ProviderModule, ProviderFactory, MapProvider, ProviderProperties, ProviderDispatchTable, ProviderContext,
  ProviderMemory, EpochApi, KernelServices, CreateOut, IrqlValue,
} from './providers/provider.js';

// Running scenarios.
export { run, checkDeterminism, type RunOptions, type RunResult, type DeterminismReport, type RunProgressEvent } from './api/run.js';
export { stress, type StressOptions, type StressReport, type StressViolation } from './api/stress.js';
export { replay, type ReplayOptions, type ReplayReport } from './api/replay.js';
export { view, type ViewOptions, type ViewReport } from './api/view.js';
export type { PageReport } from './api/page.js';
export { mutants, type MutantsOptions, type MutantsReport, type MutantResult } from './api/mutants.js';
export { contractDiff, type ContractDiff, type ContractDiffOptions, type DiffRow, type ScenarioRun } from './api/contract-diff.js';
export { scenarios, rules, type ScenarioInfo } from './api/catalog.js';
export { lessons, lesson, type LessonInfo, type LessonResult, type LessonOptions } from './api/lesson.js';
export { bench, type BenchOptions, type BenchReport } from './api/bench.js';
export type { BenchResult } from './bench/bench.js';
export type { ScenarioInput } from './api/scenario-arg.js';
export type {
  ScenarioFile as Scenario, ScenarioMapInput, ScenarioThreadInput, ScenarioOpInput, ScenarioBatchedOp,
  ScenarioWorkloadInput, ScenarioFaultsInput,
} from './scenario/scenario-types.js';
export { parseDuration } from './api/duration.js';
export { VERSION } from './api/version.js';

// What the reports contain.
export type { CheckedReport } from './harness/checked-run.js';
export type { CheckSummary } from './check/checker.js';
export type { ViolationReport } from './check/violation-report.js';
export type { TraceEvent } from './trace/decode.js';
export type { LessonDocument, LessonStep, TraceDocument, ViewDocument, RunInfo, TraceWindow } from './view/document.js';
export type { RunReport, ReportedViolation } from './runtime/report.js';
export { BadInput } from './contract/bad-input.js';
