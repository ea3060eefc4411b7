export interface AuthLinkParameters {
  authBaseUrl: string;
  clientId: string;
  redirectUri: string;
  scopes: readonly string[];
  providers: readonly string[];
  state: string;
  /** PKCE S256 challenge of the journey's verifier. */
  codeChallenge: string;
  /** Skips the bank list; must also be covered by `providers`. */
  providerId?: string;
}

/**
 * The TrueLayer auth dialog link. Scopes and providers are space-separated and
 * encoded as %20, as TrueLayer's own link builder writes them.
 */
export function buildAuthLink(parameters: AuthLinkParameters): string {
  const query: Array<[string, string]> = [
    ['response_type', 'code'],
    ['client_id', parameters.clientId],
    ['scope', parameters.scopes.join(' ')],
    ['redirect_uri', parameters.redirectUri],
    ['providers', parameters.providers.join(' ')],
    ['state', parameters.state],
    ['code_challenge', parameters.codeChallenge],
    ['code_challenge_method', 'S256'],
  ];
  if (parameters.providerId) query.push(['provider_id', parameters.providerId]);
  const encoded = query.map(([key, value]) => `${key}=${encodeURIComponent(value)}`).join('&');
  return `${parameters.authBaseUrl}/?${encoded}`;
}
