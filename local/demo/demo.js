// The demo talks to the same integrator API a backend would call. On AWS those
// routes need IAM-signed requests; the local API on loopback does not check them.
// Progress comes from the local runtime's server-sent events (/_local/stream);
// if the stream is unavailable the page polls the onboarding instead.
const $ = (id) => document.getElementById(id);

const POLL_MS = 1000;

/** The two kinds of journey the page can follow: what to read, when it is over, how to name things. */
const SIGNUP_PLUS = {
  kind: 'Onboarding',
  viewPath: (ids) => `/onboardings/${encodeURIComponent(ids.onboardingId)}`,
  terminal: ['completed', 'failed', 'expired'],
  terminalEvents: ['Onboarding Ready For Payment', 'Onboarding Failed', 'Onboarding Expired'],
  statusLabels: {
    awaiting_authorization: 'Waiting for you at your bank',
    authorized: 'Your bank said yes, finishing…',
    awaiting_account_choice: 'Choose an account',
    account_chosen: 'Account chosen, finishing…',
    completed: 'Ready for payment',
    failed: 'Not signed up',
    expired: 'Expired',
  },
  completedWords: {
    title: 'You are ready for payment',
    text: 'Your bank confirmed these details. Payments can now be taken from this account.',
    action: 'Sign up someone else',
  },
};

const DATA_CONNECTION = {
  kind: 'Data connection',
  viewPath: (ids) => `/connections/${encodeURIComponent(ids.connectionId)}`,
  terminal: ['authorized', 'failed'],
  terminalEvents: ['Data Connection Authorized', 'Data Connection Failed'],
  statusLabels: {
    authorization_required: 'Waiting for you at your bank',
    authorizing: 'Authorising…',
    authorized: 'Connected',
    failed: 'Not connected',
  },
};

const CONFIGURATIONS = [
  [
    'hosted_flow',
    'TrueLayer hosts everything',
    'Bank choice, consent, bank login and result on TrueLayer’s pages.',
  ],
  [
    'own_provider_selection',
    'You pick the bank',
    'The demo picks Monzo; TrueLayer hosts consent, bank login and result.',
  ],
  [
    'own_provider_selection_and_consent',
    'You pick the bank and capture consent',
    'Consent counts as given when you press Connect; TrueLayer hosts the bank login and result.',
  ],
  [
    'own_flow_with_result_page',
    'Your journey, TrueLayer’s result page',
    'Straight to the bank; TrueLayer shows the result.',
  ],
  [
    'fully_custom',
    'Fully your journey',
    'Straight to the bank and back, with no TrueLayer screen (regulated clients).',
  ],
];

const API_LABELS = {
  'POST /onboardings': 'Onboarding created, auth link issued',
  'GET /callback': 'Back from the bank',
  'POST /onboardings/{id}/account-choice': 'Account choice sent',
  'POST /connections': 'Data connection created at TrueLayer',
  'GET /connections/return': 'Back from the bank, outcome confirmed with TrueLayer',
  'GET /payments/return': 'Back from the payment page, payment workflow started',
  'GET /identification/return': 'Back from identifying at the bank',
};

const STATE_LABELS = {
  LinkAccounts:
    'Exchange the code, read the accounts from Signup+ (one account: store it, publish the event)',
  WhatNext: 'One account or several?',
  CheckPayment:
    'Read the payment from TrueLayer (settled: ask Signup+ who paid, store it, publish the event)',
  WaitForPayment: 'Wait a moment, then look at the payment again',
  UnexpectedResult: 'Unexpected answer from the previous step',
  WaitForAccountChoice: 'Wait for the account choice',
  CompleteWithChosenAccount: 'Read the chosen account, store it, publish the event',
  Ended: 'Journey ended',
  FailOnboarding: 'Record the failure and publish it',
  ExpireOnboarding: 'Record the expiry and publish it',
  Failed: 'Journey failed',
  EndNotRecorded: 'The end could not be recorded; the reconciler will',
};

const OUTCOME_LABELS = {
  running: 'running',
  waiting: 'waiting',
  retrying: 'retrying',
  succeeded: 'done',
  failed: 'failed',
  timed_out: 'timed out',
  aborted: 'aborted',
  started: 'started',
  published: 'published',
};

/**
 * What the person is told when a sign-up does not complete, by `failure.reason`: what happened, then
 * what to do next, in the words of the integrator's page (the record's `failure.detail` is written
 * for the integrator, not for the user). docs/recipes/return-page.md explains the choice.
 */
