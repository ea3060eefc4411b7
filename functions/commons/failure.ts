import * as z from 'zod/mini';

/**
 * Why a journey or a connection failed: a stable reason code for machines and
 * a sentence for people. Shared by the onboarding and connection records and
 * by their events, and kept apart from either model so that importing it
 * builds nothing else at cold start.
 */
export const failureSchema = z.object({ reason: z.string(), detail: z.string() });
export type Failure = z.infer<typeof failureSchema>;
