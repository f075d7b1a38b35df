'use strict';
// Mocha's spec reporter, followed by one plain closing line "N passed, N failed"
// that CI reads. Mocha's own "N passing" summary is not a format CI recognises.
const Mocha = require('mocha');

class ClosingLineReporter extends Mocha.reporters.Spec {
  constructor(runner, options) {
    super(runner, options);
    let passed = 0;
    let failed = 0;
    runner.on(Mocha.Runner.constants.EVENT_TEST_PASS, () => { passed += 1; });
    runner.on(Mocha.Runner.constants.EVENT_TEST_FAIL, () => { failed += 1; });
    runner.once(Mocha.Runner.constants.EVENT_RUN_END, () => {
      // The spec reporter registered its epilogue first, so this line comes last.
      process.stdout.write(`${passed} passed, ${failed} failed\n`);
    });
  }
}

module.exports = ClosingLineReporter;