const SOMETHING_WENT_WRONG = {
  title: 'Something went wrong on our side',
  text: 'We could not finish your sign-up. Nothing was set up and nothing was taken from your account.',
  next: 'Please start again. If it happens again, sign up another way.',
  action: 'Start again',
};
const FAILURE_WORDS = {
  access_denied: {
    title: 'You chose not to share your bank details',
    text: 'Nothing was shared and no account was set up.',
    next: 'You can start again whenever you like, or sign up another way.',
    action: 'Start again',
  },
  bank_login_failed: {
    title: 'You could not log in to your bank',
    text: 'Your bank did not accept the login, so nothing was shared.',
    next: 'Check your login details and try again. If it keeps happening, your bank can help.',
    action: 'Try again',
  },
  authorization_error: {
    title: 'Your bank could not finish',
    text: 'Something went wrong between your bank and TrueLayer, who connects us to it. Nothing was shared.',
    next: 'Please try again in a moment.',
    action: 'Try again',
  },
  link_expired: {
    title: 'Your sign-up link expired',
    text: 'For your security, a sign-up link works only for a short while.',
    next: 'Start again to get a new link.',
    action: 'Start again',
  },
  payment_failed: {
    title: 'Your payment was not made',
    text: 'You cancelled it, or your bank refused it. Nothing was taken from your account and nothing was shared.',
    next: 'You can try again whenever you like, or sign up another way.',
    action: 'Try again',
  },
  payment_not_settled: {
    title: 'Your payment did not reach us in time',
    text: 'Your bank accepted the payment, but it had not arrived when we stopped waiting, so your sign-up is not finished.',
    next: 'If the money left your account, contact us with the payment id below; otherwise start again.',
    action: 'Start again',
  },
  account_choice_timeout: {
    title: 'The time to choose an account ran out',
    text: 'For your security, the choice stays open only for a while. Nothing was set up.',
    next: 'Start again, and choose an account when asked.',
    action: 'Start again',
  },
  reconnect_required: {
    title: 'Your bank’s permission ended',
    text: 'Your bank’s permission expired or was withdrawn before we finished. Nothing was set up.',
    next: 'Please start again.',
    action: 'Start again',
  },
  user_data_not_found: {
    title: 'Your bank could not confirm your details',
    text: 'Your bank does not share the details we need to sign you up this way.',
    next: 'Try again with another bank, or sign up another way.',
    action: 'Try another bank',
  },
  joint_account_not_supported: {
    title: 'Joint accounts cannot be used here',
    text: 'Payments need an account in your name only.',
    next: 'Start again and choose an account that is in your name only.',
    action: 'Choose another account',
  },
  provider_not_supported: {
    title: 'Your bank does not offer this yet',
    text: 'Your bank cannot confirm your details this way.',
    next: 'Try again with another bank, or sign up another way.',
    action: 'Try another bank',
  },
  identity_incomplete: {
    title: 'Your bank did not share everything we need',
    text: 'To set up payments we need your name and your account’s details.',
    next: 'Try again with another bank, or sign up another way.',
    action: 'Try another bank',
  },
  truelayer_unavailable: {
    title: 'We could not reach your bank’s service',
    text: 'TrueLayer, who connects us to your bank, did not answer in time. Nothing was set up.',
    next: 'Please try again in a few minutes.',
    action: 'Try again',
  },
  truelayer_refused: SOMETHING_WENT_WRONG,
  truelayer_contract_violation: SOMETHING_WENT_WRONG,
  code_exchange_unconfirmed: SOMETHING_WENT_WRONG,
  journey_state_lost: SOMETHING_WENT_WRONG,
  internal_error: SOMETHING_WENT_WRONG,
};
/** The same for a data connection (its reasons are TrueLayer's or the product's own). */
const CONNECTION_FAILURE_WORDS = {
  access_denied: {
    title: 'You chose not to connect your account',
    text: 'Nothing was shared.',
    next: 'You can connect an account whenever you like.',
    action: 'Connect an account',
  },
};
const CONNECTION_NOT_CONNECTED = {
  title: 'Your account was not connected',
  text: 'Your bank or TrueLayer could not finish connecting it. Nothing was shared.',
  next: 'Please try again in a moment.',
  action: 'Try again',
};

/**
 * A Signup+ journey started with a payment (`flow: "payment"`, docs/flows.md): the same record and
 * events, its own state machine (statemachines/payment-onboarding.asl.json) and its own words.
 */
const PAYMENT_SOMETHING_WENT_WRONG = {
  title: 'Something went wrong on our side',
  text: 'We could not finish your sign-up.',
  next: 'Please start again. If money left your account, contact us with the payment id below.',
  action: 'Start again',
};
const PAYMENT = {
  ...SIGNUP_PLUS,
  kind: 'Onboarding (payment flow)',
  statusLabels: {
    ...SIGNUP_PLUS.statusLabels,
    awaiting_authorization: 'Waiting for your payment',
    authorized: 'Payment authorised, finishing…',
  },
  apiLabels: {
    'POST /onboardings': 'Onboarding and payment created, payment link issued',
  },
  stateLabels: { WhatNext: 'Paid, still on its way, or over?' },
  failureWords: Object.fromEntries(
    Object.entries(FAILURE_WORDS).map(([reason, words]) => [
      reason,
      words === SOMETHING_WENT_WRONG ? PAYMENT_SOMETHING_WENT_WRONG : words,
    ]),
  ),
  completedWords: {
    title: 'You paid and are ready for payment',
    text: 'Your payment arrived and your bank confirmed who paid it. Payments can now be taken from this account.',
    action: 'Sign up someone else',
  },
  resultRows: (view) => paymentRows(view.payment),
};
PAYMENT.failureWords.link_expired = {
  title: 'Your payment link expired',
  text: 'For your security, a payment link works only for a short while. Nothing was taken from your account.',
  next: 'Start again to get a new link.',
  action: 'Start again',
};

/**
 * A Signup+ journey started with a sweeping VRP mandate (`flow: "mandate"`, docs/flows.md): the
 * payment flow's workflow, step for step, with the mandate in place of the payment. No money moves.
 */
const MANDATE = {
  ...SIGNUP_PLUS,
  kind: 'Onboarding (mandate flow)',
  statusLabels: {
    ...SIGNUP_PLUS.statusLabels,
    awaiting_authorization: 'Waiting for your mandate',
    authorized: 'Mandate given, finishing…',
  },
  apiLabels: {
    'POST /onboardings': 'Onboarding and mandate created, mandate link issued',
    'GET /payments/return': 'Back from the mandate page, payment workflow started',
  },
  stateLabels: {
    CheckPayment:
      'Read the mandate from TrueLayer (authorised: ask Signup+ who gave it, store it, publish the event)',
    WhatNext: 'Given, still waiting, or over?',
    WaitForPayment: 'Wait a moment, then look at the mandate again',
  },
  failureWords: {
    ...FAILURE_WORDS,
    mandate_failed: {
      title: 'Your mandate was not given',
      text: 'You cancelled it, or your bank refused it. No payments can be taken and nothing was shared.',
      next: 'You can try again whenever you like, or sign up another way.',
      action: 'Try again',
    },
    link_expired: {
      title: 'Your mandate link expired',
      text: 'For your security, a mandate link works only for a short while. No payments can be taken.',
      next: 'Start again to get a new link.',
      action: 'Start again',
    },
  },
  completedWords: {
    title: 'You gave the mandate and are ready for payment',
    text: 'Your bank confirmed the mandate and who gave it. Payments up to its limit can now be taken from this account.',
    action: 'Sign up someone else',
  },
  resultRows: (view) => mandateRows(view.mandate),
};

/**
 * A payment journey in euros is Signup+ in Finland (docs/flows.md): once the payment is made, the
 * payer identifies at their bank (`awaiting_identification`, with the link on the record) and comes
 * back; only then does Signup+ say who they are. The payment flow's workflow, one trip more.
 */
