import * as z from 'zod/mini';
import { readEnv } from '../commons/env.ts';
import { journeySettingsSchema } from '../commons/journey-settings.ts';
import { returnUriProblem } from './request.ts';

const publicUrl = z.string().check(
  z.superRefine((value, ctx) => {
    const problem = returnUriProblem(value);
    if (problem) ctx.addIssue({ code: 'custom', message: problem });
  }),
);

const settingsSchema = z.extend(journeySettingsSchema, {
  /** The product's public `GET /connections/return` URL, registered with TrueLayer like the redirect URI. */
  CONNECTION_RETURN_URL: publicUrl,
  /** `true` when the TrueLayer client holds an AISP licence: the user's name, email and phone become optional. */
  TRUELAYER_AISP_LICENSED: z.pipe(
    z._default(z.enum(['true', 'false']), 'false'),
    z.transform((value) => value === 'true'),
  ),
});

export interface ConnectionSettings {
  returnUrl: string;
  aispLicensed: boolean;
  retentionDays: number;
  linkTtlSeconds: number;
}

export function readConnectionSettings(env: NodeJS.ProcessEnv = process.env): ConnectionSettings {
  const config = readEnv(settingsSchema, env);
  return {
    returnUrl: config.CONNECTION_RETURN_URL,
    aispLicensed: config.TRUELAYER_AISP_LICENSED,
    retentionDays: config.RECORD_RETENTION_DAYS,
    linkTtlSeconds: config.AUTH_LINK_TTL_SECONDS,
  };
}
