/**
 * JSON Schemas (draft 2020-12) of every event detail, generated from the zod
 * schemas the publisher validates with (functions/contract/events.ts
 * `detailSchemas`). A detail type added there gets its file on the next
 * `npm run schemas`; test/unit/schemas.test.ts fails until it is committed.
 */

import { z } from 'zod';
import { slug } from '../../functions/commons/slug.ts';
import { detailSchemas, EVENT_SOURCE } from '../../functions/contract/events.ts';
import { type GeneratedFile, jsonText } from './files.ts';

export const EVENT_SCHEMA_DIR = 'schemas/events';

/** `Onboarding Ready For Payment` → `onboarding-ready-for-payment`. */
export { slug };

export type DetailTypeName = keyof typeof detailSchemas;
export const detailTypeNames = Object.keys(detailSchemas) as DetailTypeName[];

const versioned = z.object({
  properties: z.object({ schema_version: z.object({ const: z.string() }) }),
});

export interface EventSchema {
  detailType: DetailTypeName;
  version: string;
  /** Path from the repository root. */
  path: string;
  /** The JSON Schema document. */
  schema: Record<string, unknown>;
}

/**
 * Zod renders plain objects as closed (`additionalProperties: false`) when it
 * describes output. The published contract is open instead: a producer may
 * add optional fields within a schema version, and consumers must ignore what
 * they do not know. Strict zod objects stay closed.
 */
function openObjects(context: { zodSchema: z.core.$ZodType; jsonSchema: z.core.JSONSchema.BaseSchema }) {
  const { zodSchema, jsonSchema } = context;
  const open = zodSchema instanceof z.core.$ZodObject && zodSchema._zod.def.catchall === undefined;
  if (open && jsonSchema.additionalProperties === false) {
    delete jsonSchema.additionalProperties;
  }
}

export function eventSchema(detailType: DetailTypeName): EventSchema {
  const generated = z.toJSONSchema(detailSchemas[detailType], {
    target: 'draft-2020-12',
    io: 'output',
    unrepresentable: 'throw',
    override: openObjects,
  });
  const { $schema, ...body } = generated;
  const version = versioned.parse(generated).properties.schema_version.const;
  const name = `${slug(detailType)}.v${version}`;
  return {
    detailType,
    version,
    path: `${EVENT_SCHEMA_DIR}/${name}.json`,
    schema: {
      $schema,
      $id: `urn:signupplus:events:${name}`,
      title: `${detailType} (detail, v${version})`,
      description:
        `The \`detail\` of the EventBridge event with source \`${EVENT_SOURCE}\` and detail-type ` +
        `\`${detailType}\`, schema_version ${version}. Deduplicate on \`event_id\`; ignore fields you do not ` +
        'know (optional fields may be added within a version). Generated from functions/contract/events.ts ' +
        'by `npm run schemas`; see docs/events.md.',
      ...body,
    },
  };
}

export const eventSchemas = (): EventSchema[] => detailTypeNames.map(eventSchema);

export function eventSchemaFiles(): GeneratedFile[] {
  return eventSchemas().map((entry) => ({ path: entry.path, text: jsonText(entry.schema) }));
}