const FINLAND = {
  ...PAYMENT,
  kind: 'Onboarding (payment flow, Finland)',
  statusLabels: {
    ...PAYMENT.statusLabels,
    awaiting_identification: 'Waiting for you to identify',
    identified: 'Identified, finishing…',
  },
  stateLabels: {
    CheckPayment:
      'Read the payment from TrueLayer (executed: ask for the identification link; identified: ask Signup+ who paid, store it, publish the event)',
    WhatNext: 'Paid, identifying, or over?',
    WaitForPayment: 'Wait a moment, then look again: at the payment, or for the payer back from their bank',
  },
  failureWords: {
    ...PAYMENT.failureWords,
    // Only the identification can be refused this way: cancelling the payment is payment_failed.
    access_denied: {
      title: 'You did not identify yourself',
      text: 'You cancelled at your bank, so we do not know who paid and your sign-up is not finished. Your payment was made; nothing else was shared.',
      next: 'Start again and identify yourself when asked. For your money back, contact us with the payment id shown here.',
      action: 'Start again',
    },
    identification_expired: {
      title: 'The time to identify yourself ran out',
      text: 'Your payment was made, but you did not identify yourself with your bank in time, so your sign-up is not finished.',
      next: 'Start again and identify yourself when asked. For your money back, contact us with the payment id shown here.',
      action: 'Start again',
    },
  },
  completedWords: {
    title: 'You paid, identified yourself and are ready for payment',
    text: 'Your payment arrived and your bank confirmed who you are. Payments can now be taken from this account.',
    action: 'Sign up someone else',
  },
  /** The record's own steps (its `timeline`), in the person's words: two trips away, so they are shown. */
  progressWords: {
    onboarding_created: 'You started your sign-up',
    user_authorized: 'You authorised the payment at your bank',
    payment_executed: 'Your payment was made',
    identification_required: 'Asked to identify yourself with your bank',
    user_identified: 'You identified yourself with your bank',
    identity_stored: 'Your details were kept for payments',
    ready_for_payment: 'Ready for payment',
    failed: 'Not signed up',
    expired: 'Expired',
  },
};

/**
 * A Data v3 connection made with `signup_plus: true` (the connection flow, docs/flows.md): once the
 * user authorises it, Signup+ reads the connected account (the chosen one, when there are several)
 * and the journey ends as every Signup+ journey does, on the same record and ready event. It comes
 * back to the demo as a data connection does (`/?connection_id=…&onboarding_id=…`); the connection's
 * record says it goes on as a sign-up.
 */
const CONNECTION = {
  ...SIGNUP_PLUS,
  kind: 'Onboarding (connection flow)',
  statusLabels: {
    ...SIGNUP_PLUS.statusLabels,
    awaiting_authorization: 'Waiting for you to connect your bank',
    authorized: 'Connected, confirming who you are…',
  },
  apiLabels: {
    'POST /connections': 'Data connection created at TrueLayer, with its onboarding',
    'GET /connections/return':
      'Back from the bank, outcome confirmed with TrueLayer, sign-up workflow started',
  },
  stateLabels: {
    FollowConnection:
      'Ask TrueLayer for the connected accounts (one: ask Signup+ who holds it, read its answer, store it, publish the event)',
    WhatNext: 'Connected yet? One account or several? Has Signup+ answered?',
    WaitForConnection: 'Wait a moment, then look again: at the connection, or at Signup+’s answer',
  },
  failureWords: {
    ...FAILURE_WORDS,
    access_denied: {
      title: 'You chose not to connect your account',
      text: 'Nothing was shared and no account was set up.',
      next: 'You can start again whenever you like, or sign up another way.',
      action: 'Start again',
    },
    link_expired: {
      title: 'Your connection link expired',
      text: 'For your security, a link to your bank works only for a short while. Nothing was shared.',
      next: 'Start again to get a new link.',
      action: 'Start again',
    },
    no_connected_account: {
      title: 'No account was connected',
      text: 'Your bank said yes, but shared no account we could sign you up with.',
      next: 'Start again and connect an account in your name, or sign up another way.',
      action: 'Start again',
    },
    signup_plus_request_failed: {
      title: 'Your bank could not confirm your details',
      text: 'Your account is connected, but who holds it could not be read from it. Nothing was set up.',
      next: 'Try again, or sign up another way.',
      action: 'Try again',
    },
    signup_plus_request_timeout: {
      title: 'Confirming your details took too long',
      text: 'Your account is connected, but who holds it was not confirmed in time. Nothing was set up.',
      next: 'Please try again in a few minutes.',
      action: 'Try again',
    },
  },
  completedWords: {
    title: 'You connected your bank and are ready for payment',
    text: 'Your bank confirmed who holds the account you connected. Payments can now be taken from it.',
    action: 'Sign up someone else',
  },
  /** The record's own steps: the answer about the account comes a moment after the return, so they are shown. */
  progressWords: {
    onboarding_created: 'You started your sign-up',
    user_authorized: 'You connected your account at your bank',
    accounts_fetched: 'Your bank listed the accounts you connected',
    account_choice_required: 'Asked which account payments should come from',
    account_chosen: 'You chose the account',
    signup_plus_requested: 'Asked Signup+ who holds the account',
    identity_stored: 'Your details were kept for payments',
    ready_for_payment: 'Ready for payment',
    failed: 'Not signed up',
    expired: 'Expired',
  },
  resultRows: (view) => detailRow('Connection', view.connection?.connection_id),
};

/** The journeys that come back to `/?onboarding_id=`, by the record's `flow` (and, paid, its currency). */
const SIGNUP_PLUS_FLOWS = { data: SIGNUP_PLUS, payment: PAYMENT, mandate: MANDATE, connection: CONNECTION };
const flowOf = (view) =>
  view?.flow === 'payment' && view.payment?.currency === 'EUR' ? FINLAND : SIGNUP_PLUS_FLOWS[view?.flow];

/**
 * The simulator's mock payment banks, and the Finnish bank its payers identify with (its
 * /_local/providers lists the data flow's banks).
 */
const PAYMENT_BANK_NAMES = {
  'mock-payments-gb-redirect': 'Mock UK Payments',
  'mock-payments-fi-redirect': 'Mock Finland Payments',
  'fi-op': 'OP',
};

/**
 * How amounts are typed and counted in each currency a card takes. Finns write a decimal comma
 * ("15,00 €"), so in euros a comma is the decimal point; in pounds it separates thousands.
 */
