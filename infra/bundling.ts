/**
 * How every Lambda handler is bundled, in one place: the stack passes
 * `bundling` to each NodejsFunction, and a benchmark (or any script) can call
 * esbuild with `esbuildOptions()` to produce the very same artefact.
 */

import { type BundlingOptions, OutputFormat } from 'aws-cdk-lib/aws-lambda-nodejs';
import type { BuildOptions } from 'esbuild';

/** Matches the Lambda runtime (nodejs24.x). */
export const BUNDLE_TARGET = 'node24';

/** Prefer the packages' ESM builds: smaller bundles, better tree shaking. */
export const MAIN_FIELDS = ['module', 'main'];

/** NodejsFunction's name for the bundle it writes in CommonJS format. */
export const BUNDLE_FILE = 'index.js';

/**
 * Shared NodejsFunction bundling options.
 *
 * - CommonJS output, although the sources are ES modules. Lambda loads an
 *   `index.js` with `require`, and Node then loads `node:http` (which the
 *   SDK's HTTP handler imports) as a plain built-in. Imported from an ES
 *   module instead, `node:http` gets an ESM facade whose construction reads
 *   every export, including the lazy `WebSocket` getter, and so compiles
 *   Node's whole fetch implementation (undici): 20–35 ms of every cold start
 *   on the benchmark machine (BENCHMARKS.md, "Findings"; the ladder of
 *   BENCHMARKS.md measures it in every run). TrueLayer is called over Node's
 *   http client as well (functions/truelayer/http.ts), so no function loads
 *   undici at all; test/infra/synth.test.ts checks it.
 * - `externalModules: []` bundles the AWS SDK v3 too: the version we test is
 *   the version we run, not whatever the runtime ships that month.
 * - Minified, with a source map (`NODE_OPTIONS=--enable-source-maps` turns
 *   stack traces back into TypeScript lines); `sourcesContent: false` keeps the
 *   sources themselves out of the map and the package small.
 * - No `keepNames`. The state machine's Retry rules match error names, and
 *   Lambda reports `error.name`, which every error class here sets as a
 *   string literal that minification leaves alone; class and function names
 *   are never read. Keeping them would wrap every function and class of the
 *   bundle, the SDK's included, in a naming call at load: about 4 ms of each
 *   cold start (BENCHMARKS.md, "Findings"). test/infra/bundle-contents.test.ts checks
 *   the matched names on a minified bundle.
 * - Never Docker: esbuild comes from node_modules, so synthesis works offline.
 */
export const bundling: BundlingOptions = {
  minify: true,
  sourceMap: true,
  sourcesContent: false,
  format: OutputFormat.CJS,
  target: BUNDLE_TARGET,
  mainFields: MAIN_FIELDS,
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
    format: 'cjs',
    target: BUNDLE_TARGET,
    minify: true,
    sourcemap: true,
    sourcesContent: false,
    mainFields: MAIN_FIELDS,
    external: [],
  };
}
