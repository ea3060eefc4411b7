/**
 * Every committed file a generator owns, in one list: `npm run docs` writes
 * them, `npm run docs -- --check` and the drift tests compare them.
 */
import { readdirSync } from 'node:fs';
import { EVENT_SCHEMA_DIR, eventSchemaFiles } from './event-schemas.ts';
import { fromRoot, type GeneratedFile, jsonText } from './files.ts';
import { openApiDocument } from './openapi/document.ts';
import { stateMachineFiles } from './state-diagram.ts';

export const OPENAPI_DOC = 'docs/openapi.json';

export const openApiFiles = (): GeneratedFile[] => [{ path: OPENAPI_DOC, text: jsonText(openApiDocument()) }];

export const allGeneratedFiles = (): GeneratedFile[] => [
  ...eventSchemaFiles(),
  ...openApiFiles(),
  ...stateMachineFiles(),
];

/** Schema files in schemas/events/ that no detail type produces any more (a renamed or removed event). */
export function orphanedEventSchemas(files: readonly GeneratedFile[] = eventSchemaFiles()): string[] {
  const expected = new Set(files.map((file) => file.path));
  let present: string[] = [];
  try {
    present = readdirSync(fromRoot(EVENT_SCHEMA_DIR)).filter((name) => /\.v\d+\.json$/.test(name));
  } catch {
    return [];
  }
  return present.map((name) => `${EVENT_SCHEMA_DIR}/${name}`).filter((path) => !expected.has(path));
}