const CURRENCIES = {
  GBP: { units: 'pounds', minor: 'pence', symbol: '£', decimalComma: false },
  EUR: { units: 'euros', minor: 'cents', symbol: '€', decimalComma: true },
};

/**
 * The cards that send the person to TrueLayer's hosted page, one per flow (two for payments: in
 * pounds, and in euros for Finland): `prefix` of their ids (`-form`, `-button`, `-error`, `-name`,
 * `-email`), the currency, which input each field of the API's request names (the refusals in
 * `errors` are shown there), the inputs read as amounts (sent in minor units; an example for the
 * message when one is not an amount), and the rest of the flow's own object of the request.
 */
function paymentCard(prefix, currency, providerId) {
  return {
    flow: 'payment',
    prefix,
    currency,
    fields: {
      'payment.amount_in_minor': `${prefix}-amount`,
      'payment.user.name': `${prefix}-name`,
      'payment.user.email': `${prefix}-email`,
    },
    amounts: [{ id: `${prefix}-amount`, example: '15.00' }],
    request: (minor) => ({
      amount_in_minor: minor[`${prefix}-amount`],
      ...(providerId ? { provider_id: providerId } : {}),
    }),
  };
}
const PAYMENT_CARD = paymentCard('pay', 'GBP');
// Straight to the Finnish mock bank: Signup+ in Finland identifies payers of Finnish banks only.
const FINLAND_CARD = paymentCard('finland', 'EUR', 'mock-payments-fi-redirect');
const MANDATE_CARD = {
  flow: 'mandate',
  prefix: 'mandate',
  currency: 'GBP',
  fields: {
    'mandate.constraints.maximum_individual_amount_in_minor': 'mandate-maximum',
    'mandate.constraints.periodic_limits.month.maximum_amount_in_minor': 'mandate-monthly',
    'mandate.user.name': 'mandate-name',
    'mandate.user.email': 'mandate-email',
  },
  amounts: [
    { id: 'mandate-maximum', example: '50.00' },
    { id: 'mandate-monthly', example: '200.00', optional: true },
  ],
  request: (minor) => ({
    constraints: {
      maximum_individual_amount_in_minor: minor['mandate-maximum'],
      ...(minor['mandate-monthly'] === undefined
        ? {}
        : { periodic_limits: { month: { maximum_amount_in_minor: minor['mandate-monthly'] } } }),
    },
  }),
};

/** How a bank names the kind of account, in words for people. */
const ACCOUNT_TYPES = {
  CURRENT: 'Current account',
  TRANSACTION: 'Current account',
  SAVINGS: 'Savings account',
  BUSINESS_CURRENT: 'Business current account',
};

async function api(method, path, body) {
  const response = await fetch(path, {
    method,
    headers: body
      ? { 'content-type': 'application/json', accept: 'application/json' }
      : { accept: 'application/json' },
    body: body ? JSON.stringify(body) : undefined,
  });
  const json = await response.json().catch(() => ({}));
  if (!response.ok) {
    const error = new Error(json.detail ?? `The API answered ${response.status}.`);
    // An invalid request's problem+json names each refused field: `[{ field, message }]`.
    error.errors = Array.isArray(json.errors) ? json.errors : [];
    throw error;
  }
  return json;
}

function showError(element, message) {
  element.textContent = message;
  element.hidden = false;
}

function element(tag, options = {}, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(options)) {
    if (key === 'class') node.className = value;
    else if (key === 'text') node.textContent = value;
    else if (key in node) node[key] = value;
    else node.setAttribute(key, value);
  }
  node.append(...children.filter((child) => child !== undefined && child !== null));
  return node;
}

/** Bank names by provider id, from the local runtime (the simulator's banks). */
let bankNames = {};
async function loadBankNames() {
  bankNames = {
    ...PAYMENT_BANK_NAMES,
    ...Object.fromEntries(
      (await api('GET', '/_local/providers').catch(() => [])).map((bank) => [bank.id, bank.name]),
    ),
  };
}
const bankName = (id) => bankNames[id] ?? id;

// ---------------------------------------------------------------- start page

async function listUsers() {
  try {
    const users = await api('GET', '/_local/users');
    $('user-list').replaceChildren(
      ...users.map((user) =>
        element(
          'li',
          {},
          element('code', { text: user.username }),
          element('span', { text: user.description || 'Sandbox user' }),
        ),
      ),
    );
  } catch {
    $('users').hidden = true;
  }
}

$('start-form').addEventListener('submit', async (event) => {
  event.preventDefault();
  $('start-error').hidden = true;
  $('start-button').disabled = true;
  try {
    const reference = $('reference').value.trim();
    const created = await api('POST', '/onboardings', reference ? { reference } : {});
    window.location.assign(created.auth_link);
  } catch (error) {
    showError($('start-error'), error.message);
    $('start-button').disabled = false;
  }
});

function renderConfigurations() {
  $('configurations').replaceChildren(
    ...CONFIGURATIONS.map(([value, title, description], index) => {
      const input = element('input', {
        type: 'radio',
        name: 'configuration',
        value,
        id: `configuration-${index}`,
        checked: index === 0,
        'aria-describedby': `configuration-${index}-text`,
      });
      return element(
        'label',
        { class: 'choice', htmlFor: input.id },
        input,
        element(
          'span',
          {},
          element('strong', { text: title }),
          element('small', { id: `configuration-${index}-text`, text: ` ${description}` }),
        ),
      );
    }),
  );
}

/** TrueLayer's Data v3 request for one of the five configurations (seed 003), returning to this page. */
function connectionRequest(configuration, user) {
  const returnUri = `${window.location.origin}/`;
  const preselected = { type: 'preselected', provider_id: 'ob-monzo' };
  const precaptured = { type: 'precaptured', captured_at: new Date().toISOString() };
  const flowConsent = { type: 'authorization_flow_captured' };
  const hosted = (type) => ({ type, return_uri: returnUri });
  const shapes = {
    hosted_flow: {
      provider_selection: { type: 'user_selected' },
      user_consent: flowConsent,
      hosted_page: hosted('authorization_flow'),
    },
    own_provider_selection: {
      provider_selection: preselected,
      user_consent: flowConsent,
      hosted_page: hosted('authorization_flow'),
    },
    own_provider_selection_and_consent: {
      provider_selection: preselected,
      user_consent: precaptured,
      hosted_page: hosted('authorization_flow'),
    },
    own_flow_with_result_page: {
      provider_selection: preselected,
      user_consent: precaptured,
      hosted_page: hosted('result_page'),
    },
    fully_custom: {
      provider_selection: preselected,
      user_consent: precaptured,
      authorization_flow: { redirect: { return_uri: returnUri } },
    },
  };
  return {
    scopes: ['accounts', 'transactions'],
    user,
    data_access_type: 'recurring',
    ...shapes[configuration],
  };
}

