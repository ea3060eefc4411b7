import * as z from 'zod/mini';
import type { FieldProblem } from '../commons/errors.ts';
import { fieldProblems } from '../commons/field-problems.ts';
import {
  type ConfigurationShape,
  type ConnectionConfiguration,
  classifyConfiguration,
  describeShape,
} from './configurations.ts';
import '../commons/zod-messages.ts';
import { countryCodes, languageCodes } from './iso-codes.ts';
import { dataAccessTypes, dataScopes } from './model.ts';

/**
 * `POST /connections` takes TrueLayer's own `POST /v3/data-connections` body
 * (seed 003) and holds it to every rule of the seed's table before anything is
 * sent or stored. Field shapes are a zod schema; the rules that relate one
 * field to another are checked on the raw body beside it, so that every
 * violation is reported in one answer rather than one round trip at a time.
 */

/**
 * The table's release channels, and `public`, which TrueLayer's own full
 * example uses (seed 003): accepted and passed on as written
 * (docs/connections.md, "What is sent where TrueLayer's documents disagree").
 */
export const releaseChannels = ['general_availability', 'public_beta', 'private_beta', 'public'] as const;
export const customerSegments = ['retail', 'business', 'corporate'] as const;

export const METADATA_LIMITS = { pairs: 10, keyCharacters: 40, valueCharacters: 500 } as const;
export const RETURN_URI_MAX_LENGTH = 2048;

/** Lengths are counted in characters (code points), so an emoji counts once. */
export const characterCount = (text: string) => [...text].length;

const PROVIDER_ID = /^[a-z0-9][a-z0-9-]{1,63}$/;
/** Deliberately plain: something@domain.tld, no spaces. Deliverability is TrueLayer's business. */
const EMAIL = /^[^\s@]+@[^\s@.]+(\.[^\s@.]+)+$/;
/** E.164: a plus, a non-zero country code digit, 7 to 15 digits in all. */
const E164 = /^\+[1-9][0-9]{6,14}$/;
const RFC3339 = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(\.\d+)?(Z|[+-](\d{2}):(\d{2}))$/;
const LOOPBACK_HOSTS = new Set(['localhost', '127.0.0.1', '[::1]']);

function daysInMonth(year: number, month: number): number {
  if (month === 2) return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0 ? 29 : 28;
  return [4, 6, 9, 11].includes(month) ? 30 : 31;
}

/** RFC 3339 `date-time` with upper-case `T` and `Z`, a real calendar date and a real time of day. */
export function isRfc3339DateTime(value: string): boolean {
  const match = RFC3339.exec(value);
  if (!match) return false;
  const [year, month, day, hour, minute, second] = match.slice(1, 7).map(Number);
  const [offsetHour, offsetMinute] = [match[9], match[10]].map((part) => Number(part ?? 0));
  if (year === undefined || month === undefined || day === undefined) return false;
  return (
    month >= 1 &&
    month <= 12 &&
    day >= 1 &&
    day <= daysInMonth(year, month) &&
    (hour ?? 99) <= 23 &&
    (minute ?? 99) <= 59 &&
    (second ?? 99) <= 59 &&
    (offsetHour ?? 99) <= 23 &&
    (offsetMinute ?? 99) <= 59
  );
}

/**
 * Why a return URI is unacceptable, or undefined. Absolute https only; plain
 * http is allowed for loopback hosts so the local runtime and demos work.
 */
export function returnUriProblem(value: string): string | undefined {
  if (value.length > RETURN_URI_MAX_LENGTH) return `must be at most ${RETURN_URI_MAX_LENGTH} characters`;
  if (/\s/.test(value)) return 'must not contain whitespace';
  const url = URL.parse(value);
  if (!url) return 'must be an absolute URL';
  if (value.includes('#')) return 'must not contain a fragment';
  if (url.username !== '' || url.password !== '') return 'must not contain credentials';
  if (url.protocol === 'https:') return undefined;
  if (url.protocol === 'http:' && LOOPBACK_HOSTS.has(url.hostname)) return undefined;
  return 'must be an https URL (http is allowed only for localhost)';
}

const refineString = (check: (value: string) => boolean, message: string) =>
  z.string().check(z.refine(check, { message }));

const providerId = refineString(
  (value) => PROVIDER_ID.test(value),
  'must be a TrueLayer provider id such as ob-monzo',
);
const countryCode = refineString(
  (value) => countryCodes.has(value),
  'must be an ISO 3166-1 alpha-2 country code such as GB',
);
const languageCode = refineString(
  (value) => languageCodes.has(value),
  'must be an ISO 639-1 language code such as en',
);
const returnUri = z.string().check(
  z.superRefine((value, ctx) => {
    const problem = returnUriProblem(value);
    if (problem) ctx.addIssue({ code: 'custom', message: problem });
  }),
);
const nonEmptyList = <T extends z.ZodMiniType>(item: T) =>
  z.array(item).check(z.minLength(1, { message: 'must list at least one value' }));

