import { describe, expect, it } from 'vitest';
import { RequestValidationError } from '../../functions/commons/errors.ts';
import { readCallerHeaders } from '../../functions/commons/http/caller-headers.ts';
import { acceptConnectionRequest } from '../../functions/connections/create-connection.ts';
import { EXAMPLES } from '../helpers/connections.ts';

const settings = { aispLicensed: false };

describe('readCallerHeaders', () => {
  it('reads both headers in any case, trimming the address', () => {
    const caller = readCallerHeaders({ 'Idempotency-Key': 'key-1', 'X-END-USER-IP': ' 203.0.113.9 ' });

    expect(caller).toEqual({ idempotencyKey: 'key-1', endUserIp: '203.0.113.9', problems: [] });
  });

  it('names each malformed header as a problem', () => {
    const caller = readCallerHeaders({ 'idempotency-key': 'has space', 'x-end-user-ip': 'localhost' });

    expect(caller.problems.map((problem) => problem.field)).toEqual(['Idempotency-Key', 'X-End-User-IP']);
  });
});

describe('acceptConnectionRequest', () => {
  it('accepts a valid request with its configuration', () => {
    const accepted = acceptConnectionRequest(EXAMPLES.hosted_flow, [], settings);

    expect(accepted.configuration).toBe('hosted_flow');
  });

  it('reports the header problems with the body problems in one answer', () => {
    const headerProblem = { field: 'Idempotency-Key', message: 'bad' };

    const accepting = () =>
      acceptConnectionRequest({ ...EXAMPLES.hosted_flow, scopes: [] }, [headerProblem], settings);

    expect(accepting).toThrow(RequestValidationError);
    expect(accepting).toThrow(expect.objectContaining({ errors: expect.arrayContaining([headerProblem]) }));
    expect(accepting).toThrow(
      expect.objectContaining({
        errors: expect.arrayContaining([expect.objectContaining({ field: 'scopes' })]),
      }),
    );
  });

  it('refuses a valid request when only the headers are wrong', () => {
    const accepting = () =>
      acceptConnectionRequest(EXAMPLES.hosted_flow, [{ field: 'X-End-User-IP', message: 'bad' }], settings);

    expect(accepting).toThrow(RequestValidationError);
  });
});
