import * as z from 'zod/mini';
import { documentClient } from '../commons/clients/dynamodb.ts';
import { readEnv } from '../commons/env.ts';
import { tableSettingsSchema } from '../commons/journey-settings.ts';
import { ConnectionRepository } from '../connections/repository.ts';

export const { TABLE_NAME } = readEnv(z.pick(tableSettingsSchema, { TABLE_NAME: true }));

/** The connections in the onboarding table, configured once per execution environment. */
export const connectionRepository = new ConnectionRepository(documentClient, TABLE_NAME);
