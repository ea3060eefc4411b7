import { defineConfig } from 'vitest/config';

/**
 * The suites that run the product as it is packaged and used, each driving real processes: Chromium
 * through the demo and the end-user pages, the CLI, `npm start` and the README's commands as a user
 * runs them, a crash and restart, the conformance run, the CDK app synthesized, bundled and checked
 * with cdk-nag, and the benchmark's smoke test. `npm run test:e2e` (vitest.e2e.config.ts) runs them,
 * and CI right after `npm test`. Apart, because together with the rest the run is CPU-bound: about
 * 8 minutes of CPU over two cores, where `npm test` without them takes about 2.5 minutes.
 */
export const END_TO_END = [
  'test/browser/**/*.test.ts',
  'test/infra/**/*.test.ts',
  'test/bench-smoke.test.ts',
  'test/integration/cli-*.test.ts',
  'test/integration/readme-commands.test.ts',
  'test/integration/crash-restart.test.ts',
  'test/integration/conformance-simulator.test.ts',
];

/** What every run of the product's tests shares, whichever files it takes. */
export const sharedTestOptions = {
  // Each test file runs in its own process: the local stack sets AWS endpoint
  // variables for the handlers it loads, so two stacks must never share a process.
  pool: 'forks',
  // Four files at a time on a 2-core machine: an integration file spends most of its time waiting on
  // loopback (the stack's timers, polling with deadlines), so four keep both cores busy. Measured on
  // the whole suite: 320 s with vitest's default against 141 s with four. The DynamoDB Local pass
  // (npm run test:dynamodb-local) runs one file at a time: each file starts its own JVM, and two at a
  // time (150 s against 293 s) once left the invariant's stack more than a minute to close.
  maxWorkers: 4,
  testTimeout: 30_000,
  hookTimeout: 60_000,
  // Integration tests bind ephemeral loopback ports only.
  // Business metrics (EMF on stdout) stay quiet unless a test asks for them (startLocalStack({ metrics: true })).
  env: { AWS_REGION: 'eu-west-2', POWERTOOLS_METRICS_DISABLED: 'true' },
} as const;

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts', 'local/test/**/*.test.ts', 'clients/*/test/**/*.test.ts'],
    // Checks against reference implementations that need more than Node run in `npm run test:reference`.
    exclude: ['**/node_modules/**', '**/*.moto.test.ts', ...END_TO_END],
    ...sharedTestOptions,
  },
});
