/**
 * What the OpenAPI document says about each route, keyed by the route's
 * `METHOD path` in functions/contract/manifest.ts ROUTES. Request schemas are the ones the
 * handlers parse with; answers come from ./responses.ts. A route without an
 * entry here is still documented, from the manifest alone (see document.ts).
 */
import { z } from 'zod';
import * as zm from 'zod/mini';
import type { ZodOpenApiOperationObject, ZodOpenApiResponseObject } from 'zod-openapi';
import { described } from '../../../functions/contract/meta.ts';
import {
  accountChoiceRequestSchema,
  callbackQuerySchema,
  connectionPathSchema,
  connectionRequestSchema,
  connectionReturnQuerySchema,
  createOnboardingRequestSchema,
  identificationReturnQuerySchema,
  onboardingPathSchema,
  paymentReturnQuerySchema,
} from '../../../functions/contract/requests.ts';
import {
  accountChoiceAcceptedSchema,
  connectedAccountsSchema,
  connectionUserInfoSchema,
  connectionViewSchema,
  createdConnectionSchema,
  createdOnboardingSchema,
  erasedOnboardingSchema,
  onboardingViewSchema,
  problemSchema,
} from '../../../functions/contract/responses.ts';
import {
  accountChoiceAcceptedExample,
  accountChoiceRequestExample,
  connectedAccountsExample,
  connectionRequestExamples,
  connectionViewExample,
  createdConnectionExample,
  createdExample,
  createdPaymentExample,
  createRequestExamples,
  EXAMPLE_CONNECTION_ID,
  EXAMPLE_ONBOARDING_ID,
  erasedExample,
  onboardingExamples,
  problemExamples,
} from './examples.ts';

/** The parts of an operation that routes do not share; `security` and `tags` come from the manifest. */
export type OperationDoc = Omit<ZodOpenApiOperationObject, 'security' | 'operationId'> & {
  operationId: string;
};

type ProblemExample = keyof typeof problemExamples;

/** An error answer as application/problem+json, with the named examples. */
export function problem(description: string, ...examples: ProblemExample[]): ZodOpenApiResponseObject {
  return {
    description,
    content: {
      'application/problem+json': {
        schema: problemSchema,
        ...(examples.length
          ? { examples: Object.fromEntries(examples.map((name) => [name, problemExamples[name]])) }
          : {}),
      },
    },
  };
}

const json = (schema: z.core.$ZodType, examples: Record<string, { summary: string; value: unknown }>) => ({
  'application/json': { schema, examples },
});

const connectionPath = zm.extend(connectionPathSchema, {
  id: described(connectionPathSchema.shape.id, {
    description: "TrueLayer's connection id, as POST /connections returned it.",
    example: EXAMPLE_CONNECTION_ID,
  }),
});

const onboardingPath = zm.extend(onboardingPathSchema, {
  id: described(onboardingPathSchema.shape.id, {
    description: 'The onboarding id returned by POST /onboardings.',
    example: EXAMPLE_ONBOARDING_ID,
  }),
});

