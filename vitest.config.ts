import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts', 'local/test/**/*.test.ts', 'clients/*/test/**/*.test.ts'],
    // Checks against reference implementations that need more than Node run in `npm run test:reference`.
    exclude: ['**/node_modules/**', '**/*.moto.test.ts'],
    // Each test file runs in its own process: the local stack sets AWS endpoint
    // variables for the handlers it loads, so two stacks must never share a process.
    pool: 'forks',
    // Four files at a time on a 2-core machine: an integration file spends most of its time waiting on
    // loopback (the stack's timers, polling with deadlines), so four keep both cores busy. Measured on
    // the whole suite: 320 s with vitest's default against 141 s with four. The DynamoDB Local pass
    // (npm run test:dynamodb-local) runs two at a time: each file starts its own JVM (150 s for its
    // seventeen files, against 293 s one at a time).
    maxWorkers: 4,
    testTimeout: 30_000,
    hookTimeout: 60_000,
    // Integration tests bind ephemeral loopback ports only.
    // Business metrics (EMF on stdout) stay quiet unless a test asks for them (startLocalStack({ metrics: true })).
    env: { AWS_REGION: 'eu-west-2', POWERTOOLS_METRICS_DISABLED: 'true' },
  },
});
