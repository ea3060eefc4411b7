import * as z from 'zod/mini';

/**
 * The five ways TrueLayer documents to split the authorisation journey between
 * its screens and the integrator's (seed 003). A request is one of them or it is
 * refused: TrueLayer supports no other combination.
 */
export const connectionConfigurations = [
  'hosted_flow',
  'own_provider_selection',
  'own_provider_selection_and_consent',
  'own_flow_with_result_page',
  'fully_custom',
] as const;
export const connectionConfigurationSchema = z.enum(connectionConfigurations);
export type ConnectionConfiguration = z.infer<typeof connectionConfigurationSchema>;

/** The fields that decide the configuration, as the request carries them. */
export interface ConfigurationShape {
  provider_selection: 'preselected' | 'user_selected';
  user_consent: 'precaptured' | 'authorization_flow_captured';
  hosted_page: 'authorization_flow' | 'result_page' | 'none';
  authorization_flow: boolean;
}

export interface ConfigurationDescription extends ConfigurationShape {
  configuration: ConnectionConfiguration;
  summary: string;
  /** Which field of TrueLayer's answer says where the user goes next. */
  next: 'hosted_page.uri' | 'authorization_flow.actions.next.uri';
}

export const CONFIGURATIONS: readonly ConfigurationDescription[] = [
  {
    configuration: 'hosted_flow',
    summary: 'TrueLayer hosts everything: bank selection, consent, bank redirect and result.',
    provider_selection: 'user_selected',
    user_consent: 'authorization_flow_captured',
    hosted_page: 'authorization_flow',
    authorization_flow: false,
    next: 'hosted_page.uri',
  },
  {
    configuration: 'own_provider_selection',
    summary: 'You pick the bank; TrueLayer hosts consent, bank redirect and result.',
    provider_selection: 'preselected',
    user_consent: 'authorization_flow_captured',
    hosted_page: 'authorization_flow',
    authorization_flow: false,
    next: 'hosted_page.uri',
  },
  {
    configuration: 'own_provider_selection_and_consent',
    summary: 'You pick the bank and capture consent; TrueLayer hosts QR handoff, bank redirect and result.',
    provider_selection: 'preselected',
    user_consent: 'precaptured',
    hosted_page: 'authorization_flow',
    authorization_flow: false,
    next: 'hosted_page.uri',
  },
  {
    configuration: 'own_flow_with_result_page',
    summary: 'You run the whole journey; TrueLayer only shows the result page.',
    provider_selection: 'preselected',
    user_consent: 'precaptured',
    hosted_page: 'result_page',
    authorization_flow: false,
    next: 'authorization_flow.actions.next.uri',
  },
  {
    configuration: 'fully_custom',
    summary: 'You run the whole journey with no TrueLayer screen (regulated clients).',
    provider_selection: 'preselected',
    user_consent: 'precaptured',
    hosted_page: 'none',
    authorization_flow: true,
    next: 'authorization_flow.actions.next.uri',
  },
];

const sameShape = (a: ConfigurationShape, b: ConfigurationShape) =>
  a.provider_selection === b.provider_selection &&
  a.user_consent === b.user_consent &&
  a.hosted_page === b.hosted_page &&
  a.authorization_flow === b.authorization_flow;

/** The configuration a request's shape stands for, or undefined when it is none of the five. */
export function classifyConfiguration(shape: ConfigurationShape): ConfigurationDescription | undefined {
  return CONFIGURATIONS.find((candidate) => sameShape(candidate, shape));
}

/** One line per configuration, for the problem that refuses any other combination. */
export function describeShape(shape: ConfigurationShape): string {
  return [
    `provider_selection.type=${shape.provider_selection}`,
    `user_consent.type=${shape.user_consent}`,
    shape.hosted_page === 'none' ? 'no hosted_page' : `hosted_page.type=${shape.hosted_page}`,
    shape.authorization_flow ? 'with authorization_flow' : 'no authorization_flow',
  ].join(', ');
}
