import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';

/** What an approved auth link turns into: one authorization code. */
export interface CodeGrantInput {
  clientId: string;
  redirectUri: string;
  username: string;
  providerId: string;
  scopes: readonly string[];
  /** S256 PKCE challenge from the link, when the client used PKCE. */
  codeChallenge?: string;
}

/** Server-side facts behind an access token. */
export interface AccessTokenRecord {
  clientId: string;
  /** Absent for client_credentials tokens. */
  username?: string;
  providerId?: string;
  scopes: readonly string[];
  expiresAt: number;
}

/** Successful token endpoint body. */
export interface TokenResponseBody {
  access_token: string;
  expires_in: number;
  token_type: 'Bearer';
  scope: string;
  refresh_token?: string;
}

/** Outcome of a grant: the token body, or an RFC 6749 §5.2 error. */
export type GrantResult =
  | { ok: true; body: TokenResponseBody }
  | { ok: false; error: 'invalid_grant'; description: string };

/** Outcome of looking up a bearer token. */
export type AccessTokenLookup =
  | { ok: true; token: AccessTokenRecord }
  | { ok: false; reason: 'unknown' | 'expired' | 'revoked' };

/** Lifetimes in seconds. */
export interface GrantSettings {
  codeTtlSeconds: number;
  accessTokenTtlSeconds: number;
}

interface CodeState extends CodeGrantInput {
  expiresAt: number;
  used: boolean;
  grantId: string;
}

interface AccessState extends AccessTokenRecord {
  revoked: boolean;
}

interface RefreshState {
  clientId: string;
  username: string;
  providerId: string;
  scopes: readonly string[];
  grantId: string;
  used: boolean;
}

/** Every token minted from one code, so a replayed code or refresh token can revoke them together. */
interface GrantFamily {
  accessTokens: string[];
  refreshTokens: string[];
  revoked: boolean;
}

/** 32 random bytes, base64url: opaque and unguessable. */
function opaqueToken(): string {
  return randomBytes(32).toString('base64url');
}

/** RFC 7636 S256: BASE64URL(SHA256(verifier)), compared in constant time. */
function pkceMatches(challenge: string, verifier: string): boolean {
  const computed = Buffer.from(createHash('sha256').update(verifier).digest('base64url'));
  const expected = Buffer.from(challenge);
  return computed.length === expected.length && timingSafeEqual(computed, expected);
}

const SWEEP_EVERY = 1024;

/** Authorization codes, access and refresh tokens, all held in memory. */
export class GrantStore {
  readonly #now: () => number;
  readonly #settings: GrantSettings;
  readonly #codes = new Map<string, CodeState>();
  readonly #access = new Map<string, AccessState>();
  readonly #refresh = new Map<string, RefreshState>();
  readonly #families = new Map<string, GrantFamily>();
  #issued = 0;
  /** Every secret value ever minted, kept past expiry so leak checks can look for all of them. */
  readonly #minted: string[] = [];

  constructor(now: () => number, settings: GrantSettings) {
    this.#now = now;
    this.#settings = settings;
  }

