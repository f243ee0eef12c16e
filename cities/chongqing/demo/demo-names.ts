/**
 * Plausible, clearly invented names for generated communities (社区) and villages (村). Built
 * from characters common in Chongqing place names (坝, 坪, 湾, 垭, 黄桷 …); real community names
 * are not public as data, so nothing here refers to a real place.
 */
import type { Random } from '../../../src/geo/seeded-random.ts';

const HEADS = [
  '新', '和', '平', '安', '福', '康', '兴', '华', '龙', '凤', '桂', '花', '石', '桥', '河', '山',
  '水', '林', '竹', '松', '柏', '金', '银', '青', '红', '白', '黄', '东', '南', '西', '北', '中',
  '上', '下', '大', '小', '长', '高', '双', '三', '五', '九', '古', '鹿', '马', '云', '月', '星',
  '春', '秋', '梅', '兰', '桃', '李', '杨', '柳', '茶', '桑', '鸣', '万', '永', '太', '民', '光',
];

const HEADS_TWO = ['黄桷', '梨树', '观音', '朝阳', '红岩', '新华', '胜利', '团结', '长生', '石门', '天星', '凤凰', '玉泉', '金竹'];

const COMMUNITY_TAILS = ['园', '苑', '湾', '坝', '坪', '桥', '街', '路', '门', '坡', '岗', '台', '井', '湖', '城', '溪', '里', '亭', '院', '岭'];

const VILLAGE_TAILS = ['坝', '坪', '沟', '岭', '坡', '湾', '溪', '寨', '塘', '庙', '垭', '槽', '田', '冲', '岩', '堡', '桥', '林', '山', '井'];

function pick<T>(list: readonly T[], random: Random): T {
  return list[Math.floor(random() * list.length)]!;
}

/** A name like 桂花园 (no suffix), unique within `taken`, which it updates. */
export function inventPlaceStem(kind: '社区' | '村', taken: Set<string>, random: Random): string {
  const tails = kind === '社区' ? COMMUNITY_TAILS : VILLAGE_TAILS;
  for (let attempt = 0; ; attempt++) {
    const head = random() < 0.15 ? pick(HEADS_TWO, random) : pick(HEADS, random);
    // After many collisions fall back to a numbered stem rather than looping forever.
    const stem = attempt < 50 ? head + pick(tails, random) : `${head}${pick(tails, random)}${attempt}`;
    if (!taken.has(stem)) {
      taken.add(stem);
      return stem;
    }
  }
}
