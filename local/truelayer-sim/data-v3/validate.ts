import { ISO_COUNTRIES, ISO_LANGUAGES } from './codes.ts';

/**
 * The simulator's own reading of the `POST /v3/data-connections` rules (seed
 * 003), written by hand and on purpose without the product's schemas: the
 * product and the simulator check each other, and a test runs the same cases
 * through both.
 */

/** The five journeys TrueLayer documents, named as the product names them. */
export type SimConfiguration =
  | 'hosted_flow'
  | 'own_provider_selection'
  | 'own_provider_selection_and_consent'
  | 'own_flow_with_result_page'
  | 'fully_custom';

export interface SimFilter {
  countries?: string[];
  release_channel?: string;
  customer_segments?: string[];
  provider_ids?: string[];
  excludes?: string[];
}

/** A request that passed every rule, reduced to what the simulator acts on. */
export interface AcceptedRequest {
  configuration: SimConfiguration;
  scopes: string[];
  selection: { type: 'preselected'; providerId: string } | { type: 'user_selected'; filter: SimFilter };
  consent: 'precaptured' | 'authorization_flow_captured';
  hostedPageType?: 'result_page' | 'authorization_flow';
  /** Where the user goes at the end: hosted_page.return_uri or authorization_flow.redirect.return_uri. */
  returnUri?: string;
  returnUriField?: string;
  userId?: string;
  dataAccessType: 'one_time' | 'recurring';
}

export type Verdict =
  | { ok: true; request: AcceptedRequest }
  | { ok: false; errors: Record<string, string[]> };

export interface RuleOptions {
  /** The client holds an AISP licence: name, email and phone may be left out. */
  aispLicensed: boolean;
}

const SCOPES = ['info', 'accounts', 'balance', 'transactions'];
/** The table's channels, and `public` from TrueLayer's own full example (played as accepted). */
const CHANNELS = ['general_availability', 'public_beta', 'private_beta', 'public'];
const SEGMENTS = ['retail', 'business', 'corporate'];
const MAX_METADATA_PAIRS = 10;
const MAX_KEY_CHARS = 40;
const MAX_VALUE_CHARS = 500;
const MAX_URI_LENGTH = 2048;

type Json = Record<string, unknown>;

