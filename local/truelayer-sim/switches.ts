import { z } from 'zod';

/**
 * Where TrueLayer's documents are silent, the simulator can play each
 * plausible answer, one switch per undocumented point (docs/conformance.md lists each), so that
 * the product's tests prove it works with every one of them rather than with
 * the one guess the simulator used to make come true.
 */
export const SwitchesSchema = z.strictObject({
  /**
   * HTTP status of the `multiple_accounts_linked` answer of `GET /signup-plus/accounts`
   * (undocumented; its body reads like a problem). 200 by default.
   */
  multiple_accounts_status: z.int().min(200).max(499).default(200),
  /** Whether the Data v3 return URI gets `connection_id` appended (undocumented). */
  return_connection_id: z.boolean().default(true),
  /** Whether `GET /v3/data-connections/{id}` exists (no published page lists it); `absent` answers 404. */
  data_connection_endpoint: z.enum(['present', 'absent']).default('present'),
  /** Whether JSON answers are gzip-compressed for clients that accept gzip (D:common-headers lists it). */
  gzip: z.boolean().default(false),
  /**
   * How a field the user does not have is written in Signup+ answers: left out
   * (`omit`), `null` (as TrueLayer's PHP SDK returns), or an empty string.
   */
  absent_fields: z.enum(['omit', 'null', 'empty']).default('omit'),
  /** The address key of Signup+ answers: `country` (TrueLayer's SDK fixtures) or `country_code` (the Signup+ guide). */
  address_country_key: z.enum(['country', 'country_code']).default('country'),
  /**
   * Signup+ in Finland: the HTTP status of `POST /signup-plus/authuri`'s answer. TrueLayer does not
   * say; its PHP SDK's mock answers 201, its Java SDK's 200.
   */
  authuri_status: z.union([z.literal(201), z.literal(200)]).default(201),
  /**
   * Signup+ in Finland: whether TrueLayer already holds identity data for every payer, so that
   * `auth_uri` is the client's own redirect URI and the user data answers at once (documented as
   * possible; when it happens is not).
   */
  identification_known_user: z.boolean().default(false),
  /**
   * Signup+ in Finland: whether the return after the bank identification carries
   * `authorization_reference` (`query`, what older docs suggest) or only `state` (`absent`): the
   * exact query is undocumented.
   */
  identification_return_reference: z.enum(['query', 'absent']).default('query'),
  /**
   * Signup+ in Finland: whether `GET /signup-plus/payments` refuses a call without
   * `authorization_reference` (older docs take it, the current reference takes `payment_id` only).
   */
  identification_reference_required: z.boolean().default(false),
  /**
   * Signup+ in Finland: the `type` of the webhook sent when an auth URI expires unused. The OpenAPI
   * key says `authuri_expired`; the guides also name `authorization_expired` and
   * `webhook_authorisation_expired`.
   */
  identification_expired_type: z
    .enum(['authuri_expired', 'authorization_expired', 'webhook_authorisation_expired'])
    .default('authuri_expired'),
  /**
   * Signup+ on a Data v3 account, asynchronously: how many reads of
   * `GET /v3/connections/{connection_id}/accounts/{account_id}/signup-plus/requests/{request_id}`
   * answer `pending` before the request is done. TrueLayer lists the endpoint in one line, with no
   * timing. 1 by default; 0: done at the first read.
   */
  signup_plus_request_pending_polls: z.int().min(0).max(20).default(1),
  /**
   * Signup+ on a Data v3 account, asynchronously: how a request ends, undocumented. `completed` (the
   * identity); `failed` (200 `status: "failed"` with `failure_reason: "user_data_not_found"`);
   * `problem` (404 Problem Details "User data not found" instead of a body); `never` (pending for ever).
   */
  signup_plus_request_outcome: z.enum(['completed', 'failed', 'problem', 'never']).default('completed'),
  /**
   * Signup+ on a Data v3 account, asynchronously: where a completed request's identity is, undocumented.
   * `nested` under `user_data`, or `flat`: its fields at the top level beside `id` and `status`.
   */
  signup_plus_request_shape: z.enum(['nested', 'flat']).default('nested'),
  /**
   * Signup+ on a Data v3 account, asynchronously: the request's status words, undocumented.
   * `plain`: pending, completed, failed; `alternate`: in_progress, succeeded, failed.
   */
  signup_plus_request_status_words: z.enum(['plain', 'alternate']).default('plain'),
});
export type Switches = z.infer<typeof SwitchesSchema>;
export type SwitchesInput = z.input<typeof SwitchesSchema>;

/** The environment variable `startTrueLayerSimulator` reads its switches from when given none. */
export const SWITCHES_ENV = 'TRUELAYER_SIM_SWITCHES';

/** Thrown for switches that do not parse; names the source and every problem. */
export class SwitchesError extends Error {
  override name = 'SwitchesError';
}

function scalar(text: string): unknown {
  if (text === 'true') return true;
  if (text === 'false') return false;
  return /^\d+$/.test(text) ? Number(text) : text;
}

/**
 * Reads switches written as JSON (`{"gzip":true}`) or as a comma list
 * (`multiple_accounts_status=409,gzip=true`), the form an environment
 * variable or a command line takes.
 */
export function parseSwitches(text: string, source: string): Switches {
  const trimmed = text.trim();
  let data: unknown;
  if (trimmed.startsWith('{')) {
    try {
      data = JSON.parse(trimmed);
    } catch {
      throw new SwitchesError(`${source} is not valid JSON`);
    }
  } else {
    data = Object.fromEntries(
      trimmed
        .split(',')
        .map((pair) => pair.trim())
        .filter((pair) => pair !== '')
        .map((pair) => {
          const [key = '', ...rest] = pair.split('=');
          return [key.trim(), scalar(rest.join('=').trim())];
        }),
    );
  }
  const parsed = SwitchesSchema.safeParse(data);
  if (!parsed.success) {
    const problems = parsed.error.issues.map(
      (issue) => `${issue.path.join('.') || '(root)'}: ${issue.message}`,
    );
    throw new SwitchesError(`${source} is invalid: ${problems.join('; ')}`);
  }
  return parsed.data;
}

/** The switches in force, changeable while the simulator runs (`PUT /_sandbox/switches`). */
export class SwitchBoard {
  readonly #initial: Switches;
  #current: Switches;

  constructor(initial: SwitchesInput = {}) {
    this.#initial = SwitchesSchema.parse(initial);
    this.#current = this.#initial;
  }

  get current(): Switches {
    return this.#current;
  }

  /** Changes the switches named; the others keep their value. */
  set(changes: Partial<Switches>): Switches {
    this.#current = SwitchesSchema.parse({ ...this.#current, ...changes });
    return this.#current;
  }

  /** Back to the values the simulator started with. */
  reset(): Switches {
    this.#current = this.#initial;
    return this.#current;
  }
}
