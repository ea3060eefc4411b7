import type { Failure } from '../commons/failure.ts';
import { failureOf } from './failure-reasons.ts';

/** The error codes RFC 6749 §4.1.2.1 defines for an authorization response. */
const OAUTH_ERRORS = new Set([
  'access_denied',
  'invalid_request',
  'unauthorized_client',
  'unsupported_response_type',
  'invalid_scope',
  'server_error',
  'temporarily_unavailable',
]);
const MAX_DESCRIPTION = 200;
/**
 * An `access_denied` whose description speaks of logging in: the bank refused the user's login,
 * which is not the user declining. TrueLayer documents neither redirect; the words are what an
 * authorisation server says of a failed login (the simulator says "The bank rejected the login
 * credentials"). Without such words `access_denied` stays the user's refusal.
 */
const LOGIN_FAILED = /\b(log ?in|sign ?in|credentials?|password|authenticat\w*)\b/i;

/**
 * What the record and the event keep of an error redirect. The query is
 * attacker-controlled (anyone can send a browser to the callback with any
 * text), so only an error code the RFC defines is kept, and its description
 * only in the RFC's character set and cut short; anything else is recorded as
 * an unknown authorisation error.
 */
export function denialFailure(error: string, description: string | undefined): Failure {
  if (!OAUTH_ERRORS.has(error)) return failureOf('authorization_error', { oauth: { error: 'unknown' } });
  const cleaned = description
    ?.replace(/[^\x20\x21\x23-\x5b\x5d-\x7e]/g, '')
    .trim()
    .slice(0, MAX_DESCRIPTION);
  const oauth = { error, ...(cleaned ? { description: cleaned } : {}) };
  if (error !== 'access_denied') return failureOf('authorization_error', { oauth });
  return failureOf(cleaned && LOGIN_FAILED.test(cleaned) ? 'bank_login_failed' : 'access_denied', { oauth });
}
