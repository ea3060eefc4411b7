import { ConditionalCheckFailedException, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { describe, expect, it } from 'vitest';
import { OnboardingStatusConflictError } from '../../functions/onboarding/errors.ts';
import { OnboardingRepository, type TransitionRequest } from '../../functions/onboarding/repository.ts';
import { ONBOARDING_ID, onboardingIn } from './fakes/onboarding.ts';

/**
 * A table of one item behind a real document client: a middleware at the
 * front of the stack answers UpdateItem as a lost answer would look (the
 * write took effect, then the resend failed its condition) and GetItem with
 * the item. Nothing leaves the process.
 */
function lostAnswers(options: { writeTakesEffect: boolean }) {
  const item: Record<string, unknown> = {
    pk: `ONBOARDING#${ONBOARDING_ID}`,
    sk: 'PROFILE',
    ...onboardingIn('authorized'),
  };
  const client = DynamoDBDocumentClient.from(
    new DynamoDBClient({
      region: 'eu-west-2',
      credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
    }),
  );
  client.middlewareStack.add(
    (_next, context) => async (args) => {
      const { input } = args;
      if (typeof input !== 'object' || input === null) throw new Error('no input');
      if (context.commandName === 'UpdateItemCommand' && 'ExpressionAttributeValues' in input) {
        const values = input.ExpressionAttributeValues;
        if (
          options.writeTakesEffect &&
          typeof values === 'object' &&
          values !== null &&
          ':write_id' in values
        ) {
          item.write_id = values[':write_id'];
          if (':to' in values) item.status = values[':to'];
        }
        throw new ConditionalCheckFailedException({
          message: 'The conditional request failed',
          $metadata: {},
        });
      }
      if (context.commandName === 'GetItemCommand')
        return { output: { $metadata: {}, Item: structuredClone(item) }, response: {} };
      throw new Error(`unexpected ${context.commandName}`);
    },
    { step: 'initialize', priority: 'high', name: 'lostAnswers' },
  );
  return new OnboardingRepository(client, { records: 'records' }, { stallSeconds: 120 });
}

const toChosen: TransitionRequest = {
  from: ['authorized'],
  to: 'account_chosen',
  now: new Date('2026-03-01T10:01:00Z'),
};

describe('OnboardingRepository.transition', () => {
  it('recognises its own write by write_id when the answer was lost and the resend failed its condition', async () => {
    const repository = lostAnswers({ writeTakesEffect: true });

    const moved = await repository.transition(ONBOARDING_ID, toChosen);

    expect(moved.status).toBe('account_chosen');
  });

  it('reports a conflict when the record moved on by another write', async () => {
    const repository = lostAnswers({ writeTakesEffect: false });

    const moving = repository.transition(ONBOARDING_ID, toChosen);

    await expect(moving).rejects.toBeInstanceOf(OnboardingStatusConflictError);
    await expect(moving).rejects.toMatchObject({ currentStatus: 'authorized' });
  });
});
