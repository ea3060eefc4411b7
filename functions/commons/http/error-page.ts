import type { APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import type { ProblemDetails } from './problem.ts';

/**
 * The page a person sees when the redirect back from their bank (`/callback`,
 * `/connections/return`) cannot go on to the integrator's return page: what
 * happened and what to do next, in plain words and one voice ("you"), the
 * next step right under the heading so that a phone shows it without
 * scrolling. The problem's own detail is written for integrators and stays
 * in the problem+json answer.
 */
interface PageWords {
  title: string;
  happened: string;
  next: string;
  /** The same redirect may go through when sent again: the callback is idempotent for it. */
  retry?: boolean;
}

const START_AGAIN = 'Go back to the app or website where you started, and sign up again from there.';

const STATE_WORDS: Record<string, PageWords> = {
  missing: {
    title: 'This sign-up link is incomplete',
    happened:
      'Part of the link is missing, so we cannot tell which sign-up it belongs to. Nothing was set up.',
    next: START_AGAIN,
  },
  unknown: {
    title: 'This sign-up link is not recognised',
    happened: 'It may have been copied incompletely, or it belongs to another sign-up. Nothing was set up.',
    next: START_AGAIN,
  },
  expired: {
    title: 'This sign-up link has expired',
    happened: 'For your security, a sign-up link works only for a short while. Nothing was set up.',
    next: START_AGAIN,
  },
  already_used: {
    title: 'This sign-up link has already been used',
    happened: 'Each link works once. If you have just finished signing up, there is nothing more to do here.',
    next: 'Go back to the app or website where you started: it shows where your sign-up stands.',
  },
};

function wordsFor(problem: ProblemDetails): PageWords {
  const state = typeof problem.state_problem === 'string' ? STATE_WORDS[problem.state_problem] : undefined;
  if (state) return state;
  if (problem.status === 404) {
    return {
      title: 'We cannot find this sign-up',
      happened: 'The link does not match a sign-up we know about. Nothing was set up.',
      next: START_AGAIN,
    };
  }
  if (problem.status === 503) {
    return {
      title: 'We could not reach your bank’s service',
      happened: 'TrueLayer, who connect us to your bank, did not answer in time. Nothing was set up yet.',
      next: 'Try again in a minute. If it keeps happening, go back to where you started and sign up again later.',
      retry: true,
    };
  }
  if (problem.status >= 500) {
    return {
      title: 'Something went wrong on our side',
      happened: 'We could not finish setting up your sign-up. Nothing was taken from your account.',
      next: 'Try again. If it keeps happening, go back to where you started and sign up again later.',
      retry: true,
    };
  }
  return {
    title: 'This sign-up link is not valid',
    happened: 'The link is not one we can use. Nothing was set up.',
    next: START_AGAIN,
  };
}

const escapeHtml = (text: string) => text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

const STYLE = `*{box-sizing:border-box}
body{margin:0;font-family:system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;line-height:1.5;background:#f4f5f7;color:#1d1d1f}
main{max-width:32rem;margin:0 auto;padding:1.5rem 1rem}
.card{background:#fff;border-radius:12px;padding:1.25rem;box-shadow:0 1px 3px rgba(0,0,0,.12)}
h1{font-size:1.35rem;line-height:1.3;margin:0 0 .75rem}
.next{border-left:4px solid #0a5cff;background:#eef3ff;padding:.75rem 1rem;margin:1rem 0;border-radius:0 8px 8px 0}
.next strong{display:block}
.button{display:block;text-align:center;background:#0a5cff;color:#fff;text-decoration:none;font-weight:600;padding:.8rem;border-radius:8px;margin-top:1rem}
.code{color:#5b616b;font-size:.8rem;margin:1rem 0 0}
@media (prefers-color-scheme:dark){body{background:#111315;color:#eceef1}.card{background:#1b1e22}.next{background:#1d2740}.code{color:#a3a9b3}}`;

/** The end user's page for a problem on a browser route; the status stays the problem's. */
export function errorPage(problem: ProblemDetails): APIGatewayProxyStructuredResultV2 {
  const words = wordsFor(problem);
  const retry = words.retry ? '<a class="button" href="">Try again</a>' : '';
  const body = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(words.title)}</title>
<style>${STYLE}</style>
</head><body><main><div class="card" role="alert">
<h1>${escapeHtml(words.title)}</h1>
<div class="next"><strong>What to do now</strong>${escapeHtml(words.next)}</div>
<p>${escapeHtml(words.happened)}</p>${retry}
<p class="code">Error ${problem.status}${typeof problem.trace_id === 'string' ? `, reference ${escapeHtml(problem.trace_id)}` : ''}</p>
</div></main></body></html>`;
  return {
    statusCode: problem.status,
    headers: {
      'content-type': 'text/html; charset=utf-8',
      'cache-control': 'no-store',
      'referrer-policy': 'no-referrer',
      'content-security-policy': "default-src 'none'; style-src 'unsafe-inline'",
    },
    body,
  };
}