export const OPERATIONS: Record<string, OperationDoc> = {
  'POST /onboardings': {
    operationId: 'createOnboarding',
    summary: 'Start a Signup+ onboarding',
    description:
      "Creates an onboarding and the link to send the user's browser to (`auth_link`). Data flow (the " +
      "default): TrueLayer's auth link; TrueLayer sends the user back to `GET /callback`, which starts the " +
      'workflow. `{}` (or no body) uses the configured scopes and providers. Payment flow (`flow: "payment"`): ' +
      "a signed Payments v3 payment into the configured merchant account and TrueLayer's hosted payment page " +
      'for it; the page sends the user back to `GET /payments/return`, and once the payment has settled ' +
      'Signup+ names the payer. In EUR (Signup+ in Finland) the payer then identifies at their bank ' +
      '(`identification.link` on the onboarding) before Signup+ names them. See docs/flows.md.',
    requestBody: {
      required: false,
      content: {
        'application/json': { schema: createOnboardingRequestSchema, examples: createRequestExamples },
      },
    },
    responses: {
      '201': {
        description: 'Created. `Location` points to the new onboarding.',
        headers: z.object({
          location: z
            .string()
            .meta({ description: '/onboardings/{id}', example: `/onboardings/${EXAMPLE_ONBOARDING_ID}` }),
        }),
        content: json(createdOnboardingSchema, {
          created: { summary: 'Created (data flow)', value: createdExample },
          payment: { summary: 'Created (payment flow)', value: createdPaymentExample },
        }),
      },
      '400': problem('The body does not match the schema; `errors` lists every field.', 'invalid'),
      '502': problem(
        'TrueLayer refused the payment as the product sent it (payment flow).',
        'truelayerRejected',
      ),
      '503': problem(
        'TrueLayer could not be reached to create the payment (payment flow); retry.',
        'truelayerUnavailable',
      ),
      '413': problem('The body is larger than 16 KiB.', 'tooLarge'),
      '415': problem('The body is not `application/json`.', 'unsupportedMediaType'),
      '500': problem('Internal error; safe to retry.', 'internal'),
    },
  },
  'GET /onboardings/{id}': {
    operationId: 'getOnboarding',
    summary: 'Read an onboarding',
    description:
      'Status, timeline and, once completed, the identity and account. While `status` is ' +
      '`awaiting_account_choice`, `accounts` lists the choices (numbers masked). Terminal statuses: ' +
      '`completed`, `failed` (with `failure.reason`), `expired`. Carries personal data: keep it on your backend.',
    requestParams: { path: onboardingPath },
    responses: {
      '200': {
        description: 'The onboarding as it stands.',
        content: json(onboardingViewSchema, onboardingExamples),
      },
      '400': problem('The id is not a UUID.', 'invalid'),
      '404': problem('No onboarding with this id.', 'notFound'),
      '500': problem('Internal error; safe to retry.', 'internal'),
    },
  },
  'DELETE /onboardings/{id}': {
    operationId: 'eraseOnboarding',
    summary: "Erase the person's data",
    description:
      "Erases the person's data everywhere the product keeps it: the record's user, account, accounts offered, " +
      "reference and step details, the journey's secrets, the example consumer's idempotency record. The record " +
      'stays, without them, as `erased_at` and how the journey ended, until its retention ends. A journey still ' +
      'under way is ended `failed` with reason `erased` first (its own terminal event is published). Then ' +
      '`Onboarding Erased` (no personal data) tells consumers to erase theirs. Idempotent: a repeat answers the ' +
      'same. See docs/deploy.md § Retention and erasure.',
    requestParams: { path: onboardingPath },
    responses: {
      '202': {
        description: "Accepted: the product's copy is erased; consumers erase theirs on `Onboarding Erased`.",
        content: json(erasedOnboardingSchema, { erased: { summary: 'Erased', value: erasedExample } }),
      },
      '400': problem('The id is not a UUID.', 'invalid'),
      '404': problem('No onboarding with this id (never created, or past its retention).', 'notFound'),
      '500': problem('Internal error; safe to retry: the erasure finishes what is left.', 'internal'),
    },
  },
  'POST /onboardings/{id}/account-choice': {
    operationId: 'chooseAccount',
    summary: 'Choose the account to pay from',
    description:
      'Resumes a journey waiting in `awaiting_account_choice` with one of the offered `accounts`. ' +
      'Of concurrent or repeated choices exactly one is accepted; the others get 409 with the current status. ' +
      'Poll `GET /onboardings/{id}` (or consume the events) for the outcome.',
    requestParams: { path: onboardingPath },
    requestBody: {
      required: true,
      content: {
        'application/json': {
          schema: accountChoiceRequestSchema,
          examples: { choice: { summary: 'The second account', value: accountChoiceRequestExample } },
        },
      },
    },
    responses: {
      '202': {
        description: 'Accepted: the workflow resumes with this account.',
        content: json(accountChoiceAcceptedSchema, {
          accepted: { summary: 'Accepted', value: accountChoiceAcceptedExample },
        }),
      },
      '400': problem('Invalid body, or an account that was not offered.', 'invalid', 'notOffered'),
      '404': problem('No onboarding with this id.', 'notFound'),
      '409': problem('The onboarding is not waiting for a choice (already chosen, ended).', 'conflict'),
      '413': problem('The body is larger than 16 KiB.', 'tooLarge'),
      '415': problem('The body is not `application/json`.', 'unsupportedMediaType'),
      '500': problem('Internal error; safe to retry.', 'internal'),
    },
  },
  'GET /callback': {
    operationId: 'handleCallback',
    summary: "TrueLayer's redirect back to you (the user's browser)",
    description:
      'Not for your backend: register `<api>/callback` as the redirect URI. Checks the single-use `state`, ' +
      'stores the code server-side, starts the workflow once (a repeated identical redirect is harmless) and ' +
      'redirects the browser to the configured return page with `onboarding_id` (and `outcome=denied` when ' +
      'the user declined). Browsers asking for HTML get a small page for errors, others problem+json.',
    requestParams: {
      query: callbackQuerySchema,
    },
    responses: {
      '302': {
        description: 'To the return page: `?onboarding_id=…[&outcome=denied]`. Never carries the code.',
        headers: z.object({
          location: z.string().meta({
            description: 'The configured RETURN_URL with the onboarding id.',
            example: `https://app.example.com/onboarding/done?onboarding_id=${EXAMPLE_ONBOARDING_ID}`,
          }),
        }),
      },
      '400': {
        description: 'Missing, unknown, expired or already used `state`, or neither `code` nor `error`.',
        content: {
          'application/problem+json': {
            schema: problemSchema,
            examples: { badState: problemExamples.badState },
          },
          'text/html': { schema: { type: 'string' } },
        },
      },
      '500': problem('Internal error; the user can retry the redirect.', 'internal'),
    },
  },
  'GET /payments/return': {
    operationId: 'handlePaymentReturn',
    summary: "TrueLayer's payment page sending the user back (the user's browser)",
    description:
      'Not for your backend: the payment flow gives TrueLayer `<api>/payments/return` as the `return_uri`, ' +
      'which must be allow-listed in TrueLayer Console. Nothing in the query is trusted: it starts the ' +
      "payment workflow, which reads the payment's status from TrueLayer and ends the journey by it " +
      '(a user who never comes back is caught by the reconciler once the link expires). The browser goes on ' +
      'to the configured return page with `onboarding_id`; follow the onboarding there.',
    requestParams: { query: paymentReturnQuerySchema },
    responses: {
      '302': {
        description: 'To the return page: `?onboarding_id=…`.',
        headers: z.object({
          location: z.string().meta({
            description: 'The configured RETURN_URL with the onboarding id.',
            example: `https://app.example.com/onboarding/done?onboarding_id=${EXAMPLE_ONBOARDING_ID}`,
          }),
        }),
      },
      '400': {
        description: 'No `payment_id`, or one no onboarding was made for.',
        content: {
          'application/problem+json': { schema: problemSchema },
          'text/html': { schema: { type: 'string' } },
        },
      },
      '500': problem('Internal error; the user can retry the redirect.', 'internal'),
    },
  },
  'GET /identification/return': {
    operationId: 'handleIdentificationReturn',
    summary: "The Finnish bank sending the user back after identifying (the user's browser)",
    description:
      'Not for your backend: Signup+ in Finland (a payment in EUR). After the payment, the onboarding shows ' +
      '`identification.link`, where the user identifies at their bank; TrueLayer Support allow-lists ' +
      '`<api>/identification/return` for it. Checks the single-use `state` that link carried, keeps the ' +
      "bank's `authorization_reference` (when it sends one) server-side, and moves the onboarding to " +
      '`identified`; the payment workflow then reads the payer from Signup+. An `error` ends the journey ' +
      '`failed`. The browser goes on to the configured return page with `onboarding_id` (and ' +
      '`outcome=denied` after an error).',
    requestParams: { query: identificationReturnQuerySchema },
    responses: {
      '302': {
        description: 'To the return page: `?onboarding_id=…[&outcome=denied]`. Never carries the reference.',
        headers: z.object({
          location: z.string().meta({
            description: 'The configured RETURN_URL with the onboarding id.',
            example: `https://app.example.com/onboarding/done?onboarding_id=${EXAMPLE_ONBOARDING_ID}`,
          }),
        }),
      },
      '400': {
        description: 'Missing, unknown, expired or already used `state`.',
        content: {
          'application/problem+json': {
            schema: problemSchema,
            examples: { badState: problemExamples.badState },
          },
          'text/html': { schema: { type: 'string' } },
        },
      },
      '500': problem('Internal error; the user can retry the redirect.', 'internal'),
    },
  },
  'POST /webhooks/truelayer': {
    operationId: 'receiveTrueLayerWebhook',
    summary: "TrueLayer's payment webhooks (TrueLayer's servers)",
    description:
      'Not for your backend: register `<api>/webhooks/truelayer` as the webhook URI in TrueLayer Console. ' +
      "The `Tl-Signature` is verified with truelayer-signing against TrueLayer's JWKS (the signature's `jku` " +
      "must be TrueLayer's, for the configured environment) before the body is read. A payment event " +
      '(`payment_executed`, `payment_settled`, `payment_failed`, …) for a payment this product made starts ' +
      "the payment workflow, which reads the payment's status from TrueLayer: a webhook that is late, " +
      'repeated or out of order changes nothing it should not, and a repeated `event_id` is answered without ' +
      'acting. The payer details some webhooks carry are never kept or logged.',
    requestParams: {
      header: z.object({
        'tl-signature': z.string().meta({ description: "TrueLayer's JWS with a detached payload." }),
        'x-tl-webhook-timestamp': z.string().meta({ description: 'When TrueLayer sent it (signed).' }),
      }),
    },
    requestBody: {
      required: true,
      content: {
        'application/json': {
          schema: z
            .object({ type: z.string(), event_id: z.string(), payment_id: z.string().optional() })
            .loose()
            .meta({ description: "TrueLayer's webhook body; only these fields are read." }),
        },
      },
    },
    responses: {
      '200': {
        description:
          'Received: `outcome` is `started` (the payment workflow looks at the payment now), `ended` (the ' +
          'journey was over), `duplicate` (this `event_id` was acted on before) or `ignored` (another kind of ' +
          'event, or a payment this product did not make).',
        content: {
          'application/json': {
            schema: z.object({ outcome: z.enum(['started', 'ended', 'duplicate', 'ignored']) }),
          },
        },
      },
      '401': problem(
        'The signature is missing, names a key set that is not TrueLayer’s, or does not verify.',
      ),
      '413': problem('The body is larger than 16 KiB.', 'tooLarge'),
      '500': problem('Internal error; TrueLayer retries.', 'internal'),
      '503': problem("TrueLayer's key set could not be read; TrueLayer retries.", 'truelayerUnavailable'),
    },
  },
  'POST /connections': {
    operationId: 'createConnection',
    summary: 'Create a Data API v3 connection',
    description:
      "Takes TrueLayer's own `POST /v3/data-connections` body and holds it to every rule of TrueLayer's table " +
      '(the schema below gives the field shapes; the rules that relate fields, such as which combinations make ' +
      'one of the five configurations, are checked too and all reported at once). The connection is created ' +
      "with the product's own return URI in place of yours, so that the user's return is recorded before " +
      'they go on to your page. Send the user to `redirect_to`. See docs/connections.md.',
    requestParams: {
      header: z.object({
        'idempotency-key': z
          .string()
          .optional()
          .meta({ description: 'Makes retries safe: the same key and body answer the same connection.' }),
        'x-end-user-ip': z
          .string()
          .optional()
          .meta({ description: "The end user's IP address, passed to TrueLayer as Tl-User-IP." }),
      }),
    },
    requestBody: {
      required: true,
      content: {
        'application/json': { schema: connectionRequestSchema, examples: connectionRequestExamples },
      },
    },
    responses: {
      '201': {
        description: 'Created. `Location` points to the connection.',
        headers: z.object({
          location: z
            .string()
            .meta({ description: '/connections/{id}', example: `/connections/${EXAMPLE_CONNECTION_ID}` }),
        }),
        content: json(createdConnectionSchema, {
          created: { summary: 'Created', value: createdConnectionExample },
        }),
      },
      '400': problem(
        'A field is invalid, or the combination is not one of the five configurations; `errors` lists every problem.',
        'invalid',
      ),
      '409': problem(
        'The Idempotency-Key was used with another body, or its first request is still running.',
      ),
      '413': problem('The body is larger than 16 KiB.', 'tooLarge'),
      '415': problem('The body is not `application/json`.', 'unsupportedMediaType'),
      '500': problem('Internal error; safe to retry with the same Idempotency-Key.', 'internal'),
      '502': problem('TrueLayer refused the request.', 'truelayerRejected'),
      '503': problem('TrueLayer is unavailable; retry later.', 'truelayerUnavailable'),
    },
  },
  'GET /connections/{id}': {
    operationId: 'getConnection',
    summary: 'Read a data connection',
    description:
      'The connection as the product recorded it: status (`authorization_required`, `authorizing`, ' +
      '`authorized`, `failed` with a reason), configuration, scopes and timeline. No personal data.',
    requestParams: { path: connectionPath },
    responses: {
      '200': {
        description: 'The connection as it stands.',
        content: json(connectionViewSchema, {
          authorized: { summary: 'Authorized', value: connectionViewExample },
        }),
      },
      '400': problem('The id is malformed.', 'invalid'),
      '404': problem('No connection with this id.'),
      '500': problem('Internal error; safe to retry.', 'internal'),
    },
  },
  'GET /connections/{id}/accounts': {
    operationId: 'listConnectedAccounts',
    summary: "List a data connection's accounts",
    description:
      'The accounts the user connected, as TrueLayer lists them now (`GET /v3/connected-accounts`): ' +
      "type, currency, sort code and account number or IBAN, and the holders' names. Personal data: " +
      'the product reads it for you on each call and keeps none of it. The connection must be ' +
      '`authorized` and created with the `accounts` scope. Send `X-End-User-IP` while the user is present, ' +
      'so that TrueLayer does not rate-limit the call.',
    requestParams: {
      path: connectionPath,
      header: z.object({
        'X-End-User-IP': z.string().optional().meta({ description: "The end user's IPv4 or IPv6 address" }),
      }),
    },
    responses: {
      '200': {
        description: 'The connected accounts.',
        content: json(connectedAccountsSchema, {
          one: { summary: 'One current account', value: connectedAccountsExample },
        }),
      },
      '400': problem('The id or X-End-User-IP is malformed.', 'invalid'),
      '404': problem('No connection with this id.'),
      '409': problem(
        'Not authorised (yet, or any more: `reason` `access_lapsed` means the user must connect again), ' +
          'or created without the accounts scope.',
        'connectionNotAuthorized',
      ),
      '500': problem('Internal error; safe to retry.', 'internal'),
      '502': problem('TrueLayer refused the request.', 'truelayerRejected'),
      '503': problem('TrueLayer is unavailable; retry later.', 'truelayerUnavailable'),
    },
  },
  'GET /connections/{id}/user-info': {
    operationId: 'getConnectionUserInfo',
    summary: "The name a data connection's bank holds for the user",
    description:
      "The account holder's name as the user's bank holds it, as TrueLayer answers it now " +
      '(`GET /v3/data-connections/{id}/user-info`), to check it against the name you were given. Personal ' +
      'data: read for you on each call, kept nowhere. The connection must be `authorized` and created with ' +
      'the `info` scope (TrueLayer allows it for `one_time` access only), and TrueLayer answers only in the ' +
      '5 minutes after the user authenticated at their bank: read it right after the return.',
    requestParams: {
      path: connectionPath,
      header: z.object({
        'X-End-User-IP': z.string().optional().meta({ description: "The end user's IPv4 or IPv6 address" }),
      }),
    },
    responses: {
      '200': {
        description: "The bank's name for the holder (absent when the bank shares none).",
        content: json(connectionUserInfoSchema, {
          named: {
            summary: 'A name on file',
            value: { connection_id: EXAMPLE_CONNECTION_ID, name: 'Jane Doe' },
          },
        }),
      },
      '400': problem('The id or X-End-User-IP is malformed.', 'invalid'),
      '404': problem('No connection with this id.'),
      '409': problem(
        'Not authorised (yet, or any more: `access_lapsed`), created without the info scope ' +
          '(`scope_missing`), or past the 5 minutes after the user authenticated (`sca_window_passed`).',
        'connectionNotAuthorized',
      ),
      '500': problem('Internal error; safe to retry.', 'internal'),
      '502': problem('TrueLayer refused the request.', 'truelayerRejected'),
      '503': problem('TrueLayer is unavailable; retry later.', 'truelayerUnavailable'),
    },
  },
  'GET /connections/return': {
    operationId: 'handleConnectionReturn',
    summary: "TrueLayer's return after a data connection (the user's browser)",
    description:
      'Not for your backend: TrueLayer sends the user here (the product registers this URL in place of ' +
      'yours, with its own `onboarding_id` in the query to recognise the user by; a `connection_id` TrueLayer ' +
      'may append is only a fallback). Nothing in the query is trusted: the outcome is confirmed with ' +
      'TrueLayer, recorded and published ' +
      '(`Data Connection Authorized` or `Data Connection Failed`), then the browser goes on to the return URI ' +
      'of your request (or the configured return page) with `connection_id`, `onboarding_id`, `status` and, ' +
      'on failure, `error`.',
    requestParams: { query: connectionReturnQuerySchema },
    responses: {
      '302': {
        description:
          'To your return page: `?connection_id=…&onboarding_id=…&status=authorized|failed[&error=…]`.',
        headers: z.object({
          location: z.string().meta({
            description: 'Your return URI with the outcome.',
            example: `https://app.example.com/connected?connection_id=${EXAMPLE_CONNECTION_ID}&onboarding_id=${EXAMPLE_ONBOARDING_ID}&status=authorized`,
          }),
        }),
      },
      '400': {
        description: 'The query is malformed.',
        content: {
          'application/problem+json': { schema: problemSchema },
          'text/html': { schema: { type: 'string' } },
        },
      },
      '404': {
        description: 'No connection with this id.',
        content: {
          'application/problem+json': { schema: problemSchema },
          'text/html': { schema: { type: 'string' } },
        },
      },
      '500': problem('Internal error; the user can retry the redirect.', 'internal'),
      '503': problem('TrueLayer could not confirm the outcome; the user can retry the redirect.'),
    },
  },
};
