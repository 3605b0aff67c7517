/**
 * Runs the longest suites first, so that two workers finish together instead of one waiting
 * on a long suite that started last. Jest orders by the durations it measured in an earlier
 * run of the same checkout; a fresh clone (CI) has none, and jest falls back to file size,
 * which starts some of the longest suites (a 450 MP cut, a worker killed mid-job) near the
 * end. The list holds those known to take longest, longest first (from a timed run:
 * `jest --json`, docs/testing.md); every other suite keeps jest's own order after them.
 */
import Sequencer from '@jest/test-sequencer';

const LONGEST_FIRST = [
  'test/web-app.e2e-spec.ts',
  'test/renditions.e2e-spec.ts',
  'test/processes.e2e-spec.ts',
  'test/large-panorama.e2e-spec.ts',
  'test/worker-crash.e2e-spec.ts',
  'test/embedded-database.e2e-spec.ts',
  'test/swagger-ui.e2e-spec.ts',
  'test/embed-anywhere.e2e-spec.ts',
  'test/stored-keys.e2e-spec.ts',
  'test/leftovers.e2e-spec.ts',
  'test/early-refusals.e2e-spec.ts',
  'test/read-replicas.e2e-spec.ts',
];

class LongestFirst extends Sequencer {
  sort(tests) {
    const rank = (test) => {
      const at = LONGEST_FIRST.findIndex((suffix) => test.path.endsWith(suffix));
      return at === -1 ? LONGEST_FIRST.length : at;
    };
    return [...super.sort(tests)].sort((a, b) => rank(a) - rank(b));
  }
}

export default LongestFirst;
