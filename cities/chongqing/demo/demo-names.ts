/**
 * Plausible, clearly invented names for generated communities (社区) and villages (村). Built
 * from characters common in Chongqing place names (坝, 坪, 湾, 垭 …). The community at a
 * street's seat carries the street's own name (解放碑街道 → 解放碑社区), as real ones often do.
 *
 * An invented name never borrows a known place: it may not contain, or be part of, the name of
 * any street or township of the city, any district, or a well-known landmark (观音桥 in 渝中区
 * would mislead anyone who knows the city) — see `PlaceNameGuard`.
 */
import type { Random } from '../../../src/geo/seeded-random.ts';

const HEADS = [
  '新', '和', '平', '安', '福', '康', '兴', '华', '龙', '凤', '桂', '花', '石', '桥', '河', '山',
  '水', '林', '竹', '松', '柏', '金', '银', '青', '红', '白', '黄', '东', '南', '西', '北', '中',
  '上', '下', '大', '小', '长', '高', '双', '三', '五', '九', '古', '鹿', '马', '云', '月', '星',
  '春', '秋', '梅', '兰', '桃', '李', '杨', '柳', '茶', '桑', '鸣', '万', '永', '太', '民', '光',
];

/** Neutral two-character heads (no landmark among them; the guard checks anyway). */
const HEADS_TWO = ['梨树', '朝阳', '新华', '胜利', '团结', '金竹', '桂香', '和睦', '幸福', '青松', '民安', '丰收', '映月', '清泉'];

const COMMUNITY_TAILS = ['园', '苑', '湾', '坝', '坪', '桥', '街', '路', '门', '坡', '岗', '台', '井', '湖', '城', '溪', '里', '亭', '院', '岭'];

const VILLAGE_TAILS = ['坝', '坪', '沟', '岭', '坡', '湾', '溪', '寨', '塘', '庙', '垭', '槽', '田', '冲', '岩', '堡', '桥', '林', '山', '井'];

/**
 * Landmarks of Chongqing that are not (or not only) the names of streets: a generated community
 * named after one of them would put it in the wrong place.
 */
const LANDMARKS = [
  '解放碑', '朝天门', '洪崖洞', '十八梯', '较场口', '观音桥', '磁器口', '三峡广场', '杨家坪', '南坪',
  '大坪', '红岩', '红岩村', '歌乐山', '李子坝', '鹅岭', '两路口', '七星岗', '上清寺', '菜园坝',
  '黄桷坪', '黄桷垭', '弹子石', '南山', '一棵树', '长嘉汇', '来福士', '龙门浩', '缙云山', '北温泉',
  '金佛山', '仙女山', '天生三桥', '大足石刻', '白帝城', '鬼城', '钓鱼城', '湖广会馆', '人民大礼堂',
  '沙坪公园', '园博园', '照母山', '江北嘴', '九街', '石桥铺', '袁家岗', '奥体', '华岩寺', '天星桥',
  '小龙坎', '三角碑', '陈家坪', '石坪桥', '谢家湾', '大渡口', '双碑', '井口', '歇台子', '渝州路',
];

const SUFFIXES = /(街道办事处|街道|镇|乡|区|县|自治县|土家族苗族自治县|苗族土家族自治县|土家族自治县)$/;

/** The stem of an administrative name: 解放碑街道 → 解放碑, 石柱土家族自治县 → 石柱. */
export function placeStem(name: string): string {
  return name.replace(SUFFIXES, '');
}

/**
 * The names an invented one must stay clear of: the city's street, township and district stems
 * and the landmarks. A stem is refused when it contains one of them or is part of one.
 */
export class PlaceNameGuard {
  readonly #names = new Set<string>();
  readonly #parts = new Set<string>();

  constructor(realNames: Iterable<string>) {
    for (const raw of [...realNames, ...LANDMARKS]) {
      const name = placeStem(raw);
      if (name.length < 2) continue;
      this.#names.add(name);
      for (let i = 0; i < name.length; i++) for (let j = i + 2; j <= name.length; j++) this.#parts.add(name.slice(i, j));
    }
  }

  /** False when the stem is part of a real name, or has one inside it. */
  allows(stem: string): boolean {
    if (this.#parts.has(stem)) return false;
    for (let i = 0; i < stem.length; i++) {
      for (let j = i + 2; j <= stem.length; j++) if (this.#names.has(stem.slice(i, j))) return false;
    }
    return true;
  }
}

function pick<T>(list: readonly T[], random: Random): T {
  return list[Math.floor(random() * list.length)]!;
}

/** A name like 桂花园 (no suffix), unique within `taken`, which it updates, and clear of the guard's names. */
export function inventPlaceStem(kind: '社区' | '村', taken: Set<string>, random: Random, guard?: PlaceNameGuard): string {
  const tails = kind === '社区' ? COMMUNITY_TAILS : VILLAGE_TAILS;
  for (let attempt = 0; ; attempt++) {
    const head = random() < 0.15 ? pick(HEADS_TWO, random) : pick(HEADS, random);
    // After many collisions fall back to a numbered stem rather than looping forever.
    const stem = attempt < 200 ? head + pick(tails, random) : `${head}${pick(tails, random)}${attempt}`;
    if (!taken.has(stem) && (attempt >= 200 || !guard || guard.allows(stem))) {
      taken.add(stem);
      return stem;
    }
  }
}
