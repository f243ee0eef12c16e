/**
 * Street landmarks: real places of Chongqing (GCJ-02, as Chinese web maps give them) resolved to
 * their real street — through the resolver over the generated demo city, and through the geo
 * resolve route the map uses. The generated street polygons are grown from the streets' real
 * points (cities/chongqing/geo/SOURCE.md), so a place near a street's seat must land in it.
 *
 * Where a landmark's street is not common knowledge it was decided from the data:
 * - 十八梯: 南纪门街道 — the national 2016 division list (Vonng/adcode, data/adcode/500103.csv)
 *   puts 十八梯居委会 (500103008002) under 南纪门街道办事处, not 解放碑 or 七星岗.
 * - 三峡广场: 渝碚路街道 — the same list puts 沙南街 (沙坪坝南街, the square's street), 站东路
 *   and 双巷子 (whose point, 106.4607 29.5583, is beside the square) under 渝碚路街道;
 *   小龙坎街道 is a 0.97 km² street east of it (龙泉路, 嘉新, 康宁村, 快乐里).
 * - 观音桥步行街 straddles 观音桥街道 and 华新街街道 (the 商圈 lies in both); 北城天街, at the
 *   point of 观音桥街道's 渝北社区, is in 观音桥街道.
 * The shipped copy of the points is used: no ../shared is needed (CI too).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateDemoJurisdictions } from '../../cities/chongqing/demo/demo-geography.ts';
import { RESOURCES_DIR } from '../../cities/chongqing/demo/demo-city.ts';
import { JurisdictionResolver } from '../../src/geo/resolver.ts';
import { openTestPlatform, TEST_DISTRICTS, type TestPlatform } from '../support/test-platform.ts';

interface Landmark {
  readonly name: string;
  readonly at: readonly [number, number];
  readonly district: string;
  /** The street; several when the place straddles a boundary. */
  readonly street: string | readonly string[];
}

const LANDMARKS: readonly Landmark[] = [
  // 渝中区
  { name: '解放碑', at: [106.577, 29.557], district: '渝中区', street: '解放碑街道' },
  { name: '十八梯', at: [106.5735, 29.5515], district: '渝中区', street: '南纪门街道' },
  { name: '洪崖洞', at: [106.579, 29.563], district: '渝中区', street: '解放碑街道' },
  { name: '朝天门', at: [106.586, 29.565], district: '渝中区', street: '朝天门街道' },
  { name: '湖广会馆', at: [106.5858, 29.5601], district: '渝中区', street: '朝天门街道' },
  { name: '人民大礼堂', at: [106.553, 29.5625], district: '渝中区', street: '上清寺街道' },
  { name: '菜园坝火车站', at: [106.5482, 29.5468], district: '渝中区', street: '菜园坝街道' },
  { name: '李子坝轻轨站', at: [106.534, 29.553], district: '渝中区', street: '化龙桥街道' },
  { name: '大坪时代天街', at: [106.519, 29.5395], district: '渝中区', street: '大坪街道' },
  // 江北区
  { name: '观音桥步行街', at: [106.5315, 29.5755], district: '江北区', street: ['观音桥街道', '华新街街道'] },
  { name: '北城天街', at: [106.5342, 29.577], district: '江北区', street: '观音桥街道' },
  { name: '重庆大剧院', at: [106.579, 29.571], district: '江北区', street: '江北城街道' },
  // 沙坪坝区
  { name: '三峡广场', at: [106.458, 29.557], district: '沙坪坝区', street: '渝碚路街道' },
  { name: '磁器口古镇', at: [106.45, 29.579], district: '沙坪坝区', street: '磁器口街道' },
  { name: '重庆大学A区', at: [106.466, 29.569], district: '沙坪坝区', street: '沙坪坝街道' },
  { name: '沙坪公园', at: [106.459, 29.55], district: '沙坪坝区', street: '天星桥街道' },
  // 九龙坡区
  { name: '四川美术学院黄桷坪校区', at: [106.541, 29.489], district: '九龙坡区', street: '黄桷坪街道' },
  { name: '杨家坪步行街', at: [106.5175, 29.506], district: '九龙坡区', street: '杨家坪街道' },
  // 南岸区
  { name: '南坪步行街', at: [106.566, 29.529], district: '南岸区', street: '南坪街道' },
  { name: '弹子石老街', at: [106.592, 29.578], district: '南岸区', street: '弹子石街道' },
  // 北碚区
  { name: '西南大学', at: [106.4245, 29.8225], district: '北碚区', street: '天生街道' },
  // 万州区
  { name: '高笋塘广场', at: [108.38, 30.806], district: '万州区', street: '高笋塘街道' },
  // Towns named after what they hold
  { name: '大足石刻宝顶山', at: [105.797, 29.752], district: '大足区', street: '宝顶镇' },
  { name: '石宝寨', at: [108.163, 30.418], district: '忠县', street: '石宝镇' },
  { name: '白帝城', at: [109.568, 31.045], district: '奉节县', street: '白帝镇' },
  { name: '钓鱼城', at: [106.285, 30.011], district: '合川区', street: '钓鱼城街道' },
  { name: '涞滩古镇', at: [106.48, 30.17], district: '合川区', street: '涞滩镇' },
  { name: '龚滩古镇', at: [108.35, 28.9], district: '酉阳土家族苗族自治县', street: '龚滩镇' },
  { name: '西沱古镇', at: [108.215, 30.395], district: '石柱土家族自治县', street: '西沱镇' },
  { name: '中山古镇', at: [106.33, 28.84], district: '江津区', street: '中山镇' },
  { name: '松溉古镇', at: [105.894, 29.054], district: '永川区', street: '松溉镇' },
  { name: '安居古城', at: [106.03, 29.98], district: '铜梁区', street: '安居镇' },
  { name: '濯水古镇', at: [108.77, 29.3], district: '黔江区', street: '濯水镇' },
];

