import * as z from 'zod/mini';

/**
 * What TrueLayer said about a failed call, kept so that an integrator can
 * quote it to TrueLayer Support. None of it is personal data.
 */
export const trueLayerSupportSchema = z.object({
  status: z.optional(z.number()),
  title: z.optional(z.string()),
  trace_id: z.optional(z.string()),
  correlation_id: z.optional(z.string()),
});
export type TrueLayerSupport = z.infer<typeof trueLayerSupportSchema>;

/** A Payments v3 resource's `failure_stage` and `failure_reason`, kept only when they read as codes. */
const paymentsV3FailureSchema = z.object({
  failure_stage: z.optional(z.string()),
  failure_reason: z.optional(z.string()),
});

/**
 * Why a journey or a connection failed: a stable reason code for machines and
 * a sentence for people, plus what TrueLayer said when it was TrueLayer's
 * answer. Shared by the onboarding and connection records and by their
 * events, and kept apart from either model so that importing it builds
 * nothing else at cold start.
 */
export const failureSchema = z.object({
  reason: z.string(),
  detail: z.string(),
  truelayer: z.optional(trueLayerSupportSchema),
  /**
   * The OAuth error the user came back with (RFC 6749 §4.1.2.1), only when it
   * is one of the codes the RFC defines, with its description cut short and
   * stripped to the RFC's character set: the redirect is attacker-controlled.
   */
  oauth: z.optional(z.object({ error: z.string(), description: z.optional(z.string()) })),
  /** Where and why TrueLayer says a payment failed (Payments v3 `failure_stage`, `failure_reason`). */
  payment: z.optional(paymentsV3FailureSchema),
  /** Where and why TrueLayer says a mandate failed or ended (`revoked` as the reason when it was revoked). */
  mandate: z.optional(paymentsV3FailureSchema),
});
export type Failure = z.infer<typeof failureSchema>;
