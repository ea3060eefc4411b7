import type { MandateRecord, MandateState } from './store.ts';

const iso = (ms: number) => new Date(ms).toISOString();

/**
 * `GET /v3/mandates/{id}` body (NET MandateDetail per status): what the mandate was created with,
 * plus `authorized_at` once authorized (kept when revoked), `failure_stage` + `failure_reason` +
 * `failed_at` when failed, `revoked_at` + `revocation_source` when revoked.
 */
export function mandateBody(mandate: MandateRecord, state: MandateState): Record<string, unknown> {
  const { request } = mandate;
  const body: Record<string, unknown> = {
    id: mandate.id,
    status: state.status,
    currency: request.currency,
    beneficiary: request.mandate.beneficiary,
    provider_selection: request.mandate.provider_selection,
    user: { id: mandate.userId },
    created_at: iso(mandate.createdAt),
    constraints: request.constraints,
  };
  if (request.metadata !== undefined) body.metadata = request.metadata;
  if (request.related_products !== undefined) body.related_products = request.related_products;
  if (state.authorizedAt !== undefined) body.authorized_at = iso(state.authorizedAt);
  if (state.failedAt !== undefined) {
    body.failure_stage = state.failureStage;
    body.failure_reason = state.failureReason;
    body.failed_at = iso(state.failedAt);
  }
  if (state.revokedAt !== undefined) {
    body.revoked_at = iso(state.revokedAt);
    body.revocation_source = state.revocationSource;
  }
  return body;
}
