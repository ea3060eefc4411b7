import { bankChoicePage, bankLoginForm, errorPage } from '../dialog-pages.ts';
import { html, page } from '../html.ts';
import { SCOPE_DESCRIPTIONS } from '../scopes.ts';
import type { SandboxUser } from '../users.ts';
import type { SimConnection } from './store.ts';

/** Paths of a connection's pages on the auth host (the hosted page stands in for app.truelayer.com/data). */
export const dataPaths = {
  hostedPage: (id: string) => `/data/${encodeURIComponent(id)}`,
  provider: (id: string) => `/data/${encodeURIComponent(id)}/provider`,
  consent: (id: string) => `/data/${encodeURIComponent(id)}/consent`,
  login: (id: string) => `/data/${encodeURIComponent(id)}/login`,
  bank: (id: string) => `/data/${encodeURIComponent(id)}/bank`,
  result: (id: string) => `/data/${encodeURIComponent(id)}/result`,
  done: (id: string) => `/data/${encodeURIComponent(id)}/done`,
} as const;

export const FORM = {
  provider: 'provider_id',
  decision: 'decision',
  username: 'username',
  password: 'password',
} as const;

/** Hosted page, step 1: the bank list, narrowed by the connection's filter. */
export function providerStep(connection: SimConnection, error?: string): string {
  return bankChoicePage({
    action: dataPaths.provider(connection.id),
    field: FORM.provider,
    providers: connection.providers,
    error,
  });
}

/** Hosted page, step 2: what will be shared, with Allow and Deny. */
export function consentStep(connection: SimConnection, bankName: string): string {
  const items = connection.request.scopes.map(
    (scope) => html`<li>${SCOPE_DESCRIPTIONS[scope] ?? scope}</li>`,
  );
  const access =
    connection.request.dataAccessType === 'one_time'
      ? 'once, right after you connect'
      : 'again during the consent period, without asking you each time';
  return page(
    'Connect your account',
    html`<h1>Connect your ${bankName} account</h1>
<p><strong>${connection.clientName}</strong> asks to read the following ${access}:</p>
<ul>
${items}
</ul>
<form method="post" action="${dataPaths.consent(connection.id)}">
<button class="primary" type="submit" name="${FORM.decision}" value="allow">Allow</button>
<button class="secondary" type="submit" name="${FORM.decision}" value="deny">Deny</button>
</form>`,
  );
}

/** The simulated bank's login: on the hosted page (step 3) or as `authorization_flow.actions.next.uri`. */
export function bankLogin(
  action: string,
  bankName: string,
  users: readonly SandboxUser[],
  error?: string,
): string {
  return bankLoginForm({
    action,
    bankName,
    users,
    buttons: html`<button class="primary" type="submit" name="${FORM.decision}" value="allow">Log in</button>
<button class="secondary" type="submit" name="${FORM.decision}" value="deny" formnovalidate>Cancel</button>`,
    error,
  });
}

/** TrueLayer's result screen (configuration own_flow_with_result_page), with the way back to the app. */
export function resultPage(connection: SimConnection, continueTo: string): string {
  const ok = connection.status === 'authorized';
  return page(
    ok ? 'Account connected' : 'Not connected',
    html`<h1>${ok ? 'Account connected' : 'Your account was not connected'}</h1>
<p>${ok ? 'You can now return to the app.' : 'Nothing was shared. You can return to the app and try again.'}</p>
<p><a class="primary" href="${continueTo}">Return to ${connection.clientName}</a></p>`,
  );
}

/** Where a journey without any return URI ends. */
export function donePage(connection: SimConnection): string {
  return page('Done', html`<h1>Connection ${connection.status}</h1><p>You can close this window.</p>`);
}

export { errorPage };