$('connect-form').addEventListener('submit', async (event) => {
  event.preventDefault();
  $('connect-error').hidden = true;
  $('connect-button').disabled = true;
  try {
    const form = new FormData($('connect-form'));
    const user = { name: String(form.get('name')).trim(), email: String(form.get('email')).trim() };
    const created = await api('POST', '/connections', connectionRequest(form.get('configuration'), user));
    window.location.assign(created.redirect_to);
  } catch (error) {
    showError($('connect-error'), error.message);
    $('connect-button').disabled = false;
  }
});

/**
 * The bank connection with Signup+: the data card's connection with TrueLayer hosting every screen,
 * asking for Signup+ too (`signup_plus: true`; its scopes include `accounts`, which Signup+ reads).
 * The user comes back as from any connection, and the page follows the onboarding it names.
 */
$('connect-signup-form').addEventListener('submit', async (event) => {
  event.preventDefault();
  $('connect-signup-error').hidden = true;
  $('connect-signup-button').disabled = true;
  try {
    const user = {
      name: $('connect-signup-name').value.trim(),
      email: $('connect-signup-email').value.trim(),
    };
    const created = await api('POST', '/connections', {
      ...connectionRequest('hosted_flow', user),
      signup_plus: true,
    });
    window.location.assign(created.redirect_to);
  } catch (error) {
    showError($('connect-signup-error'), error.message);
    $('connect-signup-button').disabled = false;
  }
});

/**
 * An amount as typed ("15", "15.5", "£15.00"; in euros also "15,00 €") in minor units, or undefined
 * when it is not an amount.
 */
function minorUnits(typed, currency) {
  const { symbol, decimalComma } = CURRENCIES[currency];
  const bare = typed.trim().replace(symbol, '').trim();
  const text = decimalComma ? bare.replace(',', '.') : bare.replaceAll(',', '');
  if (!/^\d+(\.\d{1,2})?$/.test(text)) return undefined;
  return Math.round(Number(text) * 100);
}

/** Shows `message` under the input (or clears it, for none) and marks the input for screen readers. */
function markField(id, message) {
  const box = $(`${id}-error`);
  box.textContent = message;
  box.hidden = !message;
  if (message) $(id).setAttribute('aria-invalid', 'true');
  else $(id).removeAttribute('aria-invalid');
}

/**
 * Marks the fields of the card the API refused, each with its message under it; clears the others.
 * The API counts amounts (`…_in_minor`) in pence or cents, the fields in pounds or euros: its
 * message says so.
 */
function showFieldErrors(card, errors) {
  for (const [field, id] of Object.entries(card.fields)) {
    const unit = field.endsWith('_in_minor') ? ` (the API counts ${CURRENCIES[card.currency].minor})` : '';
    const refused = errors.filter((error) => error.field === field);
    markField(id, refused.map((error) => `${error.message}${unit}`).join('. '));
  }
}

/**
 * The API's detail; when it refused several fields ("2 problems in the request"), each of them by
 * its label in the card (and, for developers, the API's own path).
 */
function showProblem(card, error) {
  const label = (field) => {
    const id = card.fields[field];
    return id ? document.querySelector(`label[for="${id}"]`).textContent : field;
  };
  const box = $(`${card.prefix}-error`);
  box.replaceChildren(
    element('span', { text: error.message }),
    ...(error.errors?.length > 1
      ? [
          element(
            'ul',
            {},
            ...error.errors.map((problem) =>
              element(
                'li',
                {},
                `${label(problem.field)}: ${problem.message} `,
                element('code', { text: problem.field }),
              ),
            ),
          ),
        ]
      : []),
  );
  box.hidden = false;
}

/**
 * The card's amounts in pence by input id (an empty optional one undefined), or undefined when one
 * is not an amount: that one is then marked, and the first of them has the focus.
 */
function readAmounts(card) {
  const minor = {};
  const wrong = [];
  for (const { id, example, optional } of card.amounts) {
    const typed = $(id).value;
    if (optional && typed.trim() === '') continue;
    minor[id] = minorUnits(typed, card.currency);
    if (minor[id] !== undefined) continue;
    const { units } = CURRENCIES[card.currency];
    markField(id, `Enter an amount in ${units}, like ${example}${optional ? ', or leave it empty' : ''}.`);
    wrong.push(id);
  }
  if (!wrong.length) return minor;
  $(wrong[0]).focus();
  return undefined;
}

/**
 * A card's submit: its amounts read, `POST /onboardings` with the card's flow and the first card's
 * reference, and the browser sent to the `auth_link` (TrueLayer's hosted page). A refused request
 * stays on the page: the API's detail in the card's alert, each refused field marked under its input.
 */
function startOnTheHostedPage(card) {
  const button = $(`${card.prefix}-button`);
  $(`${card.prefix}-form`).addEventListener('submit', async (event) => {
    event.preventDefault();
    $(`${card.prefix}-error`).hidden = true;
    showFieldErrors(card, []);
    const minor = readAmounts(card);
    if (!minor) return;
    button.disabled = true;
    try {
      const reference = $('reference').value.trim();
      const user = {
        name: $(`${card.prefix}-name`).value.trim(),
        email: $(`${card.prefix}-email`).value.trim(),
      };
      const created = await api('POST', '/onboardings', {
        flow: card.flow,
        ...(reference ? { reference } : {}),
        [card.flow]: { currency: card.currency, user, ...card.request(minor) },
      });
      window.location.assign(created.auth_link);
    } catch (error) {
      showProblem(card, error);
      showFieldErrors(card, error.errors ?? []);
      button.disabled = false;
    }
  });
}

startOnTheHostedPage(PAYMENT_CARD);
startOnTheHostedPage(FINLAND_CARD);
startOnTheHostedPage(MANDATE_CARD);

// ---------------------------------------------------------------- journey page