const filterSchema = z.strictObject({
  countries: z.optional(nonEmptyList(countryCode)),
  release_channel: z.optional(z.enum(releaseChannels)),
  customer_segments: z.optional(nonEmptyList(z.enum(customerSegments))),
  provider_ids: z.optional(nonEmptyList(providerId)),
  excludes: z.optional(nonEmptyList(providerId)),
});

const userSchema = z.strictObject({
  id: z.optional(
    z.string().check(
      z.refine((value) => value.trim() !== '', { message: 'must not be blank' }),
      z.refine((value) => characterCount(value) <= 128, { message: 'must be at most 128 characters' }),
    ),
  ),
  name: z.optional(
    z.string().check(
      z.refine((value) => value.trim() !== '', { message: 'must not be blank' }),
      z.refine((value) => characterCount(value) <= 200, { message: 'must be at most 200 characters' }),
    ),
  ),
  email: z.optional(
    refineString((value) => value.length <= 254 && EMAIL.test(value), 'must be an email address'),
  ),
  phone: z.optional(
    refineString(
      (value) => E164.test(value),
      'must be a phone number in E.164 format, such as +447700900000',
    ),
  ),
});

const metadataSchema = z.record(z.string(), z.unknown()).check(
  z.superRefine((metadata, ctx) => {
    const entries = Object.entries(metadata);
    if (entries.length > METADATA_LIMITS.pairs) {
      ctx.addIssue({ code: 'custom', message: `must have at most ${METADATA_LIMITS.pairs} pairs` });
    }
    for (const [key, value] of entries) {
      const length = characterCount(key);
      if (length < 1 || length > METADATA_LIMITS.keyCharacters) {
        ctx.addIssue({
          code: 'custom',
          path: [key],
          message: `keys must be 1 to ${METADATA_LIMITS.keyCharacters} characters`,
        });
      }
      if (typeof value !== 'string') {
        ctx.addIssue({ code: 'custom', path: [key], message: 'must be a string' });
      } else if (characterCount(value) > METADATA_LIMITS.valueCharacters) {
        ctx.addIssue({
          code: 'custom',
          path: [key],
          message: `must be at most ${METADATA_LIMITS.valueCharacters} characters`,
        });
      }
    }
  }),
);

/** Field shapes. Fields whose presence depends on another field are optional here and checked below. */
export const connectionRequestSchema = z.strictObject({
  scopes: nonEmptyList(z.enum(dataScopes)),
  provider_selection: z.strictObject({
    type: z.enum(['preselected', 'user_selected']),
    provider_id: z.optional(providerId),
    filter: z.optional(filterSchema),
  }),
  user: userSchema,
  metadata: z.optional(metadataSchema),
  user_consent: z.strictObject({
    type: z.enum(['precaptured', 'authorization_flow_captured']),
    captured_at: z.optional(refineString(isRfc3339DateTime, 'must be an RFC 3339 timestamp')),
  }),
  hosted_page: z.optional(
    z.strictObject({
      type: z.enum(['result_page', 'authorization_flow']),
      /** Required unless given as `redirect.return_uri`, the form of TrueLayer's full example. */
      return_uri: z.optional(returnUri),
      redirect: z.optional(z.strictObject({ return_uri: returnUri })),
      country_code: z.optional(countryCode),
      language_code: z.optional(languageCode),
    }),
  ),
  authorization_flow: z.optional(
    z.strictObject({
      redirect: z.optional(z.strictObject({ return_uri: z.optional(returnUri) })),
    }),
  ),
  data_access_type: z._default(z.enum(dataAccessTypes), 'recurring'),
  /**
   * The product's own field, never sent to TrueLayer: once the user authorises
   * the connection, Signup+ reads the chosen connected account and the journey
   * ends with the ready event (the connection flow, docs/flows.md).
   */
  signup_plus: z.optional(z.boolean()),
});
export type ConnectionRequest = z.infer<typeof connectionRequestSchema>;

/** Callers read these messages; they never quote the rejected value, which may be personal data. */
const errorMap: z.core.$ZodErrorMap = (issue) => {
  switch (issue.code) {
    case 'invalid_type':
      return issue.input === undefined ? 'is required' : `must be ${describeType(issue.expected)}`;
    case 'invalid_value':
      return `must be one of ${issue.values.map(String).join(', ')}`;
    default:
      return undefined;
  }
};

function describeType(expected: string): string {
  if (expected === 'object' || expected === 'record') return 'an object';
  if (expected === 'array') return 'an array';
  return `a ${expected}`;
}

const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);
const asRecord = (value: unknown) => (isRecord(value) ? value : undefined);

function duplicateProblems(list: unknown, path: string): FieldProblem[] {
  if (!Array.isArray(list)) return [];
  const seen = new Set<unknown>();
  const problems: FieldProblem[] = [];
  list.forEach((item, index) => {
    if (typeof item !== 'string') return;
    if (seen.has(item)) problems.push({ field: `${path}.${index}`, message: 'repeats an earlier value' });
    seen.add(item);
  });
  return problems;
}