  /** Mints a single-use authorization code. */
  issueCode(input: CodeGrantInput): string {
    this.#maybeSweep();
    const code = this.#remember(opaqueToken());
    this.#codes.set(code, {
      ...input,
      scopes: [...input.scopes],
      expiresAt: this.#now() + this.#settings.codeTtlSeconds * 1000,
      used: false,
      grantId: opaqueToken(),
    });
    return code;
  }

  /** The authorization_code grant (RFC 6749 §4.1.3, RFC 7636 §4.6). */
  exchangeCode(params: {
    clientId: string;
    code: string;
    redirectUri: string;
    codeVerifier?: string;
  }): GrantResult {
    const state = this.#codes.get(params.code);
    if (state === undefined) return invalidGrant('The authorization code is unknown');
    if (state.used) {
      // A replayed code suggests it leaked: revoke everything issued from it (RFC 6749 §4.1.2).
      this.#revokeFamily(state.grantId);
      return invalidGrant('The authorization code has already been used; tokens issued from it are revoked');
    }
    if (this.#now() >= state.expiresAt) return invalidGrant('The authorization code has expired');
    if (state.clientId !== params.clientId) {
      return invalidGrant('The authorization code was issued to another client');
    }
    if (state.redirectUri !== params.redirectUri) {
      return invalidGrant('redirect_uri does not match the one in the auth link');
    }
    if (state.codeChallenge !== undefined) {
      if (params.codeVerifier === undefined) return invalidGrant('code_verifier is required (PKCE)');
      if (!pkceMatches(state.codeChallenge, params.codeVerifier)) {
        return invalidGrant('code_verifier does not match the code_challenge');
      }
    } else if (params.codeVerifier !== undefined) {
      // RFC 9700 §2.1.1: a verifier without a challenge hints at a PKCE downgrade attempt.
      return invalidGrant('code_verifier given but the auth link had no code_challenge');
    }
    state.used = true;
    this.#families.set(state.grantId, { accessTokens: [], refreshTokens: [], revoked: false });
    return {
      ok: true,
      body: this.#mintUserTokens(state.grantId, state),
    };
  }

  /** The refresh_token grant, rotating the refresh token on every use. */
  refresh(params: { clientId: string; refreshToken: string }): GrantResult {
    const state = this.#refresh.get(params.refreshToken);
    if (state === undefined) return invalidGrant('The refresh token is unknown');
    const family = this.#families.get(state.grantId);
    if (family === undefined || family.revoked) return invalidGrant('The refresh token has been revoked');
    if (state.clientId !== params.clientId)
      return invalidGrant('The refresh token was issued to another client');
    if (state.used) {
      // Reuse of a rotated refresh token: treat as stolen and end the whole grant (RFC 9700 §4.14.2).
      this.#revokeFamily(state.grantId);
      return invalidGrant('The refresh token has already been used; the grant is revoked');
    }
    state.used = true;
    // After a refresh only the newest access token stays valid, as TrueLayer documents.
    for (const token of family.accessTokens) {
      const access = this.#access.get(token);
      if (access !== undefined) access.revoked = true;
    }
    return {
      ok: true,
      body: this.#mintUserTokens(state.grantId, state),
    };
  }

  /** The client_credentials grant: a token bound to the client only. */
  clientCredentials(params: { clientId: string; scopes: readonly string[] }): GrantResult {
    const token = this.#mintAccess({ clientId: params.clientId, scopes: [...params.scopes] });
    return { ok: true, body: this.#body(token, params.scopes) };
  }

  /** Resolves a bearer token to its record, telling unknown, expired and revoked apart. */
  lookupAccessToken(token: string): AccessTokenLookup {
    const state = this.#access.get(token);
    if (state === undefined) return { ok: false, reason: 'unknown' };
    if (state.revoked) return { ok: false, reason: 'revoked' };
    if (this.#now() >= state.expiresAt) return { ok: false, reason: 'expired' };
    const { revoked: _revoked, ...record } = state;
    return { ok: true, token: record };
  }

  #mintUserTokens(
    grantId: string,
    grant: { clientId: string; username: string; providerId: string; scopes: readonly string[] },
  ): TokenResponseBody {
    // Only who the tokens are for is carried over, never the code's or refresh token's own state.
    const owner = {
      clientId: grant.clientId,
      username: grant.username,
      providerId: grant.providerId,
      scopes: grant.scopes,
    };
    const family = this.#families.get(grantId);
    const token = this.#mintAccess({ ...owner, scopes: [...owner.scopes] });
    family?.accessTokens.push(token);
    const body = this.#body(token, owner.scopes);
    // Refresh tokens only for offline_access, as TrueLayer's token reference says.
    if (owner.scopes.includes('offline_access')) {
      const refreshToken = this.#remember(opaqueToken());
      this.#refresh.set(refreshToken, { ...owner, grantId, used: false });
      family?.refreshTokens.push(refreshToken);
      body.refresh_token = refreshToken;
    }
    return body;
  }

  #mintAccess(record: Omit<AccessTokenRecord, 'expiresAt'>): string {
    this.#maybeSweep();
    const token = this.#remember(opaqueToken());
    this.#access.set(token, {
      ...record,
      expiresAt: this.#now() + this.#settings.accessTokenTtlSeconds * 1000,
      revoked: false,
    });
    return token;
  }

  #remember(value: string): string {
    this.#minted.push(value);
    return value;
  }

  /** Every code, access token and refresh token issued so far (for tests that scan for leaks). */
  mintedSecrets(): readonly string[] {
    return this.#minted;
  }

  #body(token: string, scopes: readonly string[]): TokenResponseBody {
    return {
      access_token: token,
      expires_in: this.#settings.accessTokenTtlSeconds,
      token_type: 'Bearer',
      scope: scopes.join(' '),
    };
  }

  #revokeFamily(grantId: string): void {
    const family = this.#families.get(grantId);
    if (family === undefined) return;
    family.revoked = true;
    for (const token of family.accessTokens) {
      const access = this.#access.get(token);
      if (access !== undefined) access.revoked = true;
    }
  }

  /** Drops expired codes and access tokens now and then, so long benchmarks do not grow memory. */
  #maybeSweep(): void {
    this.#issued += 1;
    if (this.#issued % SWEEP_EVERY !== 0) return;
    const now = this.#now();
    for (const [code, state] of this.#codes) if (now >= state.expiresAt) this.#codes.delete(code);
    for (const [token, state] of this.#access) if (now >= state.expiresAt) this.#access.delete(token);
  }
}

function invalidGrant(description: string): GrantResult {
  return { ok: false, error: 'invalid_grant', description };
}
