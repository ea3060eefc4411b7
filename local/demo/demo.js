// The demo talks to the same integrator API a backend would call. On AWS those
// routes need IAM-signed requests; the local API on loopback does not check them.
const $ = (id) => document.getElementById(id);
const TERMINAL = ['completed', 'failed', 'expired'];
const STEP_LABELS = {
  onboarding_created: 'Onboarding created, auth link issued',
  user_authorized: 'You approved access at your bank',
  code_exchanged: 'Authorization code exchanged for an access token',
  accounts_fetched: 'Linked accounts fetched',
  account_choice_required: 'Waiting for your account choice',
  account_chosen: 'Account chosen',
  identity_stored: 'Identity and account details stored',
  ready_for_payment: 'Ready for payment: event published',
  failed: 'Onboarding failed',
  expired: 'Onboarding expired',
};

async function api(method, path, body) {
  const response = await fetch(path, {
    method,
    headers: body ? { 'content-type': 'application/json' } : {},
    body: body ? JSON.stringify(body) : undefined,
  });
  const json = await response.json().catch(() => ({}));
  if (!response.ok) throw new Error(json.detail ?? `HTTP ${response.status}`);
  return json;
}

function showError(element, message) {
  element.textContent = message;
  element.hidden = false;
}

$('start-form').addEventListener('submit', async (event) => {
  event.preventDefault();
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

let renderedChoices = false;
let lastStatus = '';

function renderTimeline(timeline) {
  const list = $('timeline');
  list.replaceChildren(
    ...timeline.map((entry) => {
      const item = document.createElement('li');
      const time = document.createElement('time');
      time.dateTime = entry.at;
      time.textContent = new Date(entry.at).toLocaleTimeString();
      item.append(time, STEP_LABELS[entry.step] ?? entry.step);
      if (entry.detail) item.append(` (${entry.detail})`);
      return item;
    }),
  );
}

function renderChoices(onboarding) {
  const form = $('choose-form');
  if (onboarding.status !== 'awaiting_account_choice') {
    form.hidden = true;
    return;
  }
  form.hidden = false;
  if (renderedChoices) return;
  renderedChoices = true;
  $('choices').replaceChildren(
    ...onboarding.accounts.map((account, index) => {
      const row = document.createElement('div');
      row.className = 'choice';
      const input = document.createElement('input');
      input.type = 'radio';
      input.name = 'account_id';
      input.value = account.account_id;
      input.id = `account-${index}`;
      input.required = true;
      const label = document.createElement('label');
      label.htmlFor = input.id;
      label.textContent = `${account.display_name} · ${account.account_type} · ${account.currency}${
        account.account_number_masked ? ` · ${account.account_number_masked}` : ''
      }`;
      row.append(input, label);
      return row;
    }),
  );
}

async function renderOutcome(onboarding) {
  const outcome = $('outcome');
  outcome.hidden = false;
  if (onboarding.status === 'completed') {
    const { user, account } = onboarding;
    outcome.innerHTML = '';
    const heading = document.createElement('h3');
    heading.textContent = 'You are ready for payment';
    const text = document.createElement('p');
    text.textContent = `${user.first_name} ${user.last_name}, paying from ${
      account.sort_code ? `${account.sort_code} ${account.account_number}` : account.iban
    } (${account.provider_id}).`;
    outcome.append(heading, text);
  } else {
    outcome.textContent = onboarding.failure?.detail ?? `The onboarding ended: ${onboarding.status}.`;
    outcome.className = 'error';
  }
  const events = await fetch(`/_local/events?onboarding_id=${encodeURIComponent(onboarding.onboarding_id)}`).then((r) =>
    r.json(),
  );
  if (events.length > 0) {
    $('event').textContent = JSON.stringify(events.at(-1), null, 2);
    $('event-box').hidden = false;
  }
}

async function follow(onboardingId) {
  $('start').hidden = true;
  $('journey').hidden = false;
  $('onboarding-id').textContent = onboardingId;
  for (;;) {
    let onboarding;
    try {
      onboarding = await api('GET', `/onboardings/${encodeURIComponent(onboardingId)}`);
    } catch (error) {
      $('status').textContent = error.message;
      return;
    }
    if (onboarding.status !== lastStatus) {
      lastStatus = onboarding.status;
      $('status').textContent = onboarding.status.replaceAll('_', ' ');
      $('status').dataset.status = onboarding.status;
      $('live').textContent = `Status: ${onboarding.status.replaceAll('_', ' ')}`;
    }
    renderTimeline(onboarding.timeline);
    renderChoices(onboarding);
    if (TERMINAL.includes(onboarding.status)) {
      await renderOutcome(onboarding);
      return;
    }
    await new Promise((resolve) => setTimeout(resolve, 400));
  }
}

$('choose-form').addEventListener('submit', async (event) => {
  event.preventDefault();
  const chosen = new FormData($('choose-form')).get('account_id');
  $('choose-button').disabled = true;
  try {
    await api('POST', `/onboardings/${encodeURIComponent(lastOnboardingId)}/account-choice`, { account_id: chosen });
  } catch (error) {
    showError($('choose-error'), error.message);
    $('choose-button').disabled = false;
  }
});

const lastOnboardingId = new URLSearchParams(window.location.search).get('onboarding_id');
if (lastOnboardingId) follow(lastOnboardingId);
