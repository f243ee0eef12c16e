/**
 * How alike two short Chinese texts are: the Dice coefficient of their character bigrams
 * (punctuation and spaces dropped). Chinese has no spaces, and two callers describing one noisy
 * square share many two-character words (广场, 噪音, 晚上) whatever else they say.
 */
export function characterBigrams(text: string): Map<string, number> {
  const chars = [...text.normalize('NFKC').toLowerCase().replace(/[\s\p{P}\p{S}]/gu, '')];
  const grams = new Map<string, number>();
  for (let i = 0; i + 1 < chars.length; i++) {
    const g = chars[i]! + chars[i + 1]!;
    grams.set(g, (grams.get(g) ?? 0) + 1);
  }
  if (chars.length === 1) grams.set(chars[0]!, 1);
  return grams;
}

export function textSimilarity(a: string, b: string): number {
  const x = characterBigrams(a);
  const y = characterBigrams(b);
  let common = 0;
  let total = 0;
  for (const [g, n] of x) {
    total += n;
    common += Math.min(n, y.get(g) ?? 0);
  }
  for (const n of y.values()) total += n;
  return total === 0 ? 0 : (2 * common) / total;
}
