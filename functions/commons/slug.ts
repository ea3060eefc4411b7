/**
 * Text as a lower-case slug: every run of characters other than a-z and 0-9
 * becomes one `separator`, none at either end. `Onboarding Ready For Payment`
 * → `onboarding-ready-for-payment`; with `_`, `Joint Accounts Not Supported`
 * → `joint_accounts_not_supported`.
 */
export function slug(text: string, separator: '-' | '_' = '-'): string {
  return text
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, separator)
    .replace(separator === '-' ? /^-|-$/g : /^_|_$/g, '');
}
