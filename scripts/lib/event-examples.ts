/**
 * Example events: one real event per detail type, captured from journeys on
 * the local runtime by `npm run docs:examples` and committed in
 * schemas/examples/. docs/events.md shows them between markers
 * `<!-- example: <file name> -->` and `<!-- /example -->`; the test checks
 * that each example validates against its schema and that the doc shows
 * exactly the committed examples.
 */
import { existsSync, readFileSync } from 'node:fs';
import { z } from 'zod';
import { type DetailTypeName, detailTypeNames, eventSchema, slug } from './event-schemas.ts';
import { fromRoot, jsonText } from './files.ts';

export const EXAMPLE_DIR = 'schemas/examples';
export const EVENTS_DOC = 'docs/events.md';

/** An event as EventBridge delivers it to targets. */
export const deliveredEventSchema = z.object({
  version: z.string(),
  id: z.string(),
  'detail-type': z.string(),
  source: z.string(),
  account: z.string(),
  time: z.string(),
  region: z.string(),
  resources: z.array(z.string()),
  detail: z.record(z.string(), z.unknown()),
});
export type DeliveredEventExample = z.infer<typeof deliveredEventSchema>;

/** `schemas/examples/onboarding-ready-for-payment.v1.json`, for the detail type's current schema version. */
export function examplePath(detailType: DetailTypeName): string {
  return `${EXAMPLE_DIR}/${slug(detailType)}.v${eventSchema(detailType).version}.json`;
}

export function readExample(detailType: DetailTypeName): DeliveredEventExample | undefined {
  const path = fromRoot(examplePath(detailType));
  if (!existsSync(path)) return undefined;
  return deliveredEventSchema.parse(JSON.parse(readFileSync(path, 'utf8')));
}

const MARKER = /<!-- example: ([a-z0-9.-]+) -->\n```json\n[\s\S]*?```\n<!-- \/example -->/g;

/** The example blocks named in a markdown text, by file name (without `.json`). */
export function exampleBlocks(markdown: string): Map<string, string> {
  const blocks = new Map<string, string>();
  for (const match of markdown.matchAll(MARKER)) {
    const name = match[1] ?? '';
    const body = /```json\n([\s\S]*?)```/.exec(match[0])?.[1] ?? '';
    blocks.set(name, body);
  }
  return blocks;
}

/** Fills every example block of the doc with the committed example it names. */
export function withExamples(markdown: string, examples: ReadonlyMap<string, string>): string {
  return markdown.replace(MARKER, (block, name: string) => {
    const text = examples.get(name);
    return text === undefined
      ? block
      : `<!-- example: ${name} -->\n\`\`\`json\n${text}\`\`\`\n<!-- /example -->`;
  });
}

/** The committed examples as the doc should show them, by block name. */
export function committedExamples(): Map<string, string> {
  const examples = new Map<string, string>();
  for (const detailType of detailTypeNames) {
    const example = readExample(detailType);
    if (example)
      examples.set(examplePath(detailType).slice(EXAMPLE_DIR.length + 1, -'.json'.length), jsonText(example));
  }
  return examples;
}
