/**
 * The journeys the product runs (docs/flows.md). A module of its own, with no
 * dependencies, so that whatever counts or routes by flow (the metrics'
 * vocabulary, the alarms) derives from this one list at no cost.
 *
 * `POST /onboardings` starts the first three. The `connection` flow is
 * started by `POST /connections` with `signup_plus: true`: a Data v3
 * connection whose authorised account Signup+ then reads.
 */
export const onboardingFlows = ['data', 'payment', 'mandate', 'connection'] as const;
export type OnboardingFlow = (typeof onboardingFlows)[number];

/** The flows `POST /onboardings` takes in its `flow`. */
export const requestableFlows = ['data', 'payment', 'mandate'] as const satisfies readonly OnboardingFlow[];