function isObject(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Length in Unicode code points. */
function chars(text: string): number {
  let count = 0;
  for (const _ of text) count += 1;
  return count;
}

function isDigits(text: string): boolean {
  if (text.length === 0) return false;
  for (const c of text) if (c < '0' || c > '9') return false;
  return true;
}

const hasWhitespace = (text: string) => /\s/.test(text);

function looksLikeProviderId(value: string): boolean {
  if (value.length < 2 || value.length > 64) return false;
  for (let i = 0; i < value.length; i += 1) {
    const c = value.charAt(i);
    const alnum = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
    if (!alnum && !(i > 0 && c === '-')) return false;
  }
  return true;
}

function looksLikeEmail(value: string): boolean {
  if (value.length > 254 || hasWhitespace(value)) return false;
  const parts = value.split('@');
  if (parts.length !== 2) return false;
  const [local = '', domain = ''] = parts;
  const labels = domain.split('.');
  return local.length > 0 && labels.length >= 2 && labels.every((label) => label.length > 0);
}

function looksLikeE164(value: string): boolean {
  if (!value.startsWith('+')) return false;
  const digits = value.slice(1);
  return isDigits(digits) && digits.length >= 7 && digits.length <= 15 && !digits.startsWith('0');
}

const isLeapYear = (year: number) => (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
const MONTH_DAYS = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

function inRange(text: string, min: number, max: number): boolean {
  if (!isDigits(text)) return false;
  const value = Number(text);
  return value >= min && value <= max;
}

/** RFC 3339 date-time, read field by field: YYYY-MM-DDTHH:MM:SS[.fraction](Z|+HH:MM|-HH:MM). */
function isTimestamp(value: string): boolean {
  if (value.length < 20) return false;
  if (value[4] !== '-' || value[7] !== '-' || value[10] !== 'T' || value[13] !== ':' || value[16] !== ':') {
    return false;
  }
  const year = value.slice(0, 4);
  const month = value.slice(5, 7);
  const day = value.slice(8, 10);
  if (!isDigits(year) || !inRange(month, 1, 12)) return false;
  const monthIndex = Number(month) - 1;
  const maxDay = monthIndex === 1 && isLeapYear(Number(year)) ? 29 : (MONTH_DAYS[monthIndex] ?? 0);
  if (!inRange(day, 1, maxDay)) return false;
  if (!inRange(value.slice(11, 13), 0, 23) || !inRange(value.slice(14, 16), 0, 59)) return false;
  if (!inRange(value.slice(17, 19), 0, 59)) return false;
  let rest = value.slice(19);
  if (rest.startsWith('.')) {
    let end = 1;
    while (end < rest.length && isDigits(rest.charAt(end))) end += 1;
    if (end === 1) return false;
    rest = rest.slice(end);
  }
  if (rest === 'Z') return true;
  if (rest.length !== 6 || (rest[0] !== '+' && rest[0] !== '-') || rest[3] !== ':') return false;
  return inRange(rest.slice(1, 3), 0, 23) && inRange(rest.slice(4, 6), 0, 59);
}

/** Why a return URI is refused, or undefined: https, or http on a loopback host only. */
function uriProblem(value: string): string | undefined {
  if (value.length > MAX_URI_LENGTH) return 'is too long';
  if (hasWhitespace(value)) return 'contains whitespace';
  if (!URL.canParse(value)) return 'is not an absolute URI';
  const url = new URL(value);
  if (value.includes('#')) return 'has a fragment';
  if (url.username || url.password) return 'has user information';
  const loopback = url.hostname === 'localhost' || url.hostname === '127.0.0.1' || url.hostname === '[::1]';
  if (url.protocol === 'https:' || (url.protocol === 'http:' && loopback)) return undefined;
  return 'must use https';
}

/** Field → messages. A Map, because field names come from the body (`metadata.constructor` is a fine key). */
class Problems {
  readonly #byField = new Map<string, string[]>();
  add(field: string, message: string): void {
    this.#byField.set(field, [...(this.#byField.get(field) ?? []), message]);
  }
  get empty(): boolean {
    return this.#byField.size === 0;
  }
  get errors(): Record<string, string[]> {
    return Object.fromEntries(this.#byField);
  }
}

function onlyKnownKeys(value: Json, path: string, allowed: readonly string[], problems: Problems): void {
  for (const key of Object.keys(value)) {
    if (!allowed.includes(key)) problems.add(path ? `${path}.${key}` : key, 'Unknown field');
  }
}

function requireObject(value: unknown, path: string, problems: Problems): Json | undefined {
  if (value === undefined) {
    problems.add(path, 'Required');
    return undefined;
  }
  if (!isObject(value)) {
    problems.add(path, 'Must be an object');
    return undefined;
  }
  return value;
}

function optionalObject(value: unknown, path: string, problems: Problems): Json | undefined {
  return value === undefined ? undefined : requireObject(value, path, problems);
}

/** A non-empty list of strings, each accepted by `valid`, none repeated. */
function stringList(
  value: unknown,
  path: string,
  valid: (item: string) => boolean,
  problems: Problems,
): string[] | undefined {
  if (!Array.isArray(value)) {
    problems.add(path, 'Must be an array');
    return undefined;
  }
  if (value.length === 0) problems.add(path, 'Must not be empty');
  const seen = new Set<string>();
  const items: string[] = [];
  value.forEach((item: unknown, index) => {
    if (typeof item !== 'string' || !valid(item)) {
      problems.add(`${path}.${index}`, 'Invalid value');
    }
    if (typeof item === 'string') {
      if (seen.has(item)) problems.add(`${path}.${index}`, 'Duplicate value');
      seen.add(item);
      items.push(item);
    }
  });
  return items;
}

function oneOf<T extends string>(
  value: unknown,
  path: string,
  allowed: readonly T[],
  problems: Problems,
): T | undefined {
  const match = allowed.find((candidate) => candidate === value);
  if (match === undefined) problems.add(path, value === undefined ? 'Required' : 'Invalid value');
  return match;
}

function text(
  value: unknown,
  path: string,
  problems: Problems,
  check: (item: string) => string | undefined,
): string | undefined {
  if (typeof value !== 'string') {
    problems.add(path, 'Must be a string');
    return undefined;
  }
  const problem = check(value);
  if (problem) problems.add(path, problem);
  return problem ? undefined : value;
}

function checkFilter(value: unknown, problems: Problems): SimFilter {
  const path = 'provider_selection.filter';
  const filter = optionalObject(value, path, problems);
  if (!filter) return {};
  onlyKnownKeys(
    filter,
    path,
    ['countries', 'release_channel', 'customer_segments', 'provider_ids', 'excludes'],
    problems,
  );
  const out: SimFilter = {};
  if (filter.countries !== undefined) {
    const list = stringList(filter.countries, `${path}.countries`, (c) => ISO_COUNTRIES.has(c), problems);
    if (list) out.countries = list;
  }
  if (filter.release_channel !== undefined) {
    const channel = oneOf(filter.release_channel, `${path}.release_channel`, CHANNELS, problems);
    if (channel) out.release_channel = channel;
  }
  if (filter.customer_segments !== undefined) {
    const list = stringList(
      filter.customer_segments,
      `${path}.customer_segments`,
      (s) => SEGMENTS.includes(s),
      problems,
    );
    if (list) out.customer_segments = list;
  }
  for (const key of ['provider_ids', 'excludes'] as const) {
    if (filter[key] === undefined) continue;
    const list = stringList(filter[key], `${path}.${key}`, looksLikeProviderId, problems);
    if (list) out[key] = list;
  }
  return out;
}

function checkUser(value: unknown, options: RuleOptions, problems: Problems): string | undefined {
  const user = requireObject(value, 'user', problems);
  if (!user) return undefined;
  onlyKnownKeys(user, 'user', ['id', 'name', 'email', 'phone'], problems);
  let id: string | undefined;
  if (user.id !== undefined) {
    id = text(user.id, 'user.id', problems, (v) =>
      v.trim() === '' ? 'Must not be blank' : chars(v) > 128 ? 'Too long' : undefined,
    );
  }
  if (user.name !== undefined) {
    text(user.name, 'user.name', problems, (v) =>
      v.trim() === '' ? 'Must not be blank' : chars(v) > 200 ? 'Too long' : undefined,
    );
  } else if (!options.aispLicensed) {
    problems.add('user.name', 'Required unless you hold an AISP licence');
  }
  if (user.email !== undefined) {
    text(user.email, 'user.email', problems, (v) => (looksLikeEmail(v) ? undefined : 'Invalid email'));
  }
  if (user.phone !== undefined) {
    text(user.phone, 'user.phone', problems, (v) => (looksLikeE164(v) ? undefined : 'Must be E.164'));
  }
  if (user.email === undefined && user.phone === undefined && !options.aispLicensed) {
    problems.add('user.email', 'Provide an email or a phone number');
  }
  return id;
}

function checkMetadata(value: unknown, problems: Problems): void {
  const metadata = optionalObject(value, 'metadata', problems);
  if (!metadata) return;
  const entries = Object.entries(metadata);
  if (entries.length > MAX_METADATA_PAIRS) problems.add('metadata', 'At most 10 key-value pairs');
  for (const [key, item] of entries) {
    const keyLength = chars(key);
    if (keyLength === 0 || keyLength > MAX_KEY_CHARS)
      problems.add(`metadata.${key}`, 'Key too long or empty');
    if (typeof item !== 'string') problems.add(`metadata.${key}`, 'Must be a string');
    else if (chars(item) > MAX_VALUE_CHARS) problems.add(`metadata.${key}`, 'Value too long');
  }
}

function classify(
  selection: string,
  consent: string,
  hostedPageType: string | undefined,
  customFlow: boolean,
): SimConfiguration | undefined {
  const key = `${selection}|${consent}|${hostedPageType ?? '-'}|${customFlow ? 'custom' : '-'}`;
  const table: Record<string, SimConfiguration> = {
    'user_selected|authorization_flow_captured|authorization_flow|-': 'hosted_flow',
    'preselected|authorization_flow_captured|authorization_flow|-': 'own_provider_selection',
    'preselected|precaptured|authorization_flow|-': 'own_provider_selection_and_consent',
    'preselected|precaptured|result_page|-': 'own_flow_with_result_page',
    'preselected|precaptured|-|custom': 'fully_custom',
  };
  return table[key];
}

/** Checks a create-connection body against every rule; on success says which configuration it is. */
export function validateDataConnectionRequest(body: unknown, options: RuleOptions): Verdict {
  const problems = new Problems();
  if (!isObject(body)) {
    problems.add('(body)', 'The body must be a JSON object');
    return { ok: false, errors: problems.errors };
  }
  onlyKnownKeys(
    body,
    '',
    [
      'scopes',
      'provider_selection',
      'user',
      'metadata',
      'user_consent',
      'hosted_page',
      'authorization_flow',
      'data_access_type',
    ],
    problems,
  );

  let scopes: string[] = [];
  if (body.scopes === undefined) problems.add('scopes', 'Required');
  else scopes = stringList(body.scopes, 'scopes', (s) => SCOPES.includes(s), problems) ?? [];

  const selection = requireObject(body.provider_selection, 'provider_selection', problems);
  let selectionType: 'preselected' | 'user_selected' | undefined;
  let providerId: string | undefined;
  let filter: SimFilter = {};
  if (selection) {
    onlyKnownKeys(selection, 'provider_selection', ['type', 'provider_id', 'filter'], problems);
    selectionType = oneOf(
      selection.type,
      'provider_selection.type',
      ['preselected', 'user_selected'] as const,
      problems,
    );
    if (selection.provider_id !== undefined) {
      providerId = text(selection.provider_id, 'provider_selection.provider_id', problems, (v) =>
        looksLikeProviderId(v) ? undefined : 'Invalid provider id',
      );
      if (selection.type === 'user_selected') {
        problems.add('provider_selection.provider_id', 'Only for preselected providers');
      }
    } else if (selection.type === 'preselected') {
      problems.add('provider_selection.provider_id', 'Required for preselected providers');
    }
    if (selection.filter !== undefined && selection.type === 'preselected') {
      problems.add('provider_selection.filter', 'Only for user-selected providers');
    }
    filter = checkFilter(selection.filter, problems);
  }

  const userId = checkUser(body.user, options, problems);
  checkMetadata(body.metadata, problems);

  const consentObject = requireObject(body.user_consent, 'user_consent', problems);
  let consent: 'precaptured' | 'authorization_flow_captured' | undefined;
  if (consentObject) {
    onlyKnownKeys(consentObject, 'user_consent', ['type', 'captured_at'], problems);
    consent = oneOf(
      consentObject.type,
      'user_consent.type',
      ['precaptured', 'authorization_flow_captured'] as const,
      problems,
    );
    if (consentObject.captured_at !== undefined) {
      text(consentObject.captured_at, 'user_consent.captured_at', problems, (v) =>
        isTimestamp(v) ? undefined : 'Must be an RFC 3339 date-time',
      );
      if (consentObject.type === 'authorization_flow_captured') {
        problems.add('user_consent.captured_at', 'Only for precaptured consent');
      }
    } else if (consentObject.type === 'precaptured') {
      problems.add('user_consent.captured_at', 'Required for precaptured consent');
    }
  }

  const hostedPage = optionalObject(body.hosted_page, 'hosted_page', problems);
  let hostedPageType: 'result_page' | 'authorization_flow' | undefined;
  let returnUri: string | undefined;
  let returnUriField: string | undefined;
  if (hostedPage) {
    onlyKnownKeys(
      hostedPage,
      'hosted_page',
      ['type', 'return_uri', 'redirect', 'country_code', 'language_code'],
      problems,
    );
    hostedPageType = oneOf(
      hostedPage.type,
      'hosted_page.type',
      ['result_page', 'authorization_flow'] as const,
      problems,
    );
    // TrueLayer's full example nests the return URI under `redirect`; its table does not. Both are taken.
    const redirect = optionalObject(hostedPage.redirect, 'hosted_page.redirect', problems);
    if (redirect) onlyKnownKeys(redirect, 'hosted_page.redirect', ['return_uri'], problems);
    const nested = redirect?.return_uri;
    if (hostedPage.return_uri === undefined && nested === undefined) {
      problems.add('hosted_page.return_uri', 'Required');
    } else if (hostedPage.return_uri !== undefined) {
      returnUri = text(hostedPage.return_uri, 'hosted_page.return_uri', problems, uriProblem);
      returnUriField = 'hosted_page.return_uri';
      if (nested !== undefined && nested !== hostedPage.return_uri) {
        problems.add('hosted_page.redirect.return_uri', 'Must equal hosted_page.return_uri');
      }
    } else {
      returnUri = text(nested, 'hosted_page.redirect.return_uri', problems, uriProblem);
      returnUriField = 'hosted_page.redirect.return_uri';
    }
    if (hostedPage.country_code !== undefined) {
      text(hostedPage.country_code, 'hosted_page.country_code', problems, (v) =>
        ISO_COUNTRIES.has(v) ? undefined : 'Not an ISO 3166-1 alpha-2 code',
      );
    }
    if (hostedPage.language_code !== undefined) {
      text(hostedPage.language_code, 'hosted_page.language_code', problems, (v) =>
        ISO_LANGUAGES.has(v) ? undefined : 'Not an ISO 639-1 code',
      );
    }
  }

  const flow = optionalObject(body.authorization_flow, 'authorization_flow', problems);
  if (flow) {
    onlyKnownKeys(flow, 'authorization_flow', ['redirect'], problems);
    const redirect = optionalObject(flow.redirect, 'authorization_flow.redirect', problems);
    if (redirect) {
      onlyKnownKeys(redirect, 'authorization_flow.redirect', ['return_uri'], problems);
      if (redirect.return_uri !== undefined) {
        returnUri = text(redirect.return_uri, 'authorization_flow.redirect.return_uri', problems, uriProblem);
        returnUriField = 'authorization_flow.redirect.return_uri';
      }
    }
  }
  if (body.authorization_flow !== undefined && isObject(body.hosted_page)) {
    if (body.hosted_page.type === 'authorization_flow') {
      problems.add('authorization_flow', 'Not allowed with a hosted page of type authorization_flow');
    }
  }

  const dataAccessType =
    body.data_access_type === undefined
      ? 'recurring'
      : oneOf(body.data_access_type, 'data_access_type', ['one_time', 'recurring'] as const, problems);

  if (!problems.empty || !selectionType || !consent || !dataAccessType) {
    return { ok: false, errors: problems.errors };
  }
  const configuration = classify(selectionType, consent, hostedPageType, flow !== undefined);
  if (!configuration) {
    problems.add(
      '(configuration)',
      'Unsupported combination of provider_selection, user_consent, hosted_page and authorization_flow',
    );
    return { ok: false, errors: problems.errors };
  }
  return {
    ok: true,
    request: {
      configuration,
      scopes,
      selection:
        selectionType === 'preselected'
          ? { type: 'preselected', providerId: providerId ?? '' }
          : { type: 'user_selected', filter },
      consent,
      ...(hostedPageType === undefined ? {} : { hostedPageType }),
      ...(returnUri === undefined ? {} : { returnUri }),
      ...(returnUriField === undefined ? {} : { returnUriField }),
      ...(userId === undefined ? {} : { userId }),
      dataAccessType,
    },
  };
}
