/**
 * Classic zod's `.meta()` for any schema. The domain's schemas are zod/mini
 * (lighter Lambda cold starts), which has no `.meta()`; this does what it
 * does: a copy of the schema, registered with the metadata in the global
 * registry that zod-openapi reads, the original left as the handlers use it.
 */
import * as z from 'zod';

export function described<T extends z.core.$ZodType>(schema: T, meta: z.core.GlobalMeta): T {
  const copy = z.core.clone(schema);
  z.globalRegistry.add(copy, meta);
  return copy;
}
