/** A bank the dialog can offer. */
export interface Provider {
  id: string;
  name: string;
  /** Data v3 and the Signup+ data flow are UK only (TrueLayer's Data API v3 and Signup+ documentation); Finland's Signup+ is a payments flow. */
  country: 'GB';
}

/** The banks the simulated dialog knows. Ids follow TrueLayer's style; the list is illustrative. */
export const PROVIDERS: readonly Provider[] = [
  { id: 'mock', name: 'Mock Bank', country: 'GB' },
  { id: 'ob-monzo', name: 'Monzo', country: 'GB' },
  { id: 'ob-barclays', name: 'Barclays', country: 'GB' },
  { id: 'ob-hsbc', name: 'HSBC', country: 'GB' },
  { id: 'ob-lloyds', name: 'Lloyds', country: 'GB' },
  { id: 'ob-natwest', name: 'NatWest', country: 'GB' },
  { id: 'ob-santander', name: 'Santander', country: 'GB' },
  { id: 'oauth-starling', name: 'Starling (OAuth)', country: 'GB' },
];

/** Group names accepted in the `providers` parameter and the banks each stands for. */
export const PROVIDER_GROUPS: Readonly<Record<string, readonly string[]>> = {
  'uk-cs-mock': ['mock'],
  'uk-ob-all': ['ob-monzo', 'ob-barclays', 'ob-hsbc', 'ob-lloyds', 'ob-natwest', 'ob-santander'],
  'uk-oauth-all': ['oauth-starling'],
};

/** Result of expanding a `providers` parameter. */
export type ProviderExpansion = { ok: true; providers: Provider[] } | { ok: false; unknown: string[] };

/**
 * Expands group names and single provider ids into the ordered, de-duplicated bank list.
 * Unknown entries are reported rather than ignored, so a typo in a link is caught early.
 */
export function expandProviders(entries: readonly string[]): ProviderExpansion {
  const byId = new Map(PROVIDERS.map((provider) => [provider.id, provider]));
  const unknown: string[] = [];
  const out = new Map<string, Provider>();
  for (const entry of entries) {
    const ids = PROVIDER_GROUPS[entry] ?? (byId.has(entry) ? [entry] : undefined);
    if (ids === undefined) {
      unknown.push(entry);
      continue;
    }
    for (const id of ids) {
      const provider = byId.get(id);
      if (provider !== undefined) out.set(id, provider);
    }
  }
  return unknown.length > 0 ? { ok: false, unknown } : { ok: true, providers: [...out.values()] };
}
