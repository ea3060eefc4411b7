/**
 * The error names statemachines/onboarding.asl.json matches in its Retry and
 * Catch rules, declared once. The functions that throw these errors take their
 * names from here, and test/unit/asl-contract.test.ts checks that the ASL
 * matches exactly these (besides the `States.*`, `Lambda.*` and `Sandbox.*`
 * names the services raise themselves). The names survive minification: each
 * error class sets `name` from this table, never from its class name.
 */
export const WorkflowErrorNames = {
  /** Retry: an AWS call failed in a way worth retrying and the SDK's own retries ran out. */
  transientAws: 'TransientAwsError',
  /** Retry, then FailOnboarding with `truelayer_unavailable`: TrueLayer or the bank is briefly unavailable. */
  trueLayerUnavailable: 'TrueLayerUnavailableError',
  /** Catch on the wait: the user's choice was recorded before the workflow began to wait for it. */
  accountAlreadyChosen: 'AccountAlreadyChosenError',
  /** Catch on the wait: the journey ended (expired, erased) while the workflow got ready to wait. */
  journeyEnded: 'JourneyEndedError',
} as const;

export type WorkflowErrorName = (typeof WorkflowErrorNames)[keyof typeof WorkflowErrorNames];