const DISTRICT_CODES: Readonly<Record<string, string>> = {
  渝中区: '500103', 江北区: '500105', 沙坪坝区: '500106', 九龙坡区: '500107', 南岸区: '500108', 北碚区: '500109',
  万州区: '500101', 大足区: '500111', 忠县: '500233', 奉节县: '500236', 合川区: '500117', 酉阳土家族苗族自治县: '500242',
  石柱土家族自治县: '500240', 江津区: '500116', 永川区: '500118', 铜梁区: '500151', 黔江区: '500114',
};

const streetsOf = (l: Landmark) => (typeof l.street === 'string' ? [l.street] : l.street);

describe('street landmarks', () => {
  it('lists at least 30 real places with the 解放碑, 十八梯, 三峡广场 and 观音桥 checks among them', () => {
    expect(LANDMARKS.length).toBeGreaterThanOrEqual(30);
    for (const name of ['解放碑', '十八梯', '三峡广场', '观音桥步行街', '北城天街']) expect(LANDMARKS.map((l) => l.name)).toContain(name);
    expect(new Set(LANDMARKS.map((l) => l.district)).size).toBeGreaterThanOrEqual(15);
  });

  describe('through the resolver over the generated city', () => {
    let resolver: JurisdictionResolver;
    beforeAll(() => {
      const districts = [...new Set(LANDMARKS.map((l) => DISTRICT_CODES[l.district]!))];
      resolver = JurisdictionResolver.build(generateDemoJurisdictions({ resourcesDir: RESOURCES_DIR, districts }));
    }, 300_000);

    it.each(LANDMARKS.map((l) => [l.name, l] as const))('%s is in its real street', (_name, l) => {
      const chain = resolver.resolve(l.at[0], l.at[1])?.chain ?? [];
      expect(chain.find((c) => c.level === 'district')?.name).toBe(l.district);
      expect(streetsOf(l)).toContain(chain.find((c) => c.level === 'street')?.name);
    });
  });

  describe('through the geo resolve route (the demo store of 渝中, 沙坪坝 and 南岸)', () => {
    let t: TestPlatform;
    beforeAll(async () => {
      t = await openTestPlatform('sqlite', { seed: true, districts: TEST_DISTRICTS });
    }, 300_000);
    afterAll(async () => t?.close());

    const served = LANDMARKS.filter((l) => TEST_DISTRICTS.includes(DISTRICT_CODES[l.district]!));

    it('has landmarks of each seeded district', () => {
      expect(served.length).toBeGreaterThanOrEqual(10);
    });

    it.each(served.map((l) => [l.name, l] as const))('%s resolves to its real street', async (_name, l) => {
      const res = await t.app.inject({ method: 'GET', url: `/api/v1/geo/resolve?lng=${l.at[0]}&lat=${l.at[1]}&crs=gcj02` });
      expect(res.statusCode).toBe(200);
      const chain = (res.json() as { chain: { name: string; level: string }[] }).chain;
      expect(chain.find((c) => c.level === 'district')?.name).toBe(l.district);
      expect(streetsOf(l)).toContain(chain.find((c) => c.level === 'street')?.name);
    });

    it('places a WGS-84 (GPS) 解放碑 in 解放碑街道 too', async () => {
      // 解放碑 in WGS-84 is about 0.0037° west and 0.0029° north of its GCJ-02 position.
      const res = await t.app.inject({ method: 'GET', url: '/api/v1/geo/resolve?lng=106.5733&lat=29.5599&crs=wgs84' });
      const chain = (res.json() as { chain: { name: string; level: string }[] }).chain;
      expect(chain.find((c) => c.level === 'street')?.name).toBe('解放碑街道');
    });
  });
});
