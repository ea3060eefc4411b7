/**
 * What a TrueLayer refusal means (functions/truelayer/refusals.ts) and the
 * journey failure each error becomes (functions/truelayer/failures.ts): the
 * one mapping the onboarding workflow uses.
 */
import { describe, expect, it } from 'vitest';
import { FAILURE_REASONS } from '../../functions/onboarding/failure-reasons.ts';
import {
  IdentityIncompleteError,
  SignupPlusNotEligibleError,
  TrueLayerContractError,
  TrueLayerErrorNames,
  TrueLayerReconnectRequiredError,
  TrueLayerRejectedError,
  TrueLayerUnavailableError,
} from '../../functions/truelayer/errors.ts';
import {
  failureReasonOf,
  isRetriableTrueLayerError,
  RETRIABLE_TRUELAYER_ERRORS,
  trueLayerFailure,
} from '../../functions/truelayer/failures.ts';
import type { TrueLayerResponse } from '../../functions/truelayer/http.ts';
import { type RefusalAudience, refusalError } from '../../functions/truelayer/refusals.ts';

const signupErrors = (slug: string) => `https://docs.truelayer.com/docs/signup-errors#${slug}`;
const answer = (status: number, body: unknown): TrueLayerResponse => ({
  status,
  body,
  support: { correlation_id: 'corr-1', trace_id: 'header-trace' },
});
const problem = (status: number, title: string, slug?: string) =>
  answer(status, {
    ...(slug === undefined ? {} : { type: signupErrors(slug) }),
    title,
    status,
    trace_id: 'body-trace',
    detail: 'TrueLayer’s own words, never kept',
  });

describe('refusalError', () => {
  it.each<[string, TrueLayerResponse, RefusalAudience, string, string]>([
    [
      '422 User Data Not Found',
      problem(422, 'User Data Not Found', 'user-data-not-found'),
      'user',
      'SignupPlusNotEligibleError',
      'user_data_not_found',
    ],
    [
      '422 Joint Accounts Not Supported',
      problem(422, 'Joint Accounts Not Supported', 'joint-accounts-not-supported'),
      'user',
      'SignupPlusNotEligibleError',
      'joint_account_not_supported',
    ],
    [
      '400 Provider not supported',
      problem(400, 'Provider not supported', 'provider-not-supported'),
      'user',
      'SignupPlusNotEligibleError',
      'provider_not_supported',
    ],
    [
      '502 Feature Not Supported',
      problem(502, 'Feature Not Supported'),
      'client',
      'SignupPlusNotEligibleError',
      'provider_not_supported',
    ],
    [
      'the type alone',
      answer(422, { type: signupErrors('joint-accounts-not-supported') }),
      'user',
      'SignupPlusNotEligibleError',
      'joint_account_not_supported',
    ],
    [
      '401 Unauthorized with the user’s token',
      problem(401, 'Unauthorized', 'unauthorized'),
      'user',
      'TrueLayerReconnectRequiredError',
      'reconnect_required',
    ],
    [
      '403 Forbidden with the user’s token',
      problem(403, 'Forbidden', 'forbidden'),
      'user',
      'TrueLayerReconnectRequiredError',
      'reconnect_required',
    ],
    [
      '400 Invalid State',
      problem(400, 'Invalid State', 'invalid-state'),
      'client',
      'TrueLayerReconnectRequiredError',
      'reconnect_required',
    ],
    [
      'invalid_grant from the token endpoint',
      answer(400, { error: 'invalid_grant' }),
      'client',
      'TrueLayerReconnectRequiredError',
      'reconnect_required',
    ],
    [
      'invalid_client from the token endpoint',
      answer(400, { error: 'invalid_client' }),
      'client',
      'TrueLayerRejectedError',
      'truelayer_refused',
    ],
    [
      '403 Forbidden with the product’s client token',
      problem(403, 'Forbidden'),
      'client',
      'TrueLayerRejectedError',
      'truelayer_refused',
    ],
    [
      '400 Invalid Parameters',
      problem(400, 'Invalid Parameters', 'invalid-parameters'),
      'user',
      'TrueLayerRejectedError',
      'truelayer_refused',
    ],
    ['404 with no body', answer(404, undefined), 'user', 'TrueLayerRejectedError', 'truelayer_refused'],
  ])('reads %s as %s', (_label, response, audience, name, reason) => {
    const error = refusalError(response, { operation: 'probe', audience });

    expect(error.name).toBe(name);
    expect(failureReasonOf(error)).toBe(reason);
    expect(error.message).not.toContain('own words');
  });

  it('keeps the status, title, trace id (the body’s first) and correlation id for Support', () => {
    const error = refusalError(problem(422, 'User Data Not Found', 'user-data-not-found'), {
      operation: 'probe',
      audience: 'user',
    });
    const fromHeader = refusalError(answer(400, { error: 'invalid_client' }), {
      operation: 'probe',
      audience: 'client',
    });

    expect(error.truelayer).toEqual({
      status: 422,
      title: 'User Data Not Found',
      trace_id: 'body-trace',
      correlation_id: 'corr-1',
    });
    expect(fromHeader.truelayer).toEqual({
      status: 400,
      title: 'invalid_client',
      trace_id: 'header-trace',
      correlation_id: 'corr-1',
    });
    expect(fromHeader).toMatchObject({ reason: 'invalid_client', status: 400 });
  });

  it('keeps TrueLayer’s words short: a long title is cut, a reason is a slug', () => {
    const error = refusalError(answer(400, { title: `Odd ${'x'.repeat(500)}` }), {
      operation: 'probe',
      audience: 'user',
    });

    expect(error.truelayer?.title?.length).toBeLessThanOrEqual(120);
    expect(error).toBeInstanceOf(TrueLayerRejectedError);
    expect(error instanceof TrueLayerRejectedError && error.reason).toMatch(/^[a-z0-9_]{1,64}$/);
  });
});

