/**
 * `@signupplus/local/parts`: pieces of the stack started on their own, for the few product tests
 * that need one service and not the whole stack (the repository against a bare DynamoDB, the
 * product's TrueLayer clients against the simulator alone, a consumer function loaded as Lambda
 * would, the simulator's own check of a Data v3 connection request, which the product's check is
 * compared with). Anything else goes through `startLocalStack()` from the package's main entry.
 */
export {
  LOCAL_TABLES,
  type LocalDynamoDb,
  type LocalDynamoDbOptions,
  startLocalDynamoDb,
} from './dynamodb.ts';
export { type LocalFunction, loadLocalFunction } from './lambda-runtime.ts';
export { startSim, userToken } from './test/fixtures/truelayer-sim/helpers.ts';
export { validateDataConnectionRequest } from './truelayer-sim/data-v3/index.ts';
export {
  type SimulatorOptions,
  startTrueLayerSimulator,
  type TrueLayerSimulator,
} from './truelayer-sim/index.ts';
export { type RandomSource, seededRandom } from './truelayer-sim/rng.ts';
