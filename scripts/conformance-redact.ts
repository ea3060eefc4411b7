/**
 * Redaction for the conformance run's fixtures: what TrueLayer answered,
 * kept in its shape (keys, order, types, `null`, `""`, absent keys, formats)
 * and stripped of everything that identifies a person, a grant or a
 * connection. Secrets and identifiers seen during the run are also replaced
 * wherever they turn up (inside URIs, say), and a fixture that still contains
 * one is refused rather than written.
 */

/** Keys whose string values are personal data or secrets, and how a placeholder keeps their format. */
const PLACEHOLDERS: Readonly<Record<string, (value: string) => string>> = {
  title: () => 'Mx',
  first_name: () => 'Redacted',
  last_name: () => 'Person',
  full_name: () => 'Redacted Person',
  name: () => 'Redacted Person',
  /** Data v3 connected accounts: every holder of the account (D:get-all-user-accounts). */
  account_holder_names: () => 'Redacted Person',
  date_of_birth: (value) => (/^\d{4}-\d{2}-\d{2}/.test(value) ? `1970-01-01${value.slice(10)}` : 'redacted'),
  national_identification_number: () => 'REDACTED',
  sex: (value) => (/^[MF]$/.test(value) ? 'F' : 'redacted'),
  address_line1: () => '1 Redacted Street',
  address_line2: () => 'Redacted Building',
  address_line3: () => 'Redacted Area',
  city: () => 'Redacted City',
  state: () => 'Redacted County',
  zip: () => 'RE1 1AA',
  postal_code: () => 'RE1 1AA',
  email: () => 'redacted@example.com',
  display_name: () => 'REDACTED ACCOUNT NAME',
  phone: () => '+447700900000',
  account_number: (value) => value.replace(/\d/g, '0'),
  number: (value) => value.replace(/\d/g, '0'),
  sort_code: (value) => value.replace(/\d/g, '0'),
  iban: (value) =>
    /^[A-Z]{2}\d{2}/.test(value)
      ? `${value.slice(0, 2)}00${'0'.repeat(Math.max(0, value.length - 4))}`
      : 'REDACTED',
  access_token: () => '<redacted access token>',
  refresh_token: () => '<redacted refresh token>',
  code: () => '<redacted code>',
  client_secret: () => '<redacted client secret>',
  code_verifier: () => '<redacted code verifier>',
  trace_id: () => '<trace id>',
};

/** Identifiers, replaced consistently so that a fixture still says "the same account" where it did. */
const IDENTIFIER_KEYS: Readonly<Record<string, string>> = {
  account_id: 'account',
  connection_id: 'connection',
  id: 'id',
  user_id: 'user',
};

/** Keeps track of what was replaced, so that every later mention is replaced the same way. */
export class Redactor {
  readonly #replacements = new Map<string, string>();
  readonly #counters = new Map<string, number>();

  /** A secret or identifier to replace wherever it appears, e.g. the code from the redirect. */
  secret(value: string | undefined, placeholder: string): void {
    if (value === undefined || value.length < 4 || this.#replacements.has(value)) return;
    this.#replacements.set(value, placeholder);
  }

  /** The same placeholder for the same identifier: `acc-…` → `account-1`. */
  identifier(value: string, kind: string): string {
    const known = this.#replacements.get(value);
    if (known !== undefined) return known;
    const next = (this.#counters.get(kind) ?? 0) + 1;
    this.#counters.set(kind, next);
    const placeholder = `${kind}-${next}`;
    this.#replacements.set(value, placeholder);
    return placeholder;
  }

  /** Replaces every known secret or identifier inside a string (longest first, so parts do not clash). */
  scrub(text: string): string {
    let out = text;
    const known = [...this.#replacements.entries()].sort(([a], [b]) => b.length - a.length);
    for (const [value, placeholder] of known) out = out.split(value).join(placeholder);
    return out;
  }

  /**
   * A JSON value with its personal data, secrets and identifiers replaced, its
   * shape kept. Identifiers are learnt from the whole value first, so that one
   * named before its field (the `links` map's keys) is replaced too.
   */
  redact(value: unknown, key?: string): unknown {
    this.#replace(value, key);
    return this.#replace(value, key);
  }

  #replace(value: unknown, key?: string): unknown {
    if (value === null || value === undefined) return value;
    if (Array.isArray(value)) return value.map((item) => this.#replace(item, key));
    if (typeof value === 'object') {
      const out: Record<string, unknown> = {};
      for (const [name, item] of Object.entries(value)) {
        // Keys can be identifiers too (the `links` map of the multi-account answer).
        const redactedName = this.#replacements.has(name) ? this.scrub(name) : name;
        out[redactedName] = this.#replace(item, name);
      }
      return out;
    }
    if (typeof value !== 'string') return value;
    if (value === '' || key === undefined) return this.scrub(value);
    const identifierKind = IDENTIFIER_KEYS[key];
    if (identifierKind !== undefined) return this.identifier(value, identifierKind);
    const placeholder = PLACEHOLDERS[key];
    if (placeholder !== undefined) {
      const replaced = placeholder(value);
      if (value.length >= 4) this.#replacements.set(value, replaced);
      return replaced;
    }
    return this.scrub(value);
  }

  /** The values a written fixture must never contain. */
  forbidden(): string[] {
    return [...this.#replacements.keys()].filter((value) => value.length >= 4);
  }

  /**
   * Throws when a fixture still carries a secret, an identifier or personal
   * data seen during the run: nothing is written then.
   */
  assertClean(text: string, what: string): void {
    const leaked = this.forbidden().filter((value) => text.includes(value));
    if (leaked.length > 0) {
      throw new Error(`${what} would contain ${leaked.length} unredacted value(s); nothing was written`);
    }
  }
}

/** Response headers worth keeping in a fixture; correlation ids are kept as present, not as values. */
export function keptHeaders(headers: Readonly<Record<string, string | string[] | undefined>>) {
  const kept: Record<string, string> = {};
  for (const name of ['content-type', 'content-encoding', 'retry-after', 'www-authenticate']) {
    const value = headers[name];
    if (value !== undefined) kept[name] = Array.isArray(value) ? value.join(', ') : value;
  }
  for (const name of ['x-tl-correlation-id', 'tl-trace-id']) {
    if (headers[name] !== undefined) kept[name] = '<present>';
  }
  return kept;
}
