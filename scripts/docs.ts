/**
 * `npm run docs`: regenerates every generated file from its source of truth:
 * - schemas/events/*.json from functions/contract/events.ts (also `npm run schemas`),
 * - docs/openapi.json from the routes in functions/contract/manifest.ts and their zod schemas,
 * - docs/state-machine.md from statemachines/onboarding.asl.json.
 * `--check` changes nothing and exits 1 when a file is out of date (for CI).
 * `--only schemas` limits it to the event schemas.
 */
import { rmSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { eventSchemaFiles } from './lib/event-schemas.ts';
import { fromRoot, staleFiles, writeFiles } from './lib/files.ts';
import { allGeneratedFiles, orphanedEventSchemas } from './lib/generated.ts';
import { undocumentedRoutes } from './lib/openapi/document.ts';

const { values } = parseArgs({
  options: { check: { type: 'boolean', default: false }, only: { type: 'string' } },
});
if (values.only !== undefined && values.only !== 'schemas') {
  console.error(`Unknown --only ${values.only}: the only subset is "schemas".`);
  process.exit(64);
}

const files = values.only === 'schemas' ? eventSchemaFiles() : allGeneratedFiles();
const orphans = orphanedEventSchemas();
for (const route of values.only ? [] : undocumentedRoutes()) {
  console.warn(
    `warning: ${route.method} ${route.path} is documented from the manifest only; describe it in scripts/lib/openapi/operations.ts`,
  );
}

if (values.check) {
  const stale = [...staleFiles(files), ...orphans];
  if (stale.length > 0) {
    console.error(`Out of date (run npm run docs): ${stale.join(', ')}`);
    process.exit(1);
  }
  console.log(`${files.length} generated files are up to date.`);
} else {
  const written = writeFiles(files);
  for (const orphan of orphans) rmSync(fromRoot(orphan));
  for (const path of [...written, ...orphans.map((orphan) => `${orphan} (removed)`)])
    console.log(`wrote ${path}`);
  console.log(`${files.length} generated files, ${written.length + orphans.length} changed.`);
}
