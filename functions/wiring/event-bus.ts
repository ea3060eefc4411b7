import * as z from 'zod/mini';
import { readEnv } from '../commons/env.ts';

/** The product's custom bus, named once per execution environment. */
export const { EVENT_BUS_NAME } = readEnv(z.object({ EVENT_BUS_NAME: z.string().check(z.minLength(1)) }));
