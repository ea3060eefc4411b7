import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { RequestValidationError } from '../../functions/commons/errors.ts';
import { SERVER_PROBLEMS, toProblem } from '../../functions/commons/http/problem.ts';
import { MAX_BODY_BYTES, parseJsonBody } from '../../functions/commons/http/request.ts';
import { NextActionUnsupportedError } from '../../functions/connections/errors.ts';
import { OnboardingNotFoundError, OnboardingStatusConflictError } from '../../functions/onboarding/errors.ts';
import { TrueLayerContractError, TrueLayerUnavailableError } from '../../functions/truelayer/errors.ts';

const event = (body: string | undefined, contentType = 'application/json'): APIGatewayProxyEventV2 => ({
  version: '2.0',
  routeKey: 'POST /test',
  rawPath: '/test',
  rawQueryString: '',
  headers: { 'content-type': contentType },
  isBase64Encoded: false,
  ...(body === undefined ? {} : { body }),
  requestContext: {
    accountId: '1',
    apiId: 'a',
    domainName: 'd',
    domainPrefix: 'd',
    http: { method: 'POST', path: '/test', protocol: 'HTTP/1.1', sourceIp: '127.0.0.1', userAgent: 'test' },
    requestId: 'r',
    routeKey: 'POST /test',
    stage: '$default',
    time: '',
    timeEpoch: 0,
  },
});

const schema = z.strictObject({ name: z.string().min(1), count: z.number().int().optional() });

describe('parseJsonBody', () => {
  it('treats an empty body as {}', () => {
    expect(() => parseJsonBody(event(undefined), schema)).toThrow(RequestValidationError);
    expect(parseJsonBody(event(undefined), z.object({}))).toEqual({});
  });

  it.each([
    ['not JSON', '{"name":', 'application/json', 'RequestValidationError'],
    ['a non-JSON content type', '{"name":"a"}', 'text/plain', 'UnsupportedMediaTypeError'],
    [
      'an oversized body',
      JSON.stringify({ name: 'x'.repeat(MAX_BODY_BYTES) }),
      'application/json',
      'PayloadTooLargeError',
    ],
  ])('refuses %s', (_label, body, contentType, errorName) => {
    expect(() => parseJsonBody(event(body, contentType), schema)).toThrow(
      expect.objectContaining({ name: errorName }),
    );
  });

  it('reports every problem at once, each naming its field', () => {
    try {
      parseJsonBody(event('{"name":"","count":1.5,"extra":true}'), schema);
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(RequestValidationError);
      const fields = (error as RequestValidationError).errors.map((problem) => problem.field).sort();
      expect(fields).toEqual(['count', 'extra', 'name']);
    }
  });
});

describe('toProblem', () => {
  it.each([
    [new OnboardingNotFoundError('x'), 404],
    [new OnboardingStatusConflictError('no', 'completed'), 409],
    [new RequestValidationError([{ field: 'a', message: 'b' }]), 400],
    [new TrueLayerUnavailableError('down'), 503],
  ])('maps %s to %i', (error, status) => {
    expect(toProblem(error).status).toBe(status);
  });

  it('carries the current status of a conflicting onboarding', () => {
    expect(toProblem(new OnboardingStatusConflictError('no', 'expired'))).toMatchObject({
      onboarding_status: 'expired',
    });
  });

  it('answers a 5xx with a stable code, its fixed sentence and the trace id, never the error message', () => {
    const unavailable = new TrueLayerUnavailableError(
      'signup-plus: TrueLayer answered 503 (overloaded shard 7)',
      {
        truelayer: { status: 503, title: 'Upstream text', trace_id: 'tl-trace', correlation_id: 'tl-corr' },
      },
    );

    const problems = [
      toProblem(unavailable, 'req-1'),
      toProblem(new TrueLayerContractError('token: body had no access_token'), 'req-2'),
      toProblem(new Error('ECONNREFUSED 10.0.0.1'), 'req-3'),
    ];

    expect(problems.map(({ status, code, trace_id }) => ({ status, code, trace_id }))).toEqual([
      { status: 503, code: 'truelayer_unavailable', trace_id: 'req-1' },
      { status: 502, code: 'truelayer_rejected', trace_id: 'req-2' },
      { status: 500, code: 'internal_error', trace_id: 'req-3' },
    ]);
    expect(problems.map((problem) => problem.detail)).toEqual(
      (['truelayer_unavailable', 'truelayer_rejected', 'internal_error'] as const).map(
        (code) => SERVER_PROBLEMS[code].detail,
      ),
    );
    expect(problems[0]?.truelayer).toEqual({ status: 503, trace_id: 'tl-trace', correlation_id: 'tl-corr' });
    expect(JSON.stringify(problems)).not.toMatch(/shard 7|access_token|ECONNREFUSED|Upstream text/);
  });

  it('keeps a 5xx error’s safe extensions and answers its own code when it has one', () => {
    const problem = toProblem(new NextActionUnsupportedError('conn-1', 'form'), 'req-4');

    expect(problem).toMatchObject({
      status: 502,
      code: 'truelayer_next_action_unsupported',
      detail: SERVER_PROBLEMS.truelayer_next_action_unsupported.detail,
      trace_id: 'req-4',
      connection_id: 'conn-1',
      next_action: 'form',
      supported_next_actions: ['redirect'],
    });
  });

  it('never echoes an unexpected error message', () => {
    const problem = toProblem(new Error('connect ECONNREFUSED 10.0.0.1 secret=abc'));
    expect(problem.status).toBe(500);
    expect(JSON.stringify(problem)).not.toContain('secret');
    expect(JSON.stringify(problem)).not.toContain('ECONNREFUSED');
  });
});
