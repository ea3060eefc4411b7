import type { Failure } from '../commons/failure.ts';

/**
 * Every reason a journey ends `failed` or `expired`, with the sentence the
 * record and the events carry and whose side the cause is on. `ours` marks the
 * failures an operator should look at; the others are the user's, the bank's
 * or TrueLayer's and never page anyone. The details are written for people and
 * never carry an internal message.
 */
export const FAILURE_REASONS = {
  access_denied: {
    side: 'user',
    detail: 'The user declined to share their bank data.',
  },
  bank_login_failed: {
    side: 'user',
    detail:
      'The user could not log in at their bank, so nothing was shared. Send the user through the sign-up again.',
  },
  authorization_error: {
    side: 'bank',
    detail: 'The bank or TrueLayer could not complete the authorisation. Send the user through again.',
  },
  link_expired: {
    side: 'user',
    detail: 'The sign-up link was not used before it expired.',
  },
  payment_failed: {
    side: 'user',
    detail:
      'The payment was not made (the user cancelled it, or their bank refused or failed it), so nothing was shared. ' +
      'Send the user through again; `payment` says where TrueLayer saw it fail.',
  },
  mandate_failed: {
    side: 'user',
    detail:
      'The mandate was not given (the user cancelled it, or their bank refused it) or was revoked before the ' +
      'journey ended, so nothing was shared. Send the user through again; `mandate` says where TrueLayer saw it fail.',
  },
  payment_not_settled: {
    side: 'bank',
    detail:
      'The user authorised the payment but it did not reach the merchant account in time. Look the payment up in TrueLayer Console.',
  },
  identification_expired: {
    side: 'user',
    detail:
      'The user paid but did not identify at their bank before the identification link expired. ' +
      'The payment stands; send the user through again or onboard them another way.',
  },
  no_connected_account: {
    side: 'user',
    detail: 'The user authorised the connection but connected no account Signup+ could read.',
  },
  signup_plus_request_failed: {
    side: 'truelayer',
    detail:
      "Signup+ could not read the account holder's data from the connected account. " +
      'Send the user through again or onboard them another way.',
  },
  signup_plus_request_timeout: {
    side: 'truelayer',
    detail: 'Signup+ did not answer about the connected account in time. Send the user through again.',
  },
  account_choice_timeout: {
    side: 'user',
    detail: 'The user did not choose an account in time.',
  },
  code_exchange_unconfirmed: {
    side: 'truelayer',
    detail:
      "TrueLayer's answer to the code exchange was lost, and the single-use code cannot be sent again. " +
      'Send the user through the sign-up again.',
  },
  truelayer_unavailable: {
    side: 'truelayer',
    detail: 'TrueLayer was unavailable for longer than the journey could wait. Start a new onboarding.',
  },
  reconnect_required: {
    side: 'user',
    detail:
      "The user's authorisation at their bank is no longer valid (it expired, was revoked or was not " +
      'completed). Send the user through the sign-up again.',
  },
  user_data_not_found: {
    side: 'bank',
    detail:
      'TrueLayer has no Signup+ data for this user at the bank they chose. Onboard the user another way, or ask them to sign up with another bank.',
  },
  joint_account_not_supported: {
    side: 'user',
    detail:
      'The user chose a joint account, which Signup+ does not support. Ask the user to sign up again with an account in their sole name.',
  },
  provider_not_supported: {
    side: 'bank',
    detail:
      "The user's bank does not support Signup+. Ask the user to sign up with another bank, or onboard them another way.",
  },
  identity_incomplete: {
    side: 'bank',
    detail:
      'The bank did not share what a payment needs (a first and last name, and a sort code with an account number or an IBAN). Onboard the user another way.',
  },
  truelayer_refused: {
    side: 'ours',
    detail:
      "TrueLayer refused the request as the product sent it. Check the product's TrueLayer settings, and quote truelayer.trace_id to TrueLayer Support.",
  },
  truelayer_contract_violation: {
    side: 'truelayer',
    detail: 'TrueLayer answered in a shape the product does not understand.',
  },
  journey_state_lost: {
    side: 'ours',
    detail: 'The onboarding could not be completed. Start a new one.',
  },
  erased: {
    side: 'user',
    detail: "The person's data was erased on request before the onboarding finished.",
  },
  internal_error: {
    side: 'ours',
    detail: 'The onboarding could not be completed. Start a new one.',
  },
} as const satisfies Record<string, { side: 'user' | 'bank' | 'truelayer' | 'ours'; detail: string }>;

export type FailureReason = keyof typeof FAILURE_REASONS;

/** The failure a reason stands for, with its documented sentence. */
export function failureOf(reason: FailureReason, extra: Omit<Failure, 'reason' | 'detail'> = {}): Failure {
  return { reason, detail: FAILURE_REASONS[reason].detail, ...extra };
}
