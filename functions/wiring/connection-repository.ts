import * as z from 'zod/mini';
import { documentClient } from '../commons/clients/dynamodb.ts';
import { readEnv } from '../commons/env.ts';
import { ConnectionRepository } from '../connections/repository.ts';

export const { TABLE_NAME } = readEnv(z.object({ TABLE_NAME: z.string().check(z.minLength(1)) }));

/** The connections in the onboarding table, configured once per execution environment. */
export const connectionRepository = new ConnectionRepository(documentClient, TABLE_NAME);
