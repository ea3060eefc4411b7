/**
 * What the Data v3 connection routes accept, apart from the `POST /connections`
 * body (its field shapes and cross-field rules live together in
 * `connections/request.ts`, which only CreateConnection bundles).
 */
import * as z from 'zod/mini';
import { connectionIdSchema } from '../connections/model.ts';

/** `{id}` of the `/connections/{id}` routes. */
export const connectionPathSchema = z.object({ id: connectionIdSchema });

/**
 * What the browser brings back to `GET /connections/return`. The product's
 * own `onboarding_id` is in the return URL it gave TrueLayer; what TrueLayer
 * appends is undocumented, so a `connection_id` is used only when the
 * reference is missing, and anything else is tolerated. Nothing here is
 * trusted for the outcome: TrueLayer is asked.
 */
export const connectionReturnQuerySchema = z.object({
  /** The product's reference, carried in the return URL it registered with TrueLayer. */
  onboarding_id: z.optional(connectionIdSchema),
  /** Appended by TrueLayer, if it does (the simulator can do either). Ignored when malformed. */
  connection_id: z.optional(z.string().check(z.maxLength(256))),
  error: z.optional(z.string().check(z.maxLength(256))),
});
export type ConnectionReturnQuery = z.infer<typeof connectionReturnQuerySchema>;
