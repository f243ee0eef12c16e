/**
 * Chinese civil vehicle plates (GA 36-2018), as video recognisers send them: the canonical form
 * (full-width, separators and colour prefixes removed), ordinary and new-energy patterns, the
 * printed form with its dot, and the markers that mean "no plate seen".
 */

/** Province abbreviations that open a civil plate (GA 36-2018). */
const PROVINCES = '京津沪渝冀豫云辽黑湘皖鲁新苏浙赣鄂桂甘晋蒙陕吉闽贵粤青藏川宁琼';
/** Letters used on plates: I and O never appear (they read as 1 and 0). */
const L = 'A-HJ-NP-Z';
const PLATE_PATTERNS: readonly RegExp[] = [
  // Ordinary (blue, yellow): province, issuing-office letter, five letters/digits; the last may be
  // 挂 (trailer), 学 (learner), 警 (police), 港/澳 (cross-border).
  new RegExp(`^[${PROVINCES}][${L}][${L}0-9]{4}[${L}0-9挂学警港澳]$`),
  // Small new-energy (green): D/F (pure electric / other) — since 2022 also A–K — then a letter or
  // digit and four digits: 渝AD12345.
  new RegExp(`^[${PROVINCES}][${L}][A-HJK][${L}0-9][0-9]{4}$`),
  // Large new-energy (yellow-green, trucks and buses, many muck trucks): five digits then D/F.
  new RegExp(`^[${PROVINCES}][${L}][0-9]{5}[A-HJK]$`),
];

/** What recognisers send when they saw a vehicle but no plate. */
const NO_PLATE = new Set(['', '无牌', '无车牌', '无牌车', '未识别', '未知', '无', '车牌', 'unknown', 'none', 'null', 'n/a', 'na', '-']);

/** Whether a recogniser's plate text (trimmed) says it saw no plate (无牌, 未识别, unknown …). */
export function isNoPlateMarker(text: string): boolean {
  return NO_PLATE.has(text.toLowerCase());
}

/** Colour prefixes some recognisers put before the plate (蓝渝A12345, 黄绿渝A12345D). */
const COLOUR_PREFIX = /^(黄绿|渐变绿|蓝|黄|绿|白|黑)(?=[\u4e00-\u9fff])/;

/** Full-width ASCII (Ａ, ０) to half-width; separators and spaces removed; upper case. */
function plateKey(raw: string): string {
  return raw
    .replace(/[\uFF01-\uFF5E]/g, (c) => String.fromCharCode(c.charCodeAt(0) - 0xfee0))
    .replace(/[\s·•・.\-_\u00B7\u2022\u30FB\u2027\u2219]/g, '')
    .toUpperCase()
    .replace(COLOUR_PREFIX, '');
}

/**
 * The canonical form of a Chinese civil plate (渝A·12345, 渝a 12345, 黄渝A12345 → 渝A12345;
 * 渝AD12345 and 渝A12345D new-energy), or null when the text is not one.
 */
export function normalizePlate(raw: string): string | null {
  const k = plateKey(raw);
  return PLATE_PATTERNS.some((p) => p.test(k)) ? k : null;
}

/** The usual printed form: 渝A·12345. */
export function formatPlate(plate: string): string {
  return plate.length > 2 ? `${plate.slice(0, 2)}·${plate.slice(2)}` : plate;
}