const journey = {
  mode: SIGNUP_PLUS,
  id: '',
  connectionId: '',
  view: undefined,
  finalEvent: undefined,
  stream: undefined,
  seen: new Set(),
  rows: new Map(),
  firstAt: undefined,
  refreshTimer: undefined,
  pollTimer: undefined,
  renderedChoices: false,
  askedToIdentify: false,
  done: false,
};

function announce(text) {
  $('announcer').textContent = text;
}

function relativeTime(at) {
  const ms = Date.parse(at) - journey.firstAt;
  return ms < 1000 ? `+${ms} ms` : `+${(ms / 1000).toFixed(2)} s`;
}

function stepLabel(step) {
  if (step.kind === 'api') {
    const label = journey.mode.apiLabels?.[step.name] ?? API_LABELS[step.name] ?? step.name;
    return step.detail ? `${label}: ${step.detail}` : label;
  }
  if (step.kind === 'workflow')
    return `Workflow ${OUTCOME_LABELS[step.outcome] ?? step.outcome} (Step Functions)`;
  if (step.kind === 'event') return `Event published: ${step.name}`;
  return journey.mode.stateLabels?.[step.name] ?? STATE_LABELS[step.name] ?? step.name;
}

function stepTechnical(step) {
  if (step.kind === 'api') return `${step.name} → ${step.outcome}`;
  if (step.kind === 'event') return step.detail ?? '';
  if (step.kind === 'workflow') return step.detail ? `execution · ${step.detail}` : 'execution';
  return step.detail ? `${step.name} · ${step.detail}` : step.name;
}

function outcomeClass(step) {
  if (step.kind === 'api') return Number(step.outcome) >= 400 ? 'failed' : 'succeeded';
  if (step.kind === 'event') return /Failed|Expired/.test(step.name) ? 'failed' : 'succeeded';
  if (step.outcome === 'timed_out' || step.outcome === 'aborted') return 'failed';
  if (step.outcome === 'started') return 'succeeded';
  return step.outcome;
}

function duration(fromIso, toIso) {
  const ms = Date.parse(toIso) - Date.parse(fromIso);
  return ms < 1000 ? `${ms} ms` : `${(ms / 1000).toFixed(2)} s`;
}

function renderStep(step) {
  if (journey.seen.has(step.seq)) return;
  journey.seen.add(step.seq);
  journey.firstAt ??= Date.parse(step.at);
  const key = step.kind === 'state' ? `state:${step.name}` : `seq:${step.seq}`;
  const existing = journey.rows.get(key);
  // A state's later outcomes update its row; a state entered again gets a new one.
  const reuse = existing && !(step.outcome === 'running' && existing.dataset.outcome !== 'running');
  const startedAt = reuse ? existing.dataset.startedAt : step.at;
  let outcomeText = step.kind === 'api' ? step.outcome : (OUTCOME_LABELS[step.outcome] ?? step.outcome);
  if (reuse && step.outcome !== 'waiting') outcomeText += ` in ${duration(startedAt, step.at)}`;
  const row = element(
    'li',
    { class: 'step', 'data-kind': step.kind, 'data-outcome': outcomeClass(step), 'data-name': step.name },
    element('span', { class: 'dot', 'aria-hidden': 'true' }),
    element(
      'div',
      { class: 'what' },
      element('span', { class: 'label', text: stepLabel(step) }),
      element('code', { class: 'tech', text: stepTechnical(step) }),
    ),
    element(
      'div',
      { class: 'when' },
      element('span', { class: 'result', text: outcomeText }),
      element('time', { dateTime: startedAt, text: relativeTime(startedAt) }),
    ),
  );
  row.dataset.startedAt = startedAt;
  if (reuse) existing.replaceWith(row);
  else $('timeline').append(row);
  journey.rows.set(key, row);
  if (step.kind === 'event') {
    announce(stepLabel(step));
    if (journey.mode.terminalEvents.includes(step.name) && step.event) journey.finalEvent = step.event;
  }
}

function renderStatus(view) {
  const status = $('status');
  if (status.dataset.status === view.status) return;
  status.dataset.status = view.status;
  status.textContent = journey.mode.statusLabels[view.status] ?? view.status.replaceAll('_', ' ');
}

function accountKind(account) {
  // Data v3's connected accounts name the kind in lower case (`current`, `savings`).
  const named = String(account.account_type ?? '').toUpperCase();
  const type = ACCOUNT_TYPES[named] ?? (named === 'UNKNOWN' ? '' : account.account_type);
  const currency = account.currency === 'UNKNOWN' ? '' : account.currency;
  return [type, currency].filter(Boolean).join(' · ');
}

/** Sort code and masked number, each kept on one line. */
function accountNumbers(account) {
  const parts = [
    account.sort_code ? `Sort code ${account.sort_code}` : '',
    account.account_number_masked ? `Account ${account.account_number_masked}` : '',
  ].filter(Boolean);
  return parts.flatMap((part, index) => [
    ...(index ? [' · '] : []),
    element('span', { class: 'nowrap', text: part }),
  ]);
}

/**
 * "Choose by 14:32 (14 minutes left). After that, …", in the person's own time zone; nothing for a
 * bad date.
 */
function deadlineParts(iso, lead, after) {
  const at = new Date(iso);
  if (Number.isNaN(at.getTime())) return [];
  const time = at.toLocaleTimeString(undefined, { hour: '2-digit', minute: '2-digit' });
  const minutes = Math.max(0, Math.round((at.getTime() - Date.now()) / 60000));
  const left = minutes < 1 ? 'less than a minute left' : `${minutes} minute${minutes === 1 ? '' : 's'} left`;
  return [`${lead} `, element('time', { dateTime: iso, text: time }), ` (${left}). ${after}`];
}

function renderChoices(view) {
  const form = $('choose-form');
  if (view.status !== 'awaiting_account_choice' || !view.accounts) {
    form.hidden = true;
    return;
  }
  form.hidden = false;
  $('choose-deadline').replaceChildren(
    ...deadlineParts(
      view.account_choice_expires_at,
      'Choose by',
      'After that, you will need to start again.',
    ),
  );
  if (journey.renderedChoices) return;
  journey.renderedChoices = true;
  // Nothing is chosen for the person: the button asks them to pick.
  $('choices').replaceChildren(
    ...view.accounts.map((account, index) => {
      const input = element('input', {
        type: 'radio',
        name: 'account_id',
        value: account.account_id,
        id: `account-${index}`,
        required: true,
        'aria-describedby': `account-${index}-kind account-${index}-numbers`,
      });
      return element(
        'label',
        { class: 'choice', htmlFor: input.id },
        input,
        element(
          'span',
          {},
          element('strong', { text: account.display_name }),
          element('small', { id: `account-${index}-kind`, text: accountKind(account) }),
          element('small', { id: `account-${index}-numbers` }, ...accountNumbers(account)),
        ),
      );
    }),
  );
  announce('Choose the account payments should come from.');
}