describe('trueLayerFailure', () => {
  const truelayer = {
    status: 422,
    title: 'Joint Accounts Not Supported',
    trace_id: 't',
    correlation_id: 'c',
  };

  it.each([
    [new TrueLayerUnavailableError('down', { truelayer }), 'truelayer_unavailable'],
    [new TrueLayerReconnectRequiredError('gone', { truelayer }), 'reconnect_required'],
    [
      new SignupPlusNotEligibleError('joint', { ineligibility: 'joint_account', truelayer }),
      'joint_account_not_supported',
    ],
    [
      new SignupPlusNotEligibleError('none', { ineligibility: 'user_data_not_found', truelayer }),
      'user_data_not_found',
    ],
    [
      new SignupPlusNotEligibleError('bank', { ineligibility: 'provider_not_supported', truelayer }),
      'provider_not_supported',
    ],
    [
      new TrueLayerRejectedError('no', { reason: 'invalid_client', status: 400, truelayer }),
      'truelayer_refused',
    ],
    [new TrueLayerContractError('odd', { truelayer }), 'truelayer_contract_violation'],
  ] as const)('turns %s into %s with the catalogue’s sentence and what TrueLayer said', (error, reason) => {
    expect(trueLayerFailure(error)).toEqual({ reason, detail: FAILURE_REASONS[reason].detail, truelayer });
  });

  it('names the missing fields of an incomplete identity, and only their names', () => {
    const error = new IdentityIncompleteError('signup-plus accounts', [
      'last_name',
      'account_details.sort_code',
    ]);

    const failure = trueLayerFailure(error);

    expect(failure).toEqual({
      reason: 'identity_incomplete',
      detail: `${FAILURE_REASONS.identity_incomplete.detail} Missing: last_name, account_details.sort_code.`,
    });
  });

  it('finds a TrueLayer error wrapped as a cause, and leaves other errors alone', () => {
    const wrapped = new Error('step failed', { cause: new TrueLayerReconnectRequiredError('gone') });

    expect(trueLayerFailure(wrapped)?.reason).toBe('reconnect_required');
    expect(trueLayerFailure(new Error('not TrueLayer'))).toBeUndefined();
    expect(trueLayerFailure('a string')).toBeUndefined();
    expect(trueLayerFailure(undefined)).toBeUndefined();
  });

  it('gives every reason it can return a place in the catalogue', () => {
    const reasons = Object.keys(FAILURE_REASONS);
    for (const reason of [
      'truelayer_unavailable',
      'reconnect_required',
      'user_data_not_found',
      'joint_account_not_supported',
      'provider_not_supported',
      'identity_incomplete',
      'truelayer_refused',
      'truelayer_contract_violation',
    ]) {
      expect(reasons).toContain(reason);
    }
    expect(reasons).not.toContain('truelayer_rejected');
  });

  it('retries only unavailability: Feature Not Supported and every refusal end the journey', () => {
    expect(RETRIABLE_TRUELAYER_ERRORS).toEqual([TrueLayerErrorNames.unavailable]);
    expect(isRetriableTrueLayerError(new TrueLayerUnavailableError('down'))).toBe(true);
    const notSupported = refusalError(problem(502, 'Feature Not Supported'), {
      operation: 'x',
      audience: 'user',
    });
    expect(isRetriableTrueLayerError(notSupported)).toBe(false);
    expect(isRetriableTrueLayerError(new TrueLayerReconnectRequiredError('gone'))).toBe(false);
  });

  it('gives every error a distinct name', () => {
    const names = [
      new TrueLayerUnavailableError('a'),
      new TrueLayerReconnectRequiredError('b'),
      new SignupPlusNotEligibleError('c', { ineligibility: 'joint_account' }),
      new TrueLayerRejectedError('d', { reason: 'x', status: 400 }),
      new TrueLayerContractError('e'),
      new IdentityIncompleteError('f', ['first_name']),
    ].map((error) => error.name);

    expect(new Set(names).size).toBe(names.length);
    expect(names.sort()).toEqual(Object.values(TrueLayerErrorNames).sort());
  });
});
