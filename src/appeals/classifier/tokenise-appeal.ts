/**
 * Text folding and tokens for Chinese citizen messages. Chinese is written without spaces, so the
 * classifier reads characters and character n-grams (which cover most words without a
 * dictionary) and, where it is worth the time, words from the ICU dictionary segmenter built into
 * Node (`Intl.Segmenter`). Punctuation, spaces and symbols break runs: an n-gram across "，" is
 * noise, not a word.
 */

/**
 * One UTF-16 code unit folded for matching, or 0 where a run breaks. Full-width ASCII (Ａ１，) is
 * folded to half-width and Latin letters to lower case so that "Ａ市" and "a市" are one token;
 * every digit becomes '0' because house numbers, dates and phone numbers say nothing about the
 * category but their shape ("00号", "0000年") does a little.
 */
export function foldCodeUnit(c: number): number {
  if (c >= 0xff01 && c <= 0xff5e) c -= 0xfee0; // full-width ASCII block
  if (c >= 0x30 && c <= 0x39) return 0x30;
  if (c >= 0x61 && c <= 0x7a) return c;
  if (c >= 0x41 && c <= 0x5a) return c + 0x20;
  // CJK unified ideographs, extension A, compatibility ideographs; surrogates keep rare
  // characters (extension B and later) as two units rather than breaking the run.
  if ((c >= 0x4e00 && c <= 0x9fff) || (c >= 0x3400 && c <= 0x4dbf) || (c >= 0xf900 && c <= 0xfaff) || (c >= 0xd800 && c <= 0xdfff)) return c;
  if (c === 0x3007) return c; // 〇
  return 0;
}

/** The runs of folded characters between breaks ("A市A3区, 水压太低" → ["a市a0区", "水压太低"]). */
export function splitCharRuns(text: string): string[] {
  const runs: string[] = [];
  let run = '';
  for (let i = 0; i < text.length; i++) {
    const f = foldCodeUnit(text.charCodeAt(i));
    if (f === 0) {
      if (run) runs.push(run);
      run = '';
    } else run += String.fromCharCode(f);
  }
  if (run) runs.push(run);
  return runs;
}

let segmenter: Intl.Segmenter | null = null;

/**
 * Words of a message from ICU's Chinese dictionary segmenter, folded like characters; punctuation
 * and spaces dropped. `maxChars` bounds the work: the segmenter costs about 0.2 ms per 400
 * characters, the whole budget of a 5,000 messages/s classifier.
 */
export function segmentWords(text: string, maxChars = Infinity): string[] {
  segmenter ??= new Intl.Segmenter('zh', { granularity: 'word' });
  const input = text.length > maxChars ? text.slice(0, maxChars) : text;
  const words: string[] = [];
  for (const s of segmenter.segment(input)) {
    if (!s.isWordLike) continue;
    let w = '';
    for (let i = 0; i < s.segment.length; i++) {
      const f = foldCodeUnit(s.segment.charCodeAt(i));
      if (f !== 0) w += String.fromCharCode(f);
    }
    if (w) words.push(w);
  }
  return words;
}
