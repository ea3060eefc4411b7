/**
 * The integrator API's answers as zod schemas. The use cases' return types are
 * derived from them (the types at the end of this file), the OpenAPI document
 * and the TypeScript client are generated or typed from them, and the journey
 * CLI, the benchmarks and the tests parse every answer with them. Built from
 * the domain's own schemas.
 */
import { z } from 'zod';
import * as zm from 'zod/mini';
import { connectionConfigurationSchema } from '../connections/configurations.ts';
import { connectionIdSchema, connectionRecordSchema, dataAccessTypes } from '../connections/model.ts';
import { accountChoiceSchema, onboardingSchema, onboardingStatusSchema } from '../onboarding/model.ts';
import { requestableFlows } from './flows.ts';
import { described } from './meta.ts';
import { onboardingIdSchema } from './onboarding-requests.ts';

/** `201` of `POST /onboardings` (the use case's `CreatedOnboarding`). */
export const createdOnboardingSchema = z
  .object({
    onboarding_id: onboardingIdSchema,
    flow: z.enum(requestableFlows),
    status: onboardingStatusSchema,
    auth_link: z.url().meta({
      description:
        "Where to send the user: TrueLayer's auth link carrying this onboarding's single-use state (data flow), " +
        "or TrueLayer's hosted page for this onboarding's payment (payment flow) or mandate (mandate flow).",
    }),
    payment_id: z
      .string()
      .optional()
      .meta({ description: "The payment flow's Payments v3 payment; the ready event names it too." }),
    mandate_id: z
      .string()
      .optional()
      .meta({ description: "The mandate flow's Payments v3 mandate; the ready event names it too." }),
    auth_link_expires_at: z.iso
      .datetime()
      .meta({ description: 'After this the link and its state are refused.' }),
  })
  .meta({ id: 'CreatedOnboarding' });

/** `200` of `GET /onboardings/{id}` (what `toOnboardingView` returns). */
export const onboardingViewSchema = described(
  zm.extend(zm.omit(onboardingSchema, { account_choices: true }), {
    accounts: z.array(accountChoiceSchema).optional().meta({
      description: 'Present while `status` is `awaiting_account_choice`: the accounts to pick from.',
    }),
    identification: z
      .object({
        link: z.url().meta({
          description:
            "Where to send the user to identify at their bank (TrueLayer's `auth_uri`); they come back to " +
            '`GET /identification/return` and on to the return page.',
        }),
        expires_at: z.iso.datetime().meta({ description: 'After this the journey ends `expired`.' }),
      })
      .optional()
      .meta({
        description:
          'Present while `status` is `awaiting_identification` (Signup+ in Finland, after the payment).',
      }),
  }),
  { id: 'Onboarding' },
);

/** `202` of `POST /onboardings/{id}/account-choice` (the use case's `AccountChoiceAccepted`). */
export const accountChoiceAcceptedSchema = z
  .object({
    onboarding_id: onboardingIdSchema,
    status: onboardingStatusSchema,
    chosen_account_id: z.string(),
  })
  .meta({ id: 'AccountChoiceAccepted' });

/** `202` of `DELETE /onboardings/{id}` (the use case's `ErasedOnboarding`). */
export const erasedOnboardingSchema = z
  .object({
    onboarding_id: onboardingIdSchema,
    status: z.enum(['completed', 'failed', 'expired']).meta({
      description:
        'How the journey ended; a journey still under way is ended `failed` (reason `erased`) first.',
    }),
    erased_at: z.iso
      .datetime()
      .meta({ description: "When the person's data was erased; the same on every repeat." }),
  })
  .meta({ id: 'ErasedOnboarding' });

/**
 * The stable codes a 5xx answer carries in `code`; each has one fixed sentence
 * (`functions/commons/http/problem.ts`), whatever went wrong inside.
 */
export const serverProblemCodes = [
  'truelayer_unavailable',
  'truelayer_rejected',
  'truelayer_next_action_unsupported',
  'internal_error',
] as const;
export type ServerProblemCode = (typeof serverProblemCodes)[number];