/** Only a web address is followed: the link comes from TrueLayer, through the record. */
function webLink(text) {
  try {
    const url = new URL(text);
    return url.protocol === 'https:' || url.protocol === 'http:' ? url.href : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Signup+ in Finland, paid: the person is asked to identify at their bank, with the time the link
 * stays open. A link they follow themselves, not a redirect: they have just come back from one bank
 * page, and should see why they are off to another.
 */
function renderIdentification(view) {
  const box = $('identify');
  const link = view.status === 'awaiting_identification' ? webLink(view.identification?.link) : undefined;
  box.hidden = !link;
  if (!link) return;
  $('identify-link').href = link;
  $('identify-deadline').replaceChildren(
    ...deadlineParts(
      view.identification.expires_at,
      'Identify yourself by',
      'After that, your sign-up cannot be finished.',
    ),
  );
  if (journey.askedToIdentify) return;
  journey.askedToIdentify = true;
  announce('Your payment was made. Identify yourself with your bank to finish signing up.');
}

/** The record's steps so far, for the journeys that show them; the latest is current until the end. */
function renderProgress(view) {
  const words = journey.mode.progressWords;
  const steps = view.timeline ?? [];
  $('progress').hidden = !words || steps.length === 0;
  if (!words) return;
  const over = journey.mode.terminal.includes(view.status);
  $('progress-steps').replaceChildren(
    ...steps.map((entry, index) =>
      element(
        'li',
        {
          'data-step': entry.step,
          ...(!over && index === steps.length - 1 ? { 'aria-current': 'step' } : {}),
        },
        element('span', { text: words[entry.step] ?? entry.step.replaceAll('_', ' ') }),
        element('time', {
          dateTime: entry.at,
          text: new Date(entry.at).toLocaleTimeString(undefined, { timeStyle: 'medium' }),
        }),
      ),
    ),
  );
}

function detailRow(term, value) {
  if (!value) return [];
  return [element('dt', { text: term }), element('dd', { text: value })];
}

function showWords(words) {
  $('outcome-title').textContent = words.title;
  $('outcome-text').textContent = words.text;
  $('outcome-next').textContent = words.next ?? '';
  $('outcome-next').hidden = !words.next;
  $('again').textContent = words.action;
}

/** The reason and the integrator's sentence, for developers only. */
function showFailureCode(view) {
  const box = $('developer-failure');
  box.hidden = !view.failure;
  if (!view.failure) return;
  box.replaceChildren(
    ...detailRow('failure.reason', view.failure.reason),
    ...detailRow('failure.detail', view.failure.detail),
    // Where and why TrueLayer says the payment or the mandate failed (Payments v3's codes).
    ...['payment', 'mandate'].flatMap((resource) => [
      ...detailRow(`failure.${resource}.failure_stage`, view.failure[resource]?.failure_stage),
      ...detailRow(`failure.${resource}.failure_reason`, view.failure[resource]?.failure_reason),
    ]),
  );
}

const money = (minor, currency) =>
  new Intl.NumberFormat('en-GB', { style: 'currency', currency }).format(minor / 100);

/** A payment journey's payment: its amount and TrueLayer's id. */
function paymentRows(payment) {
  if (!payment) return [];
  return [
    ...detailRow('Amount', money(payment.amount_in_minor, payment.currency)),
    ...detailRow('Payment id', payment.payment_id),
  ];
}

/** A mandate journey's mandate: the most one payment under it may take, and TrueLayer's id. */
function mandateRows(mandate) {
  if (!mandate) return [];
  return [
    ...detailRow('Most per payment', money(mandate.maximum_individual_amount_in_minor, mandate.currency)),
    ...detailRow('Mandate id', mandate.mandate_id),
  ];
}

function renderOutcome(view) {
  const box = $('outcome');
  box.hidden = false;
  box.dataset.status = view.status === 'authorized' ? 'completed' : view.status;
  showFailureCode(view);
  if (journey.mode === DATA_CONNECTION) {
    if (view.status === 'authorized') {
      showWords({
        title: 'Your account is connected',
        text: 'Your bank confirmed the connection: your account details can now be read.',
        action: 'Connect another account',
      });
    } else {
      showWords(CONNECTION_FAILURE_WORDS[view.failure?.reason] ?? CONNECTION_NOT_CONNECTED);
    }
    const connected = view.status === 'authorized';
    $('outcome-details').replaceChildren(
      ...detailRow('Bank', view.provider_id ? bankName(view.provider_id) : undefined),
      ...(connected
        ? [
            ...detailRow(
              'Access',
              view.data_access_type === 'recurring' ? 'Ongoing, until you stop it' : 'Once',
            ),
            ...detailRow('Connection', view.connection_id),
            ...detailRow('Configuration', view.configuration),
            ...detailRow('Scopes', (view.scopes ?? []).join(', ')),
          ]
        : []),
    );
    return;
  }
  // The payment's or the mandate's own rows, on the result whatever it is; none for the data flow.
  const flowRows = journey.mode.resultRows?.(view) ?? [];
  if (view.status === 'completed') {
    const { user, account } = view;
    const address = user.address;
    showWords(journey.mode.completedWords);
    $('outcome-details').replaceChildren(
      ...detailRow('Name', [user.title, user.first_name, user.last_name].filter(Boolean).join(' ')),
      ...detailRow('Date of birth', user.date_of_birth),
      // A Finnish identity code is the date of birth above and four characters more: none of it is shown.
      ...detailRow(
        'Identity code',
        user.national_identification_number ? 'Shared, not shown here' : undefined,
      ),
      ...detailRow(
        'Address',
        [address?.address_line1, address?.address_line2, address?.city, address?.zip, address?.country]
          .filter(Boolean)
          .join(', '),
      ),
      ...detailRow('Bank', bankName(account.provider_id)),
      ...detailRow('Sort code', account.sort_code),
      ...detailRow('Account number', account.account_number),
      // In groups of four, as IBANs are printed for people: on a phone it wraps between groups.
      ...detailRow('IBAN', account.iban?.replace(/(.{4})(?=.)/g, '$1 ')),
      ...flowRows,
    );
  } else {
    const reason = view.failure?.reason ?? (view.status === 'expired' ? 'link_expired' : 'internal_error');
    const words = journey.mode.failureWords ?? FAILURE_WORDS;
    showWords(words[reason] ?? words.internal_error);
    $('outcome-details').replaceChildren(...flowRows);
  }
}

async function renderEvent() {
  let event = journey.finalEvent;
  if (!event) {
    // Normally the stream has delivered it; ask the local bus in case the stream was not available.
    const events = await api('GET', `/_local/events?onboarding_id=${encodeURIComponent(journey.id)}`).catch(
      () => [],
    );
    event = events
      .filter((candidate) => journey.mode.terminalEvents.includes(candidate['detail-type']))
      .at(-1);
  }
  if (!event) return false;
  const code = event.detail?.user?.national_identification_number;
  $('event-masked').hidden = typeof code !== 'string';
  if (typeof code === 'string') {
    // Character for character, so its shape stays; the record (the link under the timeline) has it whole.
    const user = { ...event.detail.user, national_identification_number: code.replace(/[0-9A-Z]/gi, '•') };
    event = { ...event, detail: { ...event.detail, user } };
  }
  $('event-title').textContent = `Published event: ${event['detail-type']}`;
  $('event').textContent = JSON.stringify(event, null, 2);
  $('event-box').hidden = false;
  return true;
}

async function refresh() {
  journey.refreshTimer = undefined;
  if (journey.done) return;
  let view;
  try {
    view = await api(
      'GET',
      journey.mode.viewPath({ onboardingId: journey.id, connectionId: journey.connectionId }),
    );
  } catch (error) {
    $('status').textContent = error.message;
    return;
  }
  // The record names its flow: should the first read have failed, the words follow it from now on.
  if (journey.mode === SIGNUP_PLUS && flowOf(view)) showMode(flowOf(view));
  // A connection that asked for Signup+ goes on as a sign-up: its onboarding is the record to read.
  if (journey.mode === DATA_CONNECTION && view.signup_plus === true) {
    showMode(CONNECTION);
    scheduleRefresh();
    return;
  }
  journey.view = view;
  renderStatus(view);
  renderChoices(view);
  renderIdentification(view);
  renderProgress(view);
  if (journey.mode.terminal.includes(view.status) && (await renderEvent())) {
    journey.done = true;
    renderOutcome(view);
    announce(`${$('outcome-title').textContent}.`);
    clearInterval(journey.pollTimer);
    // The workflow's last steps may still be on their way: keep listening a moment.
    setTimeout(() => journey.stream?.close(), 5000);
    document.body.dataset.journey = 'done';
  }
}

function scheduleRefresh() {
  journey.refreshTimer ??= setTimeout(refresh, 60);
}

function poll() {
  journey.pollTimer ??= setInterval(scheduleRefresh, POLL_MS);
}

/**
 * Which journey came back, once the query has said what kind: payment and mandate journeys come back
 * to the same URL as a data one, and a connection with Signup+ to the same URL as any connection;
 * their records say which it is.
 */
async function journeyMode(given, ids) {
  const first = await api('GET', given.viewPath(ids)).catch(() => undefined);
  if (given === DATA_CONNECTION) return first?.signup_plus === true ? CONNECTION : DATA_CONNECTION;
  return flowOf(first) ?? given;
}

/** The journey's kind, title and record, as the page names them. */
function showMode(mode) {
  journey.mode = mode;
  const ids = { onboardingId: journey.id, connectionId: journey.connectionId };
  $('journey-kind').textContent = mode.kind;
  $('journey-title').textContent = mode === DATA_CONNECTION ? 'Connecting your account' : 'Your sign-up';
  // The record the page reads: the connection's for a data connection, else the onboarding's.
  $('onboarding-id').textContent = mode === DATA_CONNECTION ? ids.connectionId : ids.onboardingId;
  $('raw').href = mode.viewPath(ids);
  document.title = `${$('journey-title').textContent} · Signup+ onboarding (local demo)`;
}

async function follow(given, onboardingId, connectionId = '') {
  for (const id of ['start', 'connect', 'connect-signup', 'pay', 'finland', 'mandate', 'users']) {
    $(id).hidden = true;
  }
  $('journey').hidden = false;
  journey.id = onboardingId;
  journey.connectionId = connectionId;
  showMode(await journeyMode(given, { onboardingId, connectionId }));
  loadBankNames().finally(scheduleRefresh);
  if (!('EventSource' in window)) return poll();
  const stream = new EventSource(`/_local/stream?onboarding_id=${encodeURIComponent(onboardingId)}`);
  journey.stream = stream;
  stream.addEventListener('step', (message) => {
    renderStep(JSON.parse(message.data));
    scheduleRefresh();
  });
  stream.addEventListener('error', () => {
    // EventSource reconnects on its own; if it gave up, poll instead.
    if (stream.readyState === EventSource.CLOSED && !journey.done) poll();
  });
  // Belt and braces: a slow poll catches anything the stream could not tell (a restart of the stack).
  setTimeout(poll, 10 * POLL_MS);
}

$('choose-form').addEventListener('submit', async (event) => {
  event.preventDefault();
  const chosen = new FormData($('choose-form')).get('account_id');
  $('choose-error').hidden = true;
  $('choose-button').disabled = true;
  try {
    await api('POST', `/onboardings/${encodeURIComponent(journey.id)}/account-choice`, {
      account_id: chosen,
    });
    $('choose-form').hidden = true;
    scheduleRefresh();
  } catch (error) {
    showError($('choose-error'), error.message);
    $('choose-button').disabled = false;
  }
});

const params = new URLSearchParams(window.location.search);
const onboardingId = params.get('onboarding_id');
const connectionId = params.get('connection_id');
if (connectionId && onboardingId) follow(DATA_CONNECTION, onboardingId, connectionId);
else if (onboardingId) follow(SIGNUP_PLUS, onboardingId);
else {
  renderConfigurations();
  listUsers();
}
