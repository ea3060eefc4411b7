/**
 * `@signupplus/local`: the one door from the product's tests and scripts into the harness.
 *
 * Everything a caller needs to start the stack and to speak its documented automation interfaces
 * (`/_local/urls`, `/_local/events`, `/_local/aws-faults`, the simulator's `/_sandbox/*` routes and
 * fault rules, the `SANDBOX_USERS` file format) is exported here; the modules behind it are the
 * harness's own business and may change shape freely.
 */

export type { AwsFaultKind, AwsFaultRule, AwsFaultRuleState, AwsFaultService } from './aws-faults.ts';
export {
  DYNAMODB_ENGINE_VARIABLE,
  DYNAMODB_ENGINES,
  type DynamoDbEngine,
  dynamoDbEngineFromEnv,
} from './dynamodb.ts';
export type { DeliveredEvent } from './eventbridge.ts';
export {
  LOCAL_ACCOUNT,
  LOCAL_REGION,
  type LocalAwsFaults,
  type LocalStack,
  type LocalStackOptions,
  type LocalTrueLayerClient,
  type LocalUrls,
  startLocalStack,
} from './stack.ts';
export type { FaultRule as TrueLayerFaultRule } from './truelayer-sim/faults.ts';
export {
  parseSwitches,
  SWITCHES_ENV,
  type Switches,
  type SwitchesInput,
  SwitchesSchema,
} from './truelayer-sim/switches.ts';
export {
  BUILT_IN_USERS_PATH,
  loadSandboxUsers,
  type SandboxAccount,
  type SandboxIdentity,
  type SandboxUser,
} from './truelayer-sim/users.ts';
