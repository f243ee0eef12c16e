import { describe, expect, it } from 'vitest';
import { fts5Match, searchPartsOf, searchTermsOf, tsQuery } from './search-terms.ts';

describe('search terms', () => {
  const doc = { number: 'CL20261207000002', title: '下水道井盖不见了', description: 'DN200 管道，已经有人差点掉下去！', location: { address: '解放碑步行街' } };

  it('cuts Chinese into bigrams in order, then its characters; other words lower-cased', () => {
    const terms = searchTermsOf(doc).split(' ');
    expect(terms.slice(0, 8)).toEqual(['cl20261207000002', '下水', '水道', '道井', '井盖', '盖不', '不见', '见了']);
    expect(terms).toContain('dn200');
    expect(terms).toContain('解放');
    // A phrase does not run across fields or punctuation: 了 (title) and 解 (address) make no bigram.
    expect(terms).not.toContain('了解');
    expect(terms).not.toContain('道已');
    // Every character once, after the bigrams.
    expect(terms.filter((x) => x === '井')).toHaveLength(1);
    expect(terms.indexOf('井')).toBeGreaterThan(terms.indexOf('掉下'));
  });

  it('reads a query as phrases of bigrams, single characters and prefixes, for both engines', () => {
    expect(searchPartsOf('井盖不见 DN2 梯')).toEqual([
      { kind: 'phrase', terms: ['井盖', '盖不', '不见'] },
      { kind: 'prefix', term: 'dn2' },
      { kind: 'phrase', terms: ['梯'] },
    ]);
    const parts = searchPartsOf('井盖不见 DN2');
    expect(fts5Match(parts)).toBe('"井盖 盖不 不见" AND "dn2"*');
    expect(tsQuery(parts)).toBe("('井盖' <-> '盖不' <-> '不见') & 'dn2':*");
    // Nothing to search for: no parts (the route refuses it); quotes and operators never pass through.
    expect(searchPartsOf(' ,;"\' * ')).toEqual([]);
    expect(fts5Match(searchPartsOf('a" OR "b'))).toBe('"a"* AND "or"* AND "b"*');
  });

  it('normalises full-width letters and digits', () => {
    expect(searchPartsOf('ＤＮ２００')).toEqual([{ kind: 'prefix', term: 'dn200' }]);
  });
});
