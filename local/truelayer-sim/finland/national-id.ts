/** The 31 check characters of a Finnish personal identity code, indexed by the remainder. */
const CHECK_CHARACTERS = '0123456789ABCDEFHJKLMNPRSTUVWXY';

/** The sign between date and individual number, by century of birth (the 2023 extra signs aside). */
const CENTURY_SIGNS: Readonly<Record<string, string>> = { '18': '+', '19': '-', '20': 'A' };

/** The check character of the nine digits DDMMYYNNN: their value mod 31, looked up in the table. */
export function checkCharacter(nineDigits: string): string {
  if (!/^\d{9}$/.test(nineDigits)) throw new Error(`expected nine digits, got "${nineDigits}"`);
  const character = CHECK_CHARACTERS[Number(nineDigits) % 31];
  if (character === undefined) throw new Error('unreachable: a remainder mod 31 is below 31');
  return character;
}

/**
 * A Finnish personal identity code (henkilötunnus) `DDMMYY-NNNC` for a date of birth (`YYYY-MM-DD`)
 * and an individual number. The simulator's people use 900–999, the numbers Finland keeps for
 * temporary codes, so none of them is a real person's; odd numbers are men's, even women's.
 */
export function finnishNationalId(dateOfBirth: string, individual: number): string {
  const match = /^(\d{2})(\d{2})-(\d{2})-(\d{2})$/.exec(dateOfBirth);
  const sign = CENTURY_SIGNS[match?.[1] ?? ''];
  if (match === null || sign === undefined) throw new Error(`no century sign for ${dateOfBirth}`);
  if (!Number.isInteger(individual) || individual < 2 || individual > 999) {
    throw new Error(`individual number ${individual} is not 002–999`);
  }
  const [, , yy, mm, dd] = match;
  const number = String(individual).padStart(3, '0');
  return `${dd}${mm}${yy}${sign}${number}${checkCharacter(`${dd}${mm}${yy}${number}`)}`;
}
