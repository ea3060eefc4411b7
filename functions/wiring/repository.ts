import * as z from 'zod/mini';
import { documentClient } from '../commons/clients/dynamodb.ts';
import { readEnv } from '../commons/env.ts';
import { OnboardingRepository } from '../onboarding/repository.ts';

const { TABLE_NAME } = readEnv(z.object({ TABLE_NAME: z.string().check(z.minLength(1)) }));

/** The onboarding table, configured once per execution environment. */
export const repository = new OnboardingRepository(documentClient, TABLE_NAME);
export const now = () => new Date();
