/**
 * How every Lambda handler is bundled, in one place: the stack passes
 * `bundling` to each NodejsFunction, and a benchmark (or any script) can call
 * esbuild with `esbuildOptions()` to produce the very same artefact.
 */

import { type BundlingOptions, OutputFormat } from 'aws-cdk-lib/aws-lambda-nodejs';
import type { BuildOptions } from 'esbuild';

/** Matches the Lambda runtime (nodejs24.x). */
export const BUNDLE_TARGET = 'node24';

/**
 * ESM output still meets CommonJS dependencies that call `require` for Node
 * built-ins; this shim gives them one.
 */
export const ESM_REQUIRE_SHIM =
  "import { createRequire } from 'node:module'; const require = createRequire(import.meta.url);";

/** Prefer the packages' ESM builds: smaller bundles, better tree shaking. */
export const MAIN_FIELDS = ['module', 'main'];

/** NodejsFunction's name for the bundle it writes in ESM format. */
export const BUNDLE_FILE = 'index.mjs';

/**
 * Shared NodejsFunction bundling options.
 *
 * - `externalModules: []` bundles the AWS SDK v3 too: the version we test is
 *   the version we run, not whatever the runtime ships that month.
 * - Minified, with a source map (`NODE_OPTIONS=--enable-source-maps` turns
 *   stack traces back into TypeScript lines); `sourcesContent: false` keeps the
 *   sources themselves out of the map and the package small.
 * - `keepNames`: the state machine's Retry and Catch rules match on error
 *   names; minification must never be able to rename one.
 * - Never Docker: esbuild comes from node_modules, so synthesis works offline.
 */
export const bundling: BundlingOptions = {
  minify: true,
  sourceMap: true,
  sourcesContent: false,
  keepNames: true,
  format: OutputFormat.ESM,
  target: BUNDLE_TARGET,
  mainFields: MAIN_FIELDS,
  banner: ESM_REQUIRE_SHIM,
  externalModules: [],
  forceDockerBundling: false,
};

/**
 * The esbuild options equivalent to `bundling`, for scripts that bundle a
 * handler without CDK (benchmarks, size checks).
 */
export function esbuildOptions(entry: string, outfile: string): BuildOptions {
  return {
    entryPoints: [entry],
    outfile,
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: BUNDLE_TARGET,
    minify: true,
    sourcemap: true,
    sourcesContent: false,
    keepNames: true,
    mainFields: MAIN_FIELDS,
    banner: { js: ESM_REQUIRE_SHIM },
    external: [],
  };
}
