import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts', 'clients/*/test/**/*.test.ts'],
    // Each test file runs in its own process: the local stack sets AWS endpoint
    // variables for the handlers it loads, so two stacks must never share a process.
    pool: 'forks',
    testTimeout: 30_000,
    hookTimeout: 60_000,
    // Integration tests bind ephemeral loopback ports only.
    // Business metrics (EMF on stdout) stay quiet unless a test asks for them (startLocalStack({ metrics: true })).
    env: { AWS_REGION: 'eu-west-2', POWERTOOLS_METRICS_DISABLED: 'true' },
  },
});
