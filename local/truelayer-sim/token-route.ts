import type { IncomingMessage } from 'node:http';
import { z } from 'zod';
import type { GrantResult } from './grants.ts';
import { BodyError, jsonResponse, mediaType, readBodyText, type SimResponse } from './http-io.ts';
import type { RouteDefinition } from './router.ts';
import { CLIENT_CREDENTIALS_SCOPES, splitSpaceList } from './scopes.ts';

/** OAuth token errors are TrueLayer's legacy shape, not problem+json. */
function oauthError(error: string, description?: string): SimResponse {
  return jsonResponse(
    400,
    description === undefined ? { error } : { error, error_description: description },
    {
      'cache-control': 'no-store',
    },
  );
}

function grantResponse(result: GrantResult): SimResponse {
  if (!result.ok) return oauthError(result.error, result.description);
  // RFC 6749 §5.1: token responses must not be cached.
  return jsonResponse(200, result.body, { 'cache-control': 'no-store', pragma: 'no-cache' });
}

const JsonParamsSchema = z.record(z.string(), z.string());

/** Reads token parameters from a form or JSON body; repeats and non-string values are refused. */
async function readTokenParams(req: IncomingMessage): Promise<Map<string, string> | string> {
  const type = mediaType(req);
  const text = await readBodyText(req);
  if (type === 'application/x-www-form-urlencoded') {
    const form = new URLSearchParams(text);
    const params = new Map<string, string>();
    for (const [key, value] of form) {
      // RFC 6749 §3.2: parameters must not be included more than once.
      if (params.has(key)) return `${key} is given more than once`;
      params.set(key, value);
    }
    return params;
  }
  if (type === 'application/json') {
    let data: unknown;
    try {
      data = JSON.parse(text);
    } catch {
      throw new BodyError(400, 'Request body is not valid JSON');
    }
    const parsed = JsonParamsSchema.safeParse(data);
    if (!parsed.success) return 'the JSON body must be an object of string values';
    return new Map(Object.entries(parsed.data));
  }
  return 'send application/x-www-form-urlencoded or application/json';
}

/** Schema-breaking body for the `schema` fault: wrong types and missing fields. */
const TOKEN_SCHEMA_VIOLATION = { access_token: 42, token_type: 'bearer', expires_in: 'an hour' };

/**
 * `POST /connect/token`: authorization_code, refresh_token and client_credentials grants,
 * with client authentication by client_id and client_secret in the body.
 */
export const tokenRoute: RouteDefinition = {
  method: 'POST',
  path: '/connect/token',
  name: 'token',
  schemaViolation: TOKEN_SCHEMA_VIOLATION,
  async handle(ctx) {
    let params: Map<string, string> | string;
    try {
      params = await readTokenParams(ctx.req);
    } catch (error) {
      if (error instanceof BodyError) return oauthError('invalid_request', error.message);
      throw error;
    }
    if (typeof params === 'string') return oauthError('invalid_request', params);

    const clientId = params.get('client_id');
    const clientSecret = params.get('client_secret');
    if (clientId === undefined || clientSecret === undefined) return oauthError('invalid_client');
    if (ctx.sim.clients.authenticate(clientId, clientSecret) === undefined)
      return oauthError('invalid_client');

    const grantType = params.get('grant_type');
    if (grantType === undefined || grantType === '')
      return oauthError('invalid_request', 'grant_type is required');

    switch (grantType) {
      case 'authorization_code': {
        const code = params.get('code');
        const redirectUri = params.get('redirect_uri');
        if (code === undefined || code === '') return oauthError('invalid_request', 'code is required');
        if (redirectUri === undefined || redirectUri === '') {
          return oauthError('invalid_request', 'redirect_uri is required');
        }
        const codeVerifier = params.get('code_verifier');
        return grantResponse(
          ctx.sim.grants.exchangeCode({
            clientId,
            code,
            redirectUri,
            ...(codeVerifier === undefined ? {} : { codeVerifier }),
          }),
        );
      }
      case 'refresh_token': {
        const refreshToken = params.get('refresh_token');
        if (refreshToken === undefined || refreshToken === '') {
          return oauthError('invalid_request', 'refresh_token is required');
        }
        return grantResponse(ctx.sim.grants.refresh({ clientId, refreshToken }));
      }
      case 'client_credentials': {
        const scopes = splitSpaceList(params.get('scope') ?? '');
        if (scopes.length === 0) return oauthError('invalid_request', 'scope is required');
        const unknown = scopes.filter((scope) => !CLIENT_CREDENTIALS_SCOPES.has(scope));
        if (unknown.length > 0) return oauthError('invalid_scope', `unknown scope: ${unknown.join(' ')}`);
        return grantResponse(ctx.sim.grants.clientCredentials({ clientId, scopes }));
      }
      default:
        return oauthError('unsupported_grant_type', `grant_type ${grantType} is not supported`);
    }
  },
};
