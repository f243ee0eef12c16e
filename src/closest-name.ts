/**
 * "Did you mean …?" for names in data files (plans, rules): the candidate closest to a misspelt
 * name, if close enough to be the likely intent — about one typo per four letters, so
 * 'water-suply' finds 'water-supply' and 'zz' finds nothing. Case, '-', '_' and '.' are ignored.
 */
export function closestName(name: string, candidates: readonly string[]): string | null {
  const squash = (s: string): string => s.toLowerCase().replace(/[-_.]/g, '');
  const target = squash(name);
  let best: string | null = null;
  let bestDistance = Math.max(1, Math.floor(target.length / 4)) + 1;
  for (const c of candidates) {
    const d = editDistance(target, squash(c));
    if (d < bestDistance) {
      best = c;
      bestDistance = d;
    }
  }
  return best;
}

/** Levenshtein distance, two rows at a time. */
export function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      current[j] = Math.min(previous[j]! + 1, current[j - 1]! + 1, previous[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
    previous = current;
  }
  return previous[b.length]!;
}
