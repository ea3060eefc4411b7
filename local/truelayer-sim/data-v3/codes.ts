// The simulator keeps its own code lists (it must not lean on the product's validation).

/** ISO 3166-1 alpha-2: the 249 officially assigned codes, grouped by first letter. */
const COUNTRIES_BY_LETTER: Record<string, string> = {
  A: 'D E F G I L M O Q R S T U W X Z',
  B: 'A B D E F G H I J L M N O Q R S T V W Y Z',
  C: 'A C D F G H I K L M N O R U V W X Y Z',
  D: 'E J K M O Z',
  E: 'C E G H R S T',
  F: 'I J K M O R',
  G: 'A B D E F G H I L M N P Q R S T U W Y',
  H: 'K M N R T U',
  I: 'D E L M N O Q R S T',
  J: 'E M O P',
  K: 'E G H I M N P R W Y Z',
  L: 'A B C I K R S T U V Y',
  M: 'A C D E F G H K L M N O P Q R S T U V W X Y Z',
  N: 'A C E F G I L O P R U Z',
  O: 'M',
  P: 'A E F G H K L M N R S T W Y',
  Q: 'A',
  R: 'E O S U W',
  S: 'A B C D E G H I J K L M N O R S T V X Y Z',
  T: 'C D F G H J K L M N O R T V W Z',
  U: 'A G M S Y Z',
  V: 'A C E G I N U',
  W: 'F S',
  Y: 'E T',
  Z: 'A M W',
};

/** ISO 639-1 two-letter language codes in current use (183), grouped by first letter. */
const LANGUAGES_BY_LETTER: Record<string, string> = {
  a: 'a b e f k m n r s v y z',
  b: 'a e g i m n o r s',
  c: 'a e h o r s u v y',
  d: 'a e v z',
  e: 'e l n o s t u',
  f: 'a f i j o r y',
  g: 'a d l n u v',
  h: 'a e i o r t u y z',
  i: 'a d e g i k o s t u',
  j: 'a v',
  k: 'a g i j k l m n o r s u v w y',
  l: 'a b g i n o t u v',
  m: 'g h i k l n r s t y',
  n: 'a b d e g l n o r v y',
  o: 'c j m r s',
  p: 'a i l s t',
  q: 'u',
  r: 'm n o u w',
  s: 'a c d e g i k l m n o q r s t u v w',
  t: 'a e g h i k l n o r s t w y',
  u: 'g k r z',
  v: 'e i o',
  w: 'a o',
  x: 'h',
  y: 'i o',
  z: 'a h u',
};

function expand(groups: Record<string, string>): ReadonlySet<string> {
  const codes = new Set<string>();
  for (const [first, seconds] of Object.entries(groups)) {
    for (const second of seconds.split(' ')) codes.add(first + second);
  }
  return codes;
}

export const ISO_COUNTRIES = expand(COUNTRIES_BY_LETTER);
export const ISO_LANGUAGES = expand(LANGUAGES_BY_LETTER);
