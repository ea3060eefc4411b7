import { checkAuthLink, errorRedirect } from './auth-request.ts';
import { completeAuthorization } from './authorization.ts';
import type { RequestContext } from './context.ts';
import {
  consentPage,
  DIALOG_PATHS,
  errorPage,
  FIELD,
  loggedInUser,
  loginPage,
  providerPage,
} from './dialog-pages.ts';
import type { DialogSession, DialogStep } from './dialog-store.ts';
import { htmlResponse, readFormBody, redirectResponse, type SimResponse } from './http-io.ts';
import type { Provider } from './providers.ts';
import type { RouteDefinition } from './router.ts';

const STEP_ORDER: readonly DialogStep[] = ['provider', 'consent', 'login'];

const USED_LINK_MESSAGE =
  'This auth link has already been used. Each link works once: start again from the application.';

/** The page for the step a session is at. */
function pageFor(ctx: RequestContext, session: DialogSession): SimResponse {
  const provider = chosenProvider(session);
  if (session.step === 'provider' || provider === undefined) {
    return htmlResponse(200, providerPage(session));
  }
  if (session.step === 'consent') return htmlResponse(200, consentPage(session, provider));
  return htmlResponse(200, loginPage(session, provider, ctx.sim.users));
}

function chosenProvider(session: DialogSession): Provider | undefined {
  return session.request.providers.find((p) => p.id === session.providerId);
}

/**
 * Finds the session a form posts to and checks it may take `step`. Going back (browser Back,
 * resubmitting an earlier form) is allowed; skipping ahead is not.
 */
async function loadSession(
  ctx: RequestContext,
  step: DialogStep,
): Promise<{ session: DialogSession; form: URLSearchParams } | { response: SimResponse }> {
  const form = await readFormBody(ctx.req);
  const session = ctx.sim.dialogs.get(form.get(FIELD.session) ?? '');
  if (session === undefined) {
    return {
      response: htmlResponse(
        400,
        errorPage(
          'Session expired',
          'This sign-in session is unknown or has expired. Start again from the application.',
        ),
      ),
    };
  }
  if (ctx.sim.dialogs.isUsed(session.request.linkKey)) {
    ctx.sim.dialogs.finish(session.id);
    return { response: htmlResponse(400, errorPage('Link already used', USED_LINK_MESSAGE)) };
  }
  const skipsAhead = STEP_ORDER.indexOf(step) > STEP_ORDER.indexOf(session.step);
  const bankFixed = step === 'provider' && session.request.preselectedProviderId !== undefined;
  if (skipsAhead || bankFixed) {
    return {
      response: htmlResponse(400, errorPage('Step out of order', 'Please use the page you were shown.')),
    };
  }
  return { session, form };
}

/** `GET /`: validates the auth link and shows its first step. */
const openDialog: RouteDefinition = {
  method: 'GET',
  path: '/',
  name: 'dialog',
  faultable: false,
  handle(ctx) {
    const check = checkAuthLink(ctx.url.searchParams, ctx.sim.clients);
    if (!check.ok) {
      // Never redirect to a URI that is not registered: show the problem here instead.
      if (check.kind === 'fatal') return htmlResponse(400, errorPage('Invalid auth link', check.message));
      return redirectResponse(errorRedirect(check));
    }
    if (ctx.sim.dialogs.isUsed(check.request.linkKey)) {
      return htmlResponse(400, errorPage('Link already used', USED_LINK_MESSAGE));
    }
    return pageFor(ctx, ctx.sim.dialogs.open(check.request));
  },
};

/** `POST /dialog/provider`: the bank is chosen; show the consent screen. */
const chooseProvider: RouteDefinition = {
  method: 'POST',
  path: DIALOG_PATHS.provider,
  name: 'dialog_provider',
  faultable: false,
  async handle(ctx) {
    const loaded = await loadSession(ctx, 'provider');
    if ('response' in loaded) return loaded.response;
    const { session, form } = loaded;
    const providerId = form.get(FIELD.provider) ?? '';
    if (!session.request.providers.some((p) => p.id === providerId)) {
      return htmlResponse(400, providerPage(session, 'Please choose one of the banks listed.'));
    }
    session.providerId = providerId;
    session.step = 'consent';
    return pageFor(ctx, session);
  },
};

/** `POST /dialog/consent`: Allow goes on to the bank login, Deny ends the dialog. */
const giveConsent: RouteDefinition = {
  method: 'POST',
  path: DIALOG_PATHS.consent,
  name: 'dialog_consent',
  faultable: false,
  async handle(ctx) {
    const loaded = await loadSession(ctx, 'consent');
    if ('response' in loaded) return loaded.response;
    const { session, form } = loaded;
    const decision = form.get(FIELD.decision);
    if (decision === 'deny') {
      ctx.sim.dialogs.finish(session.id);
      return redirectResponse(completeAuthorization(ctx.sim, session.request, { kind: 'deny' }));
    }
    if (decision !== 'allow') {
      return htmlResponse(400, errorPage('Unknown choice', 'Please press Allow or Deny.'));
    }
    session.step = 'login';
    return pageFor(ctx, session);
  },
};

/** `POST /dialog/login`: the user logs in as a sandbox user; the browser goes back to the app. */
const logIn: RouteDefinition = {
  method: 'POST',
  path: DIALOG_PATHS.login,
  name: 'dialog_login',
  faultable: false,
  async handle(ctx) {
    const loaded = await loadSession(ctx, 'login');
    if ('response' in loaded) return loaded.response;
    const { session, form } = loaded;
    const provider = chosenProvider(session);
    if (provider === undefined) return pageFor(ctx, session);
    const user = loggedInUser(ctx.sim.users, form);
    if (user === undefined) {
      return htmlResponse(
        400,
        loginPage(
          session,
          provider,
          ctx.sim.users,
          'Unknown username or wrong password. Try a sandbox user.',
        ),
      );
    }
    ctx.sim.dialogs.finish(session.id);
    return redirectResponse(
      completeAuthorization(ctx.sim, session.request, { kind: 'approve', user, providerId: provider.id }),
    );
  },
};

/** The interactive auth dialog's routes on the auth host. */
export const dialogRoutes: readonly RouteDefinition[] = [openDialog, chooseProvider, giveConsent, logIn];
