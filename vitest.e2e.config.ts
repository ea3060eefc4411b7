import { defineConfig } from 'vitest/config';
import { END_TO_END, sharedTestOptions } from './vitest.config.ts';

/**
 * `npm run test:e2e`: the product as it is packaged and used (vitest.config.ts says which suites and
 * why they run apart). CI runs it right after `npm test`.
 */
export default defineConfig({
  test: {
    include: END_TO_END,
    exclude: ['**/node_modules/**'],
    ...sharedTestOptions,
  },
});
