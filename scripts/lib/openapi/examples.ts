/**
 * Example requests and answers for the OpenAPI document, written from real
 * journeys of the sandbox users john and jane. test/unit/openapi.test.ts
 * parses every one of them with the schema it illustrates.
 */
const id = '3f2a9c1e-5b7d-4e21-9a0c-6d8e2f4b1a37';
const created = '2025-03-14T09:26:53.120Z';
const at = (seconds: number) => new Date(Date.parse(created) + seconds * 1000).toISOString();

export const EXAMPLE_ONBOARDING_ID = id;

export const createRequestExamples = {
  defaults: { summary: 'Configured defaults', value: {} },
  reference: {
    summary: 'With your own reference',
    description: 'The reference comes back in GET /onboardings/{id} and in every event of the journey.',
    value: { reference: 'customer-42' },
  },
  bank: {
    summary: 'Straight to one bank',
    description: 'provider_id skips the bank choice; providers narrows the list offered.',
    value: { reference: 'customer-42', providers: ['uk-ob-all'], provider_id: 'ob-monzo' },
  },
  payment: {
    summary: 'Payments first',
    description:
      'The user pays £15.00 into your merchant account; once it settles, Signup+ names the payer. ' +
      "`auth_link` is then TrueLayer's hosted payment page.",
    value: {
      flow: 'payment',
      reference: 'customer-42',
      payment: {
        amount_in_minor: 1500,
        currency: 'GBP',
        user: { name: 'Jane Doe', email: 'jane.doe@example.com' },
      },
    },
  },
};

export const createdExample = {
  onboarding_id: id,
  flow: 'data',
  status: 'awaiting_authorization',
  auth_link:
    'https://auth.truelayer-sandbox.com/?response_type=code&client_id=sandbox-acme-3b1f&redirect_uri=https%3A%2F%2Fa1b2c3d4e5.execute-api.eu-west-2.amazonaws.com%2Fcallback&scope=info+accounts+signupplus&providers=uk-cs-mock+uk-ob-all+uk-oauth-all&state=qK3v9yXo2m8LwB0tR6pZcN4dF7sH1jUeA5gTbV_iM-Y',
  auth_link_expires_at: at(600),
};

export const createdPaymentExample = {
  onboarding_id: id,
  flow: 'payment',
  status: 'awaiting_authorization',
  auth_link:
    'https://checkout.truelayer-sandbox.com/?payment_id=d5a2b1c0-7e3f-4a9b-8c6d-2f1e0a9b8c7d&resource_token=eyJhbGciOi.example&return_uri=https%3A%2F%2Fa1b2c3d4e5.execute-api.eu-west-2.amazonaws.com%2Fpayments%2Freturn',
  auth_link_expires_at: at(600),
  payment_id: 'd5a2b1c0-7e3f-4a9b-8c6d-2f1e0a9b8c7d',
};

const address = {
  address_line1: 'Flat 2',
  address_line2: '14 Sandbox Street',
  city: 'London',
  zip: 'EC1A 1BB',
  country: 'GB',
};

