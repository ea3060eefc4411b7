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
    awaiting_authorization: 'Waiting for you at the bank',
    authorized: 'Bank approved, working…',
    awaiting_account_choice: 'Choose an account',
    account_chosen: 'Account chosen, finishing…',
    completed: 'Ready for payment',
    failed: 'Failed',
    expired: 'Expired',
  },
};

const DATA_CONNECTION = {
  kind: 'Data connection',
  viewPath: (ids) => `/connections/${encodeURIComponent(ids.connectionId)}`,
  terminal: ['authorized', 'failed'],
  terminalEvents: ['Data Connection Authorized', 'Data Connection Failed'],
  statusLabels: {
    authorization_required: 'Waiting for you at the bank',
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
};

const STATE_LABELS = {
  LinkAccounts:
    'Exchange the code, read your accounts from Signup+ (one account: store it, publish the event)',
  WhatNext: 'One account or several?',
  UnexpectedResult: 'Unexpected answer from the previous step',
  WaitForAccountChoice: 'Wait for your account choice',
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

const FAILURE_TITLES = {
  access_denied: 'You declined to share your data',
  expired: 'The time to choose an account ran out',
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
  if (!response.ok) throw new Error(json.detail ?? `The API answered ${response.status}.`);
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
    const label = API_LABELS[step.name] ?? step.name;
    return step.detail ? `${label}: ${step.detail}` : label;
  }
  if (step.kind === 'workflow')
    return `Workflow ${OUTCOME_LABELS[step.outcome] ?? step.outcome} (Step Functions)`;
  if (step.kind === 'event') return `Event published: ${step.name}`;
  return STATE_LABELS[step.name] ?? step.name;
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

function accountLabel(account) {
  return [account.display_name, account.account_type, account.currency, account.account_number_masked]
    .filter(Boolean)
    .join(' · ');
}

function renderChoices(view) {
  const form = $('choose-form');
  if (view.status !== 'awaiting_account_choice' || !view.accounts) {
    form.hidden = true;
    return;
  }
  form.hidden = false;
  if (journey.renderedChoices) return;
  journey.renderedChoices = true;
  $('choices').replaceChildren(
    ...view.accounts.map((account, index) => {
      const input = element('input', {
        type: 'radio',
        name: 'account_id',
        value: account.account_id,
        id: `account-${index}`,
        required: true,
        checked: index === 0,
      });
      return element(
        'label',
        { class: 'choice', htmlFor: input.id },
        input,
        element('span', { text: accountLabel(account) }),
      );
    }),
  );
  announce('Choose the account payments should use.');
}

function detailRow(term, value) {
  if (!value) return [];
  return [element('dt', { text: term }), element('dd', { text: value })];
}

function renderOutcome(view) {
  const box = $('outcome');
  box.hidden = false;
  box.dataset.status = view.status === 'authorized' ? 'completed' : view.status;
  if (journey.mode === DATA_CONNECTION) {
    const ok = view.status === 'authorized';
    $('outcome-title').textContent = ok ? 'Your account is connected' : 'Your account was not connected';
    $('outcome-text').textContent = ok
      ? 'TrueLayer confirmed the connection: data calls for it can start.'
      : (view.failure?.detail ?? 'Nothing was shared. You can try again.');
    $('outcome-details').replaceChildren(
      ...detailRow('Connection', view.connection_id),
      ...detailRow('Configuration', view.configuration),
      ...detailRow('Scopes', (view.scopes ?? []).join(', ')),
      ...detailRow('Access', view.data_access_type),
      ...detailRow('Bank', view.provider_id),
      ...detailRow('Reason', ok ? undefined : view.failure?.reason),
    );
    return;
  }
  if (view.status === 'completed') {
    const { user, account } = view;
    const address = user.address;
    $('outcome-title').textContent = 'You are ready for payment';
    $('outcome-text').textContent =
      'Your bank confirmed these details. A payment service can pay from this account now.';
    $('outcome-details').replaceChildren(
      ...detailRow('Name', [user.title, user.first_name, user.last_name].filter(Boolean).join(' ')),
      ...detailRow('Date of birth', user.date_of_birth),
      ...detailRow(
        'Address',
        [address.address_line1, address.address_line2, address.city, address.zip, address.country]
          .filter(Boolean)
          .join(', '),
      ),
      ...detailRow('Bank', account.provider_id),
      ...detailRow('Sort code', account.sort_code),
      ...detailRow('Account number', account.account_number),
      ...detailRow('IBAN', account.iban),
    );
  } else {
    const reason = view.failure?.reason ?? view.status;
    $('outcome-title').textContent =
      FAILURE_TITLES[reason] ??
      (view.status === 'expired' ? 'The onboarding expired' : 'The onboarding failed');
    $('outcome-text').textContent = view.failure?.detail ?? `The onboarding ended: ${view.status}.`;
    $('outcome-details').replaceChildren(...detailRow('Reason', reason));
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
  journey.view = view;
  renderStatus(view);
  renderChoices(view);
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

function follow(mode, onboardingId, connectionId = '') {
  journey.mode = mode;
  journey.id = onboardingId;
  journey.connectionId = connectionId;
  for (const id of ['start', 'connect', 'users']) $(id).hidden = true;
  $('journey').hidden = false;
  $('journey-kind').textContent = mode.kind;
  $('journey-title').textContent = mode === DATA_CONNECTION ? 'Your data connection' : 'Your onboarding';
  $('onboarding-id').textContent = connectionId || onboardingId;
  $('again').textContent = mode === DATA_CONNECTION ? 'Connect another account' : 'Start another onboarding';
  $('raw').href = mode.viewPath({ onboardingId, connectionId });
  document.title = `${$('journey-title').textContent} · Signup+ onboarding (local demo)`;
  scheduleRefresh();
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
