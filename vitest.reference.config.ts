import { defineConfig } from 'vitest/config';

/**
 * Checks against independent reference implementations that need more than Node: moto's EventBridge
 * matcher (python3 with moto 5.2.1). `npm run test:reference`; CI runs it after `npm test`.
 */
export default defineConfig({
  test: {
    include: ['local/test/**/*.moto.test.ts'],
    pool: 'forks',
    testTimeout: 30_000,
  },
});