export const onboardingExamples = {
  awaiting_authorization: {
    summary: 'Waiting for the user at the bank',
    value: {
      onboarding_id: id,
      status: 'awaiting_authorization',
      reference: 'customer-42',
      created_at: created,
      updated_at: created,
      auth_link_expires_at: at(600),
      timeline: [{ at: created, step: 'onboarding_created' }],
    },
  },
  awaiting_account_choice: {
    summary: 'Several accounts linked: waiting for a choice',
    value: {
      onboarding_id: id,
      status: 'awaiting_account_choice',
      created_at: created,
      updated_at: at(21),
      auth_link_expires_at: at(600),
      account_choice_expires_at: at(921),
      timeline: [
        { at: created, step: 'onboarding_created' },
        { at: at(20), step: 'user_authorized' },
        { at: at(20.4), step: 'code_exchanged' },
        { at: at(20.9), step: 'accounts_fetched' },
        { at: at(21), step: 'account_choice_required' },
      ],
      accounts: [
        {
          account_id: 'acc-aa360adff0f1574e1',
          display_name: 'TRANSACTION ACCOUNT 1',
          account_type: 'CURRENT',
          currency: 'GBP',
          account_number_masked: '••••0000',
        },
        {
          account_id: 'acc-8232b085624e6babf',
          display_name: 'TRANSACTION ACCOUNT 2',
          account_type: 'CURRENT',
          currency: 'GBP',
          account_number_masked: '••••0000',
        },
      ],
    },
  },
  completed: {
    summary: 'Ready for payment',
    value: {
      onboarding_id: id,
      status: 'completed',
      reference: 'customer-42',
      created_at: created,
      updated_at: at(21.2),
      auth_link_expires_at: at(600),
      timeline: [
        { at: created, step: 'onboarding_created' },
        { at: at(20), step: 'user_authorized' },
        { at: at(20.4), step: 'code_exchanged' },
        { at: at(21), step: 'identity_stored' },
        { at: at(21.2), step: 'ready_for_payment' },
      ],
      user: {
        title: 'Mr',
        first_name: 'John',
        last_name: 'Doe',
        date_of_birth: '1985-04-12',
        address,
      },
      account: {
        provider_id: 'ob-monzo',
        sort_code: '04-00-04',
        account_number: '12345678',
        iban: 'GB62MONZ04000412345678',
      },
    },
  },
  failed: {
    summary: 'The user denied access at the bank',
    value: {
      onboarding_id: id,
      status: 'failed',
      created_at: created,
      updated_at: at(15),
      auth_link_expires_at: at(600),
      timeline: [
        { at: created, step: 'onboarding_created' },
        { at: at(15), step: 'failed', detail: 'access_denied' },
      ],
      failure: { reason: 'access_denied', detail: 'The user declined to share their data with TrueLayer.' },
    },
  },
};

export const accountChoiceRequestExample = { account_id: 'acc-8232b085624e6babf' };

export const accountChoiceAcceptedExample = {
  onboarding_id: id,
  status: 'account_chosen',
  chosen_account_id: 'acc-8232b085624e6babf',
};

export const erasedExample = {
  onboarding_id: id,
  status: 'completed',
  erased_at: '2026-11-22T00:20:00.000Z',
};

export const problemExamples = {
  invalid: {
    summary: 'Invalid body',
    value: {
      type: 'urn:signupplus:problem:invalid-request',
      title: 'Invalid request',
      status: 400,
      detail: 'provider_id: must be a TrueLayer provider id such as ob-monzo',
      errors: [{ field: 'provider_id', message: 'must be a TrueLayer provider id such as ob-monzo' }],
    },
  },
  notOffered: {
    summary: 'Account not offered',
    value: {
      type: 'urn:signupplus:problem:invalid-request',
      title: 'Invalid request',
      status: 400,
      detail: 'Account acc-1 is not one of the accounts offered for this onboarding.',
      errors: [{ field: 'account_id', message: 'not one of the offered accounts' }],
    },
  },
  notFound: {
    summary: 'Unknown onboarding',
    value: {
      type: 'urn:signupplus:problem:not-found',
      title: 'Not found',
      status: 404,
      detail: `No onboarding with id ${id}.`,
    },
  },
  conflict: {
    summary: 'Not waiting for a choice',
    value: {
      type: 'urn:signupplus:problem:conflict',
      title: 'Conflict',
      status: 409,
      detail: 'The onboarding is completed, not waiting for a choice.',
      onboarding_status: 'completed',
    },
  },
  unsupportedMediaType: {
    summary: 'Body not sent as JSON',
    value: {
      type: 'urn:signupplus:problem:unsupported-media-type',
      title: 'Unsupported media type',
      status: 415,
      detail: 'Send the body as application/json.',
    },
  },
  tooLarge: {
    summary: 'Body too large',
    value: {
      type: 'urn:signupplus:problem:payload-too-large',
      title: 'Payload too large',
      status: 413,
      detail: 'The body must be at most 16384 bytes.',
    },
  },
  connectionNotAuthorized: {
    summary: 'Connection not authorised yet',
    value: {
      type: 'urn:signupplus:problem:conflict',
      title: 'Conflict',
      status: 409,
      detail: 'The connection is authorization_required: its accounts can be listed once it is authorized.',
      connection_status: 'authorization_required',
      reason: 'not_authorized',
    },
  },
  badState: {
    summary: 'Unknown state',
    value: {
      type: 'urn:signupplus:problem:invalid-request',
      title: 'Invalid request',
      status: 400,
      detail: 'This sign-up link is not recognised. Start the sign-up again.',
      state_problem: 'unknown',
    },
  },
  internal: {
    summary: 'Internal error',
    value: {
      type: 'urn:signupplus:problem:internal',
      title: 'Internal error',
      status: 500,
      detail: 'The request could not be completed. It is safe to retry.',
      code: 'internal_error',
      trace_id: '9d1c7e52-4b3a-4f0e-8a6d-2c5b1e0f7a94',
    },
  },
  truelayerUnavailable: {
    summary: 'TrueLayer did not answer in time',
    value: {
      type: 'urn:signupplus:problem:upstream-unavailable',
      title: 'TrueLayer unavailable',
      status: 503,
      detail: 'TrueLayer did not answer in time. Nothing was changed; try again shortly.',
      code: 'truelayer_unavailable',
      trace_id: '4e8b2a17-6c0d-4d93-b5f1-7a2e9c3d0b68',
    },
  },
  truelayerRejected: {
    summary: 'TrueLayer refused the request',
    value: {
      type: 'urn:signupplus:problem:upstream-rejected',
      title: 'TrueLayer rejected the request',
      status: 502,
      detail:
        'TrueLayer refused the request or answered outside its contract. Quote the trace id to support.',
      code: 'truelayer_rejected',
      trace_id: '0b7f3c91-2d5e-4a68-9e14-c8a6f2d05b3e',
      truelayer: { status: 400, trace_id: '1c1e8e6a7d5b4f0a9c3e2b1d0f9a8e7c' },
    },
  },
};