export interface ValidationSettings {
  /** Clients with an AISP licence may leave out the user's name, email and phone (seed 003). */
  aispLicensed: boolean;
}

/** Rules that tie one field to another, checked on the raw body so they are reported alongside shape errors. */
function relationalProblems(body: unknown, settings: ValidationSettings): FieldProblem[] {
  const root = asRecord(body);
  if (!root) return [];
  const problems: FieldProblem[] = [...duplicateProblems(root.scopes, 'scopes')];
  if (root.signup_plus === true && Array.isArray(root.scopes) && !root.scopes.includes('accounts')) {
    problems.push({
      field: 'scopes',
      message: 'must include accounts when signup_plus is true (Signup+ reads one connected account)',
    });
  }

  const selection = asRecord(root.provider_selection);
  if (selection?.type === 'preselected' && selection.provider_id === undefined) {
    problems.push({
      field: 'provider_selection.provider_id',
      message: 'is required when provider_selection.type is preselected',
    });
  }
  if (selection?.type === 'user_selected' && selection.provider_id !== undefined) {
    problems.push({
      field: 'provider_selection.provider_id',
      message: 'is only allowed when provider_selection.type is preselected',
    });
  }
  if (selection?.type === 'preselected' && selection.filter !== undefined) {
    problems.push({
      field: 'provider_selection.filter',
      message: 'is only allowed when provider_selection.type is user_selected',
    });
  }
  const filter = asRecord(selection?.filter);
  for (const list of ['countries', 'customer_segments', 'provider_ids', 'excludes']) {
    problems.push(...duplicateProblems(filter?.[list], `provider_selection.filter.${list}`));
  }

  const consent = asRecord(root.user_consent);
  if (consent?.type === 'precaptured' && consent.captured_at === undefined) {
    problems.push({
      field: 'user_consent.captured_at',
      message: 'is required when user_consent.type is precaptured',
    });
  }
  if (consent?.type === 'authorization_flow_captured' && consent.captured_at !== undefined) {
    problems.push({
      field: 'user_consent.captured_at',
      message: 'is only allowed when user_consent.type is precaptured',
    });
  }

  const user = asRecord(root.user);
  if (user && !settings.aispLicensed) {
    if (user.name === undefined) {
      problems.push({ field: 'user.name', message: 'is required (unless the client holds an AISP licence)' });
    }
    if (user.email === undefined && user.phone === undefined) {
      problems.push({
        field: 'user.email',
        message: 'an email or a phone is required (unless the client holds an AISP licence)',
      });
    }
  }

  const hostedPage = asRecord(root.hosted_page);
  if (hostedPage) {
    const nested = asRecord(hostedPage.redirect)?.return_uri;
    if (hostedPage.return_uri === undefined && nested === undefined) {
      problems.push({ field: 'hosted_page.return_uri', message: 'is required' });
    }
    if (hostedPage.return_uri !== undefined && nested !== undefined && hostedPage.return_uri !== nested) {
      problems.push({
        field: 'hosted_page.redirect.return_uri',
        message: 'must equal hosted_page.return_uri when both are given',
      });
    }
  }
  if (root.authorization_flow !== undefined && hostedPage?.type === 'authorization_flow') {
    problems.push({
      field: 'authorization_flow',
      message: 'cannot be combined with a hosted_page of type authorization_flow',
    });
  }
  return problems;
}

export type ConnectionRequestCheck =
  | { ok: true; request: ConnectionRequest; configuration: ConnectionConfiguration }
  | { ok: false; reason: 'invalid'; problems: FieldProblem[] }
  | { ok: false; reason: 'unsupported_configuration'; problems: FieldProblem[]; shape: ConfigurationShape };

export function configurationShape(request: ConnectionRequest): ConfigurationShape {
  return {
    provider_selection: request.provider_selection.type,
    user_consent: request.user_consent.type,
    hosted_page: request.hosted_page?.type ?? 'none',
    authorization_flow: request.authorization_flow !== undefined,
  };
}

/**
 * Checks a body against every rule, then names its configuration. A body that
 * passes every field rule but matches none of the five configurations is
 * refused on its own ground, so the answer can explain the five.
 */
export function checkConnectionRequest(body: unknown, settings: ValidationSettings): ConnectionRequestCheck {
  const parsed = connectionRequestSchema.safeParse(body, { error: errorMap });
  const problems = [
    ...(parsed.success ? [] : fieldProblems(parsed.error)),
    ...relationalProblems(body, settings),
  ];
  if (!parsed.success || problems.length > 0) return { ok: false, reason: 'invalid', problems };
  const request = parsed.data;
  const shape = configurationShape(request);
  const description = classifyConfiguration(shape);
  if (!description) {
    return {
      ok: false,
      reason: 'unsupported_configuration',
      shape,
      problems: [
        {
          field: '(configuration)',
          message: `${describeShape(shape)} is not one of the five supported configurations`,
        },
      ],
    };
  }
  return { ok: true, request, configuration: description.configuration };
}
