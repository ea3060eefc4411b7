/** What the simulator's check of a `POST /v3/data-connections` body answers (see validate.ts). */

/** The five journeys TrueLayer documents, named as the product names them. */
export type SimConfiguration =
  | 'hosted_flow'
  | 'own_provider_selection'
  | 'own_provider_selection_and_consent'
  | 'own_flow_with_result_page'
  | 'fully_custom';

export interface SimFilter {
  countries?: string[];
  release_channel?: string;
  customer_segments?: string[];
  provider_ids?: string[];
  excludes?: string[];
}

/** A request that passed every rule, reduced to what the simulator acts on. */
export interface AcceptedRequest {
  configuration: SimConfiguration;
  scopes: string[];
  selection: { type: 'preselected'; providerId: string } | { type: 'user_selected'; filter: SimFilter };
  consent: 'precaptured' | 'authorization_flow_captured';
  hostedPageType?: 'result_page' | 'authorization_flow';
  /** Where the user goes at the end: hosted_page.return_uri or authorization_flow.redirect.return_uri. */
  returnUri?: string;
  returnUriField?: string;
  userId?: string;
  dataAccessType: 'one_time' | 'recurring';
}

export type Verdict =
  | { ok: true; request: AcceptedRequest }
  | { ok: false; errors: Record<string, string[]> };

export interface RuleOptions {
  /** The client holds an AISP licence: name, email and phone may be left out. */
  aispLicensed: boolean;
}
