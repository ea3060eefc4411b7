import { z } from 'zod';

/**
 * Faults of the webhook deliveries (none of them is TrueLayer behaviour to rely on; each is
 * something a receiver must survive). They apply to each webhook as it falls due; `times` limits
 * them to the next N webhooks, after which they are spent.
 */
export const WebhookFaultsSchema = z.strictObject({
  /** Every webhook is sent this much real time late. */
  delayMs: z.int().min(0).max(600_000).optional(),
  /** Each webhook is delivered twice, with the same `event_id`. */
  duplicate: z.boolean().optional(),
  /** Webhooks of one payment falling due within a short window are delivered newest first. */
  reorder: z.boolean().optional(),
  /** Signed with a key the JWKS does not hold (same `kid`), on every attempt. */
  badSignature: z.boolean().optional(),
  /** Nothing is sent, as if TrueLayer's webhooks never arrived. */
  drop: z.boolean().optional(),
  /** Apply to the next N webhooks only (a duplicate counts once). */
  times: z.int().min(0).optional(),
});

export type WebhookFaults = z.infer<typeof WebhookFaultsSchema>;
