/**
 * `npm run load`: the full journey load run (500 journeys unless LOAD_JOURNEYS says otherwise)
 * against one local stack, printing the reconciled counts and the throughput. Exits 1 when any
 * journey is lost, doubled or left unfinished. Options: see docs/reliability-load.md.
 */

import {
  formatLoadReport,
  loadOptionsFromEnv,
  reconcile,
  runJourneyLoad,
} from '../bench/lib/journey-load.ts';
import { dynamoDbEngineFromEnv } from '../local/dynamodb.ts';
import { startLocalStack } from '../local/stack.ts';

const options = loadOptionsFromEnv(500);
const engine = dynamoDbEngineFromEnv();
console.log(
  `Starting the local stack (DynamoDB: ${engine}) for ${options.journeys} journeys, ${options.concurrency} in flight...`,
);
const stack = await startLocalStack({ logLevel: 'SILENT', retryIntervalMs: 1 });
let clean = false;
try {
  const run = await runJourneyLoad(stack, options);
  const counts = await reconcile(stack, run);
  console.log(formatLoadReport(run, counts, engine));
  clean = counts.problems.length === 0;
} finally {
  await stack.close();
}
process.exitCode = clean ? 0 : 1;
