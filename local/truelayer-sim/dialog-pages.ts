import type { DialogSession } from './dialog-store.ts';
import { html, page, type SafeHtml } from './html.ts';
import type { Provider } from './providers.ts';
import { SCOPE_DESCRIPTIONS } from './scopes.ts';
import type { SandboxUser } from './users.ts';

/** Form field names shared by the pages and the routes that read them. */
export const FIELD = {
  session: 'session',
  provider: 'provider_id',
  decision: 'decision',
  username: 'username',
  password: 'password',
} as const;

/** Form targets of the dialog steps. */
export const DIALOG_PATHS = {
  provider: '/dialog/provider',
  consent: '/dialog/consent',
  login: '/dialog/login',
} as const;

/** An error line a screen reader announces; nothing when there is no error. */
export function errorBox(message: string | undefined) {
  return message === undefined ? '' : html`<p class="error" role="alert">${message}</p>`;
}

function sessionField(session: DialogSession) {
  return html`<input type="hidden" name="${FIELD.session}" value="${session.id}">`;
}

/**
 * The bank list, shared by the Signup+ dialog and the Data v3 hosted page:
 * one radio button per provider, the first preselected.
 */
export function bankChoicePage(options: {
  action: string;
  field: string;
  providers: readonly Pick<Provider, 'id' | 'name'>[];
  hidden?: SafeHtml | string;
  error?: string | undefined;
}): string {
  const choices = options.providers.map(
    (provider, i) => html`<label class="option" for="provider-${i}">
<input type="radio" id="provider-${i}" name="${options.field}" value="${provider.id}" required${i === 0 ? html` checked` : ''}>
<span>${provider.name}<small>${provider.id}</small></span>
</label>`,
  );
  return page(
    'Choose your bank',
    html`<h1>Choose your bank</h1>
${errorBox(options.error)}
<form method="post" action="${options.action}">
${options.hidden ?? ''}
<fieldset>
<legend>Banks</legend>
${choices}
</fieldset>
<button class="primary" type="submit">Continue</button>
</form>`,
  );
}

/** Step 1: choose a bank. */
export function providerPage(session: DialogSession, error?: string): string {
  return bankChoicePage({
    action: DIALOG_PATHS.provider,
    field: FIELD.provider,
    providers: session.request.providers,
    hidden: sessionField(session),
    error,
  });
}

/** Step 2: what will be shared, with Allow and Deny. */
export function consentPage(session: DialogSession, provider: Provider): string {
  const items = session.request.scopes.map((scope) => html`<li>${SCOPE_DESCRIPTIONS[scope] ?? scope}</li>`);
  return page(
    'Share your data',
    html`<h1>Share your data with ${session.request.clientName}</h1>
<p><strong>${session.request.clientName}</strong> asks TrueLayer to read the following from <strong>${provider.name}</strong>:</p>
<ul>
${items}
</ul>
<p>You will log in to your bank next. You can withdraw this consent at any time.</p>
<form method="post" action="${DIALOG_PATHS.consent}">
${sessionField(session)}
<button class="primary" type="submit" name="${FIELD.decision}" value="allow">Allow</button>
<button class="secondary" type="submit" name="${FIELD.decision}" value="deny">Deny</button>
</form>`,
  );
}

/** Default one-line description of a user for the login page. */
export function describeUser(user: SandboxUser): string {
  if (user.description !== undefined) return user.description;
  const count = user.accounts.length;
  const name = user.identity ? `${user.identity.first_name} ${user.identity.last_name}, ` : '';
  return `${name}${count} account${count === 1 ? '' : 's'}`;
}

/** The password a user logs in with at the simulated bank (TrueLayer's Mock bank: john / doe). */
export const passwordOf = (user: SandboxUser) => user.password ?? 'doe';

/**
 * The simulated bank's login form, as TrueLayer's Mock bank asks: a username
 * and a password, with the sandbox users listed beside it. Shared by the
 * Signup+ dialog and the Data v3 hosted page; `extra` carries their own
 * hidden fields and buttons.
 */
export function bankLoginForm(options: {
  action: string;
  bankName: string;
  users: readonly SandboxUser[];
  hidden?: SafeHtml | string;
  buttons: SafeHtml;
  error?: string | undefined;
}): string {
  const rows = options.users.map(
    (user) =>
      html`<li><strong>${user.username}</strong> / <code>${passwordOf(user)}</code><small>${describeUser(user)}</small></li>`,
  );
  return page(
    `Log in to ${options.bankName}`,
    html`<h1>Log in to ${options.bankName}</h1>
${errorBox(options.error)}
<p>This is a simulated bank. Log in as one of the sandbox users below.</p>
<form method="post" action="${options.action}">
${options.hidden ?? ''}
<label for="username">Username</label>
<input type="text" id="username" name="${FIELD.username}" autocomplete="username" autocapitalize="none" spellcheck="false" required>
<label for="password">Password</label>
<input type="password" id="password" name="${FIELD.password}" autocomplete="current-password" required>
${options.buttons}
</form>
<section aria-labelledby="sandbox-users">
<h2 id="sandbox-users">Sandbox users</h2>
<ul class="users">
${rows}
</ul>
</section>`,
  );
}

/** The user a login form names, when the password is theirs. */
export function loggedInUser(users: readonly SandboxUser[], form: URLSearchParams): SandboxUser | undefined {
  const username = (form.get(FIELD.username) ?? '').trim();
  const user = users.find((candidate) => candidate.username === username);
  return user !== undefined && form.get(FIELD.password) === passwordOf(user) ? user : undefined;
}

/** Step 3: the bank login. */
export function loginPage(
  session: DialogSession,
  provider: Provider,
  users: readonly SandboxUser[],
  error?: string,
): string {
  return bankLoginForm({
    action: DIALOG_PATHS.login,
    bankName: provider.name,
    users,
    hidden: sessionField(session),
    buttons: html`<button class="primary" type="submit">Log in</button>`,
    error,
  });
}

/** A dead end: shown when nothing may be sent back to the application. */
export function errorPage(title: string, message: string): string {
  return page(title, html`<h1>${title}</h1><p class="error" role="alert">${message}</p>`);
}
