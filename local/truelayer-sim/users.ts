import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';

/** Postal address as Signup+ returns it (UK and Finnish shapes both fit). */
export const SandboxAddressSchema = z.strictObject({
  address_line1: z.string().min(1),
  address_line2: z.string().min(1).optional(),
  city: z.string().min(1),
  state: z.string().min(1).optional(),
  zip: z.string().min(1),
  country: z.string().regex(/^[A-Z]{2}$/, 'expected an ISO 3166-1 alpha-2 code such as "GB"'),
});

/** Personal data shared by every account of a sandbox user. */
export const SandboxIdentitySchema = z.strictObject({
  title: z.string().min(1).optional(),
  first_name: z.string().min(1),
  last_name: z.string().min(1),
  date_of_birth: z.iso.date(),
  address: SandboxAddressSchema,
  national_identification_number: z.string().min(1).optional(),
  sex: z.enum(['M', 'F']).optional(),
});

/** One bank account of a sandbox user. */
export const SandboxAccountSchema = z.strictObject({
  account_id: z.string().min(1),
  display_name: z.string().min(1),
  account_type: z.string().min(1),
  currency: z.string().regex(/^[A-Z]{3}$/, 'expected an ISO 4217 code such as "GBP"'),
  account_number: z
    .string()
    .regex(/^\d{8}$/, 'expected 8 digits')
    .optional(),
  sort_code: z
    .string()
    .regex(/^\d{2}-\d{2}-\d{2}$/, 'expected NN-NN-NN')
    .optional(),
  iban: z
    .string()
    .regex(/^[A-Z]{2}\d{2}[A-Z0-9]{10,30}$/, 'expected an IBAN without spaces')
    .optional(),
  provider_id: z.string().min(1),
});

/** A problem that every Signup+ call for the user answers with. */
export const SignupPlusErrorSchema = z.strictObject({
  status: z.int().min(400).max(599),
  title: z.string().min(1),
  detail: z.string().min(1),
  /** Full problem type URI; by default TrueLayer's signup-errors page anchored at the slugged title. */
  type: z.url().optional(),
});

/**
 * An answer served verbatim, as the raw-answer interface promises (README.md here): any status, headers and
 * JSON body, never validated. A `content-encoding: gzip` header makes the
 * simulator gzip the body; without a content-type header it is sent as
 * `application/json`.
 */
export const RawAnswerSchema = z.strictObject({
  status: z.int().min(100).max(599),
  headers: z.record(z.string(), z.string()).optional(),
  body: z.unknown(),
});

/** One sandbox user: bank login name, identity, accounts and optional failure modes. */
export const SandboxUserSchema = z
  .strictObject({
    username: z.string().min(1),
    /** The password the interactive bank login asks for; `doe` when absent (TrueLayer's Mock bank: john/doe). */
    password: z.string().min(1).optional(),
    /** Short text shown next to the user on the bank login page. */
    description: z.string().min(1).optional(),
    /** Needed to answer from the accounts; a user answering only raw answers or errors may leave it out. */
    identity: SandboxIdentitySchema.optional(),
    accounts: z.array(SandboxAccountSchema).default([]),
    signup_plus_error: SignupPlusErrorSchema.optional(),
    /** `GET /signup-plus/accounts` without `account_id` answers this, verbatim. */
    signup_plus: RawAnswerSchema.optional(),
    /** `GET /signup-plus/accounts?account_id=<key>` answers this, verbatim. */
    signup_plus_by_account: z.record(z.string().min(1), RawAnswerSchema).optional(),
    login_fails: z.boolean().optional(),
  })
  .superRefine((user, ctx) => {
    // A user who can log in and has no error or raw answer configured must have something to return.
    const answers =
      user.signup_plus_error !== undefined || user.signup_plus !== undefined || user.login_fails === true;
    if (user.accounts.length === 0 && !answers) {
      ctx.addIssue({
        code: 'custom',
        path: ['accounts'],
        message: 'needs at least one account unless signup_plus, signup_plus_error or login_fails is set',
      });
    }
    if (user.accounts.length > 0 && user.identity === undefined) {
      ctx.addIssue({
        code: 'custom',
        path: ['identity'],
        message: 'is required when the user has accounts (their answers are built from it)',
      });
    }
  });

/** The users file: `{ "users": [ ... ] }`. */
export const SandboxUsersFileSchema = z
  .strictObject({ users: z.array(SandboxUserSchema).min(1) })
  .superRefine((file, ctx) => {
    // Usernames pick the user at login and account ids are global lookup keys: both must be unique.
    const names = new Set<string>();
    const accountIds = new Set<string>();
    file.users.forEach((user, i) => {
      if (names.has(user.username)) {
        ctx.addIssue({
          code: 'custom',
          path: ['users', i, 'username'],
          message: `duplicate username "${user.username}"`,
        });
      }
      names.add(user.username);
      user.accounts.forEach((account, j) => {
        if (accountIds.has(account.account_id)) {
          ctx.addIssue({
            code: 'custom',
            path: ['users', i, 'accounts', j, 'account_id'],
            message: `duplicate account_id "${account.account_id}"`,
          });
        }
        accountIds.add(account.account_id);
      });
    });
  });

export type SandboxAddress = z.infer<typeof SandboxAddressSchema>;
export type SandboxIdentity = z.infer<typeof SandboxIdentitySchema>;
export type SandboxAccount = z.infer<typeof SandboxAccountSchema>;
export type SignupPlusError = z.infer<typeof SignupPlusErrorSchema>;
export type RawAnswer = z.infer<typeof RawAnswerSchema>;
export type SandboxUser = z.infer<typeof SandboxUserSchema>;

/** Thrown when a users file cannot be read, is not JSON, or breaks the schema. */
export class SandboxUsersFileError extends Error {
  override name = 'SandboxUsersFileError';
}

/**
 * Validates already-parsed users data (the content of a users file).
 * @param source - named in error messages, e.g. the file path.
 * @throws SandboxUsersFileError listing every problem with its JSON path.
 */
export function parseSandboxUsers(data: unknown, source: string): SandboxUser[] {
  const result = SandboxUsersFileSchema.safeParse(data);
  if (!result.success) {
    const lines = result.error.issues.map((issue) => {
      const where = issue.path.length === 0 ? '(root)' : formatPath(issue.path);
      return `  - ${where}: ${issue.message}`;
    });
    throw new SandboxUsersFileError(`Sandbox users file ${source} is invalid:\n${lines.join('\n')}`);
  }
  return result.data.users;
}

/**
 * Reads and validates a sandbox users JSON file.
 * @throws SandboxUsersFileError with the path and every problem found.
 */
export function loadSandboxUsers(path: string): SandboxUser[] {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    throw new SandboxUsersFileError(`Sandbox users file ${path} cannot be read: ${errorMessage(error)}`);
  }
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (error) {
    throw new SandboxUsersFileError(`Sandbox users file ${path} is not valid JSON: ${errorMessage(error)}`);
  }
  return parseSandboxUsers(data, path);
}

/** Path of the users file shipped with the simulator. */
export const BUILT_IN_USERS_PATH = fileURLToPath(new URL('./users.json', import.meta.url));

/** The built-in sandbox users (john, jane, and TrueLayer's and Signup+'s error users). */
export function builtInUsers(): SandboxUser[] {
  return loadSandboxUsers(BUILT_IN_USERS_PATH);
}

function formatPath(path: readonly PropertyKey[]): string {
  return path
    .map((part, i) => (typeof part === 'number' ? `[${part}]` : `${i === 0 ? '' : '.'}${String(part)}`))
    .join('');
}

function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
