/**
 * Prints one plain closing line, "tests: N passed, N failed, N skipped", that CI tools read
 * whatever the runner (jest's own summary has a different shape).
 */
export default class SummaryReporter {
  onRunComplete(_contexts, results) {
    const { numPassedTests: passed, numFailedTests: failed, numPendingTests: skipped, numTodoTests: todo } = results;
    process.stdout.write(`\ntests: ${passed} passed, ${failed} failed, ${skipped + todo} skipped\n`);
  }
}