const connectionId = '8c1f2e5a-3b4d-4f6a-9e7c-1d2b3a4c5e6f';
const connectionOnboardingId = '5b0e9d3c-2a1f-4e8d-b7c6-0f9e8d7c6b5a';
const connectionCreated = '2025-03-14T10:02:11.480Z';

export const EXAMPLE_CONNECTION_ID = connectionId;

export const connectionRequestExamples = {
  hosted_flow: {
    summary: 'TrueLayer hosts everything',
    value: {
      scopes: ['accounts', 'transactions'],
      provider_selection: { type: 'user_selected', filter: { countries: ['GB'] } },
      user: { name: 'Jane Smith', email: 'jane@example.com' },
      user_consent: { type: 'authorization_flow_captured' },
      hosted_page: { type: 'authorization_flow', return_uri: 'https://app.example.com/connected' },
    },
  },
  fully_custom: {
    summary: 'Your own journey, no TrueLayer screen',
    value: {
      scopes: ['accounts', 'balance'],
      provider_selection: { type: 'preselected', provider_id: 'ob-monzo' },
      user: { id: 'customer-42', name: 'Jane Smith', email: 'jane@example.com' },
      user_consent: { type: 'precaptured', captured_at: '2025-03-14T10:02:00Z' },
      authorization_flow: { redirect: { return_uri: 'https://app.example.com/connected' } },
      data_access_type: 'one_time',
    },
  },
};

export const createdConnectionExample = {
  onboarding_id: connectionOnboardingId,
  connection_id: connectionId,
  user: { id: '7f3e2d1c-0b9a-4876-a5e4-d3c2b1a09f8e' },
  status: 'authorization_required',
  configuration: 'hosted_flow',
  data_access_type: 'recurring',
  redirect_to: `https://auth.truelayer-sandbox.com/data/${connectionId}`,
  hosted_page: { uri: `https://auth.truelayer-sandbox.com/data/${connectionId}` },
};

export const connectionViewExample = {
  onboarding_id: connectionOnboardingId,
  connection_id: connectionId,
  truelayer_user_id: '7f3e2d1c-0b9a-4876-a5e4-d3c2b1a09f8e',
  status: 'authorized',
  configuration: 'hosted_flow',
  scopes: ['accounts', 'transactions'],
  data_access_type: 'recurring',
  return_uri: 'https://app.example.com/connected',
  created_at: connectionCreated,
  updated_at: '2025-03-14T10:02:48.902Z',
  timeline: [
    { at: connectionCreated, step: 'connection_created', detail: 'hosted_flow' },
    { at: '2025-03-14T10:02:48.902Z', step: 'authorized' },
  ],
};

export const connectedAccountsExample = {
  connection_id: connectionId,
  accounts: [
    {
      account_id: '56c7b029e0f8ec5a2334fb0ffc2fface',
      account_type: 'current',
      customer_segment: 'retail',
      currency: 'GBP',
      sort_code: '04-00-04',
      account_number: '12345678',
      iban: 'GB62MONZ04000412345678',
      holder_names: ['John Doe'],
    },
  ],
};