/** RFC 9457 problem details, as every error of the API is answered (`application/problem+json`). */
export const problemSchema = z
  .object({
    type: z
      .string()
      .meta({ description: 'A URN naming the kind of problem, e.g. urn:signupplus:problem:not-found' }),
    title: z.string(),
    status: z.number().int(),
    detail: z
      .string()
      .meta({ description: 'What went wrong, written for the caller. Never internal for 5xx.' }),
    errors: z
      .array(z.object({ field: z.string(), message: z.string() }))
      .optional()
      .meta({ description: 'Invalid fields (snake_case paths), for 400 answers.' }),
    onboarding_status: z
      .optional(onboardingStatusSchema)
      .meta({ description: 'The current status, for 409 answers.' }),
    state_problem: z
      .enum(['missing', 'unknown', 'expired', 'already_used'])
      .optional()
      .meta({ description: 'Why a callback state was refused.' }),
    code: z.enum(serverProblemCodes).optional().meta({
      description:
        'On 5xx answers: what went wrong, as a stable code for machines (`detail` is its fixed sentence).',
    }),
    trace_id: z.string().optional().meta({
      description: 'On 5xx answers: the id every log line of this request carries. Quote it to support.',
    }),
    truelayer: z
      .object({
        status: z.number().int().optional(),
        trace_id: z.string().optional(),
        correlation_id: z.string().optional(),
      })
      .optional()
      .meta({
        description:
          "On 502 and 503 answers: TrueLayer's HTTP status and its support ids, when it gave them.",
      }),
  })
  .loose()
  .meta({ id: 'Problem' });

/** `201` of `POST /connections` (the use case's `CreatedConnection`). */
export const createdConnectionSchema = z
  .object({
    onboarding_id: described(onboardingIdSchema, {
      description: "The product's id of this journey; every event carries it.",
    }),
    connection_id: described(connectionIdSchema, {
      description: "TrueLayer's connection id; later data calls need it.",
    }),
    user: z.object({ id: z.string().meta({ description: "TrueLayer's user id" }) }),
    status: z.enum(['authorization_required', 'authorizing']),
    configuration: connectionConfigurationSchema,
    data_access_type: z.enum(dataAccessTypes),
    signup_plus: z
      .literal(true)
      .optional()
      .meta({
        description:
          'Present when the request asked for Signup+: once the user authorises the connection, Signup+ reads ' +
          'the chosen account and the journey ends with Onboarding Ready For Payment. Follow it at ' +
          '`GET /onboardings/{onboarding_id}`.',
      }),
    redirect_to: z.string().meta({
      description:
        'Where to send the user now: the hosted page or the next authorization step, whichever applies.',
    }),
    hosted_page: z.object({ uri: z.string() }).optional(),
    authorization_flow: z
      .object({ actions: z.object({ next: z.object({ type: z.string(), uri: z.string() }) }) })
      .optional(),
  })
  .meta({ id: 'CreatedConnection' });

/** `200` of `GET /connections/{id}`: the connection's record (it holds no personal data). */
export const connectionViewSchema = described(connectionRecordSchema, { id: 'Connection' });

/**
 * `200` of `GET /connections/{id}/accounts`: the accounts the user connected,
 * as TrueLayer lists them now. Personal data (account numbers, holders'
 * names), read on demand for the integrator and kept nowhere by the product.
 */
export const connectedAccountsSchema = z
  .object({
    connection_id: connectionIdSchema,
    accounts: z.array(
      z.object({
        account_id: z.string().meta({ description: "TrueLayer's id of the account in this connection" }),
        account_type: z
          .string()
          .optional()
          .meta({ description: 'As TrueLayer says: `current` or `savings`' }),
        customer_segment: z
          .string()
          .optional()
          .meta({ description: 'As TrueLayer says: `retail` or `business`' }),
        currency: z.string().optional(),
        sort_code: z.string().optional(),
        account_number: z.string().optional(),
        iban: z.string().optional(),
        bic: z.string().optional(),
        holder_names: z.array(z.string()).meta({
          description: 'Every name the bank holds for the account (more than one when it is joint).',
        }),
      }),
    ),
  })
  .meta({ id: 'ConnectedAccounts' });

/** `200` of `GET /connections/{id}/user-info` (the use case's `ConnectionUserInfo`). */
export const connectionUserInfoSchema = z
  .object({
    connection_id: connectionIdSchema,
    name: z.string().optional().meta({
      description: "The account holder's name as the bank holds it; absent when the bank shares none.",
    }),
  })
  .meta({ id: 'ConnectionUserInfo' });

/*
 * What the use cases return, derived from the schemas above: an answer is the
 * returned value as JSON, so a use case cannot return a shape the document
 * does not describe. (`z.input`: the values as built, before any parsing.)
 */
export type CreatedOnboarding = z.input<typeof createdOnboardingSchema>;
export type OnboardingView = z.input<typeof onboardingViewSchema>;
export type AccountChoiceAccepted = z.input<typeof accountChoiceAcceptedSchema>;
export type ErasedOnboarding = z.input<typeof erasedOnboardingSchema>;
export type CreatedConnection = z.input<typeof createdConnectionSchema>;
export type ConnectedAccounts = z.input<typeof connectedAccountsSchema>;
export type ConnectionUserInfo = z.input<typeof connectionUserInfoSchema>;
