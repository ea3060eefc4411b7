/**
 * The journeys `POST /onboardings` can start (docs/flows.md). A module of its
 * own, with no dependencies, so that whatever counts or routes by flow (the
 * metrics' vocabulary, the alarms) derives from this one list at no cost.
 */
export const onboardingFlows = ['data', 'payment', 'mandate'] as const;
export type OnboardingFlow = (typeof onboardingFlows)[number];
