/**
 * The layers of epochlab and the directions they may import, enforced by
 * dependency-cruiser in `npm test` (npm run lint:layers). The README's
 * "Layout of the code" draws the same table.
 *
 * Each src/ folder is a layer; LAYERS says which other layers it may import
 * (a layer may always import itself). Anything not listed is forbidden, so a
 * new upward import fails the suite. Type-only imports count too: the
 * sources are parsed with swc, before TypeScript erases them.
 */
const LAYERS = {
  // The vocabulary every layer shares: result codes, flags, IRQL, rule ids, mutants, tags, bad input.
  contract: [],
  // The SharedArrayBuffer: layout, the Atomics gateway, the scheduling seam, arena, rings, baton.
  shm: ['contract'],
  // Trace events over the shared record layout: kinds, decoding, merging, sinks, violation records.
  trace: ['contract', 'shm'],
  epoch: ['contract', 'shm', 'trace'],
  map: ['contract', 'shm', 'trace', 'epoch'],
  // Providers see only their interface and the shared vocabulary.
  providers: ['contract'],
  // The checker reads trace events only.
  check: ['contract', 'trace'],
  runtime: ['contract', 'shm', 'trace', 'epoch', 'map', 'providers'],
  // The controlled scheduler implements the runtime's Scheduler interface.
  sched: ['contract', 'shm', 'runtime'],
  // Scenario files: schema, compilation to a run plan, built-ins.
  scenario: ['contract', 'runtime', 'providers'],
  // One checked run: the runtime with the checker attached.
  harness: ['contract', 'trace', 'runtime', 'check'],
  // Race hunting: stress loops, dfs, shrinking, failure files, mutant hunts.
  hunt: ['contract', 'trace', 'runtime', 'check', 'harness', 'scenario', 'sched'],
  // Views of a trace: Perfetto export, the terminal timeline, the HTML page's document (trace events and checker reports only).
  view: ['contract', 'trace', 'check'],
  // Lessons: narrated controlled runs, shown with the views.
  lesson: ['contract', 'trace', 'runtime', 'check', 'harness', 'scenario', 'view'],
  // `epochlab bench`: workload mixes, baselines and floors, reclamation latency, the checker's cost, its outputs.
  bench: ['contract', 'shm', 'trace', 'runtime', 'harness', 'check', 'scenario'],
  // The programmatic API (run, stress, replay, mutants, contractDiff, lessons).
  api: ['contract', 'trace', 'runtime', 'providers', 'check', 'harness', 'scenario', 'sched', 'hunt', 'view', 'lesson', 'bench'],
  // The command line on top.
  cli: ['contract', 'trace', 'runtime', 'check', 'harness', 'scenario', 'sched', 'hunt', 'view', 'lesson', 'api', 'bench'],
};

const names = Object.keys(LAYERS);
const alternatives = (list) => `^src/(${list.join('|')})/`;

const layerRules = names.map((layer) => {
  const forbidden = names.filter((other) => other !== layer && !LAYERS[layer].includes(other));
  const allowed = LAYERS[layer].map((l) => `src/${l}/`).join(', ');
  return {
    name: `layer-${layer}`,
    comment: `src/${layer}/ may import only ${allowed || 'nothing else in src/'}`,
    severity: 'error',
    from: { path: `^src/${layer}/` },
    to: { path: alternatives(forbidden) },
  };
}).filter((rule) => !rule.to.path.includes('()'));

module.exports = {
  forbidden: [
    ...layerRules,
    {
      name: 'src-is-self-contained',
      comment: 'the library never imports the worker entry points, the benchmarks, the tests or the examples',
      severity: 'error',
      from: { path: '^src/' },
      to: { path: '^(workers|bench|test|examples)/' },
    },
    {
      name: 'package-entry-not-cli',
      comment: 'src/index.ts (the package entry) exports the API and the vocabulary, not the command line',
      severity: 'error',
      from: { path: '^src/index\\.ts$' },
      to: { path: '^src/cli/' },
    },
    {
      name: 'nothing-imports-the-package-entry',
      comment: 'inside the package, modules import each other directly; src/index.ts is for users',
      severity: 'error',
      from: { path: '^(src|workers)/' },
      to: { path: '^src/index\\.ts$' },
    },
    {
      name: 'workers-are-thin',
      comment: 'worker entry points hand tasks to the runtime (or a floor job to src/bench/) and plug in the scheduler, nothing more',
      severity: 'error',
      from: { path: '^workers/' },
      to: { path: '^src/', pathNot: '^src/(runtime|sched|bench)/' },
    },
    {
      name: 'page-is-alone',
      comment: 'the browser page (src/view/page/) sees only itself and the document types it is handed',
      severity: 'error',
      from: { path: '^src/view/page/' },
      to: { path: '^src/', pathNot: '^src/view/(page/|document\\.ts$)' },
    },
    {
      name: 'page-is-not-node',
      comment: 'nothing on the Node side imports the browser page; html.ts inlines its bundle as text',
      severity: 'error',
      from: { path: '^src/', pathNot: '^src/view/page/' },
      to: { path: '^src/view/page/' },
    },
    {
      name: 'no-circular',
      comment: 'no module reaches itself through its imports',
      severity: 'error',
      from: {},
      to: { circular: true },
    },
  ],
  options: {
    parser: 'swc',
    tsPreCompilationDeps: true,
    doNotFollow: { path: 'node_modules' },
    exclude: { path: '^dist/' },
    tsConfig: { fileName: 'tsconfig.json' },
  },
};
