import fs from 'node:fs';
import { beforeAll, describe, expect, it } from 'vitest';
import { DEMO_CATEGORIES } from '../../../cities/chongqing/categories.ts';
import { capAreaTargets } from './cap-areas.ts';
import { capGeographyFromResolver, type CapGeography } from './cap-geo.ts';
import { parseCap } from './cap-message.ts';
import { CAP_SEVERITIES, type CapMessage } from './cap-model.ts';
import { chongqingDistrictResolver, SKIP_SHARED_CAP, readFixture, readSample, SHARED_CAP_DIR } from './cap-test-kit.ts';
import { CAP_WARNING_CATEGORIES } from '../../../cities/chongqing/mappings.ts';
import { CAP_SEVERITY_COLOURS, capDedupKey, capKeyPrefix, planCapAlerts, suggestCaseCategory } from './cap-warnings.ts';

function message(bytes: Uint8Array | string): CapMessage {
  const r = parseCap(bytes);
  if (!r.ok) throw new Error(r.errors.map((e) => `${e.path} ${e.message.en}`).join('; '));
  return r.message;
}

const fixture = (name: string) => new TextDecoder().decode(readFixture(name));

let geo: CapGeography;
beforeAll(() => {
  geo = capGeographyFromResolver(chongqingDistrictResolver());
});
// Chongqing's rules, as its pack gives them to the platform.
const plan = (m: CapMessage, g: CapGeography = geo, now?: string) => planCapAlerts(m, capAreaTargets(m, g), { caseCategoryRules: CAP_WARNING_CATEGORIES, ...(now ? { now } : {}) });

/** Every drawn area touches 渝中区. */
const EVERYWHERE: CapGeography = {
  districtsTouching: () => [{ code: '500103', name: '渝中区' }],
  districtsWithinCircle: () => [{ code: '500103', name: '渝中区' }],
};

describe('planCapAlerts', () => {
  it('an Alert: one draft per touched district, from the Chinese info, keyed by message and district', () => {
    const p = plan(message(readFixture('cq-rainstorm-orange.cap')));
    expect(p).toMatchObject({ msgType: 'Alert', status: 'Actual', supersedes: [], cancels: [], unmapped: [], outside: [] });
    expect(p.drafts.map((d) => d.dedupKey)).toEqual([
      'cap:qxt.cq@example.org:CQ-QXT-20250701093000-RAINSTORM-ORANGE:500103',
      'cap:qxt.cq@example.org:CQ-QXT-20250701093000-RAINSTORM-ORANGE:500108',
    ]);
    const d = p.drafts[0]!;
    expect(d).toMatchObject({
      source: 'cap',
      severity: 'orange',
      title: '重庆市气象台发布暴雨橙色预警',
      categoryCode: 'safety.road-waterlogging',
      location: null,
      jurisdictionCode: '500103',
      at: '2025-07-01T01:30:00.000Z',
      district: { code: '500103', name: '渝中区' },
      infoIndex: 1,
      language: 'zh-CN',
      event: '暴雨',
      senderName: '重庆市气象台',
      capSeverity: 'Severe',
      urgency: 'Expected',
      certainty: 'Likely',
      capCategories: ['Met'],
      responseType: ['Prepare'],
      effectiveUtc: '2025-07-01T01:30:00.000Z',
      onsetUtc: null,
      expiresUtc: '2025-07-01T13:30:00.000Z',
      areaDesc: '渝中区、南岸区',
      exercise: false,
      message: { sender: 'qxt.cq@example.org', identifier: 'CQ-QXT-20250701093000-RAINSTORM-ORANGE', sent: '2025-07-01T09:30:00+08:00' },
    });
    expect(d.instruction).toMatch(/^1\. 有关部门做好防暴雨工作/);
    expect(d.geometry?.type).toBe('MultiPolygon');
    expect(d.geometry?.type === 'MultiPolygon' && d.geometry.coordinates[0]![0]![0]![0]).toBeCloseTo(106.566, 3); // GCJ-02
    expect(d.evidence).toMatchObject({ cap: { identifier: 'CQ-QXT-20250701093000-RAINSTORM-ORANGE', msgType: 'Alert', severity: 'Severe', signed: false } });
  });

  it('an Update supersedes what the referenced message raised, and raises its own', () => {
    const p = plan(message(readFixture('cq-rainstorm-red-update.cap')));
    expect(p.supersedes).toEqual(['cap:qxt.cq@example.org:CQ-QXT-20250701093000-RAINSTORM-ORANGE:']);
    expect(p.drafts.map((d) => [d.jurisdictionCode, d.severity])).toEqual([['500103', 'red'], ['500108', 'red']]);
    // Each superseded alert's key starts with a prefix; the new ones do not.
    const old = capDedupKey('qxt.cq@example.org', 'CQ-QXT-20250701093000-RAINSTORM-ORANGE', '500108');
    expect(p.supersedes.some((x) => old.startsWith(x))).toBe(true);
    expect(p.drafts.some((d) => p.supersedes.some((x) => d.dedupKey.startsWith(x)))).toBe(false);
  });

  it('a Cancel withdraws every referenced message and raises nothing', () => {
    const p = plan(message(readFixture('cq-rainstorm-cancel.cap')));
    expect(p).toMatchObject({ msgType: 'Cancel', drafts: [], supersedes: [] });
    expect(p.cancels).toEqual([
      'cap:qxt.cq@example.org:CQ-QXT-20250701093000-RAINSTORM-ORANGE:',
      'cap:qxt.cq@example.org:CQ-QXT-20250701113000-RAINSTORM-RED:',
    ]);
  });

  it('a circle: the districts within it, the circle drawn as a polygon for the map', () => {
    const p = plan(message(readFixture('cq-landslide-circle.cap')));
    expect(p.drafts.map((d) => [d.jurisdictionCode, d.severity, d.categoryCode])).toEqual([
      ['500106', 'yellow', 'safety.geohazard'],
      ['500107', 'yellow', 'safety.geohazard'],
    ]);
    const g = p.drafts[0]!.geometry;
    expect(g?.type === 'MultiPolygon' && g.coordinates[0]![0]).toHaveLength(49);
    expect(p.drafts[0]!.circles[0]!.radiusMeters).toBe(2000);
  });

  it('geocode-only areas are reported as unmapped and raise nothing', () => {
    const p = plan(message(readFixture('cq-geocode-only.cap')));
    expect(p.drafts).toEqual([]);
    expect(p.unmapped).toEqual([{ infoIndex: 0, areaIndex: 0, areaDesc: '渝中区', geocode: [{ valueName: 'GB/T 2260', value: '500103' }] }]);
    expect(p.notes.map((n) => n.en)).toEqual(["the message's areas cannot be placed on the map (geocodes or descriptions only): nothing raised"]);
  });

  it('severity first, then a Chinese info, then English, then the first', () => {
    const two = (a: [string, string], b: [string, string]) =>
      message(
        fixture('cq-rainstorm-orange.cap')
          .replace('<language>en-US</language>', `<language>${a[0]}</language>`)
          .replace('<severity>Severe</severity>', `<severity>${a[1]}</severity>`)
          .replace('<language>zh-CN</language>', `<language>${b[0]}</language>`)
          .replace(/(<language>[^<]*<\/language>[\s\S]*?<info>[\s\S]*?)<severity>Severe<\/severity>/, `$1<severity>${b[1]}</severity>`),
      );
    expect(plan(two(['en-US', 'Severe'], ['zh-CN', 'Severe'])).drafts[0]!.language).toBe('zh-CN');
    expect(plan(two(['zh-TW', 'Severe'], ['zh-CN', 'Severe'])).drafts[0]!.language).toBe('zh-CN');
    expect(plan(two(['fr-CA', 'Severe'], ['en-US', 'Severe'])).drafts[0]!.language).toBe('en-US');
    expect(plan(two(['fr-CA', 'Severe'], ['de-DE', 'Severe'])).drafts[0]!.language).toBe('fr-CA');
    const louder = plan(two(['en-US', 'Extreme'], ['zh-CN', 'Severe'])).drafts[0]!;
    expect([louder.language, louder.severity]).toEqual(['en-US', 'red']);
  });

  it('statuses: Exercise is marked, Test, System and Draft raise nothing; Ack and Error raise nothing', () => {
    const withStatus = (s: string) => message(fixture('cq-rainstorm-orange.cap').replace('<status>Actual</status>', `<status>${s}</status>`));
    expect(plan(withStatus('Exercise')).drafts.every((d) => d.exercise && (d.evidence as { cap: { exercise: boolean } }).cap.exercise)).toBe(true);
    for (const s of ['Test', 'System', 'Draft']) {
      const p = plan(withStatus(s));
      expect(p.drafts).toEqual([]);
      expect(p.notes.at(-1)!.en).toMatch(new RegExp(`^status ${s} .*nothing raised`));
    }
    const refs = '<scope>Public</scope><note>x</note><references>qxt.cq@example.org,CQ-QXT-20250701093000-RAINSTORM-ORANGE,2025-07-01T09:30:00+08:00</references>';
    for (const t of ['Ack', 'Error']) {
      const m = message(fixture('cq-rainstorm-orange.cap').replace('<msgType>Alert</msgType>', `<msgType>${t}</msgType>`).replace('<scope>Public</scope>', refs));
      const p = plan(m);
      expect([p.drafts, p.supersedes, p.cancels]).toEqual([[], [], []]);
      expect(p.notes.at(-1)!.en).toMatch(/only answers other messages/);
    }
  });

  it.skipIf(SKIP_SHARED_CAP)('an all-clear Update ends the old alerts and raises nothing new (canada.cap)', () => {
    const p = plan(message(readSample('canada.cap')), EVERYWHERE);
    expect(p.supersedes).toEqual(['cap:cap@ec.gc.ca:2.49.0.1.124.a3f342a4.2012:', 'cap:cap@ec.gc.ca:2.49.0.1.124.60f31a3a.2012:']);
    expect(p.drafts).toEqual([]);
    expect(p.notes.map((n) => n.en)).toEqual(['info 0 says AllClear: nothing raised for it', 'info 1 says AllClear: nothing raised for it']);
  });

  it('with a clock, expired infos raise nothing', () => {
    const m = message(readFixture('cq-rainstorm-orange.cap'));
    expect(plan(m, geo, '2025-07-01T12:00:00+08:00').drafts).toHaveLength(2);
    const late = plan(m, geo, '2025-07-02T00:00:00+08:00');
    expect(late.drafts).toEqual([]);
    expect(late.notes[0]!.en).toBe('info 0 expired at 2025-07-01T13:30:00.000Z');
  });

  it('keys stay unambiguous when senders and identifiers contain colons', () => {
    expect(capDedupKey('http://earthquake.usgs.gov/x', 'tag:a:1', '500103')).toBe('cap:http%3A//earthquake.usgs.gov/x:tag%3Aa%3A1:500103');
    expect(capKeyPrefix('a:b', 'c')).not.toBe(capKeyPrefix('a', 'b:c'));
    expect(capKeyPrefix('100%', 'x')).toBe('cap:100%25:x:');
  });
});

describe('the tables', () => {
  it('maps every CAP severity to a colour, Extreme to red and Unknown to the lowest', () => {
    expect(CAP_SEVERITIES.map((s) => CAP_SEVERITY_COLOURS[s])).toEqual(['red', 'orange', 'yellow', 'blue', 'blue']);
  });

  it('suggests case categories that exist in the catalogue (Chongqing pack rules)', () => {
    const codes = new Set(DEMO_CATEGORIES.map((c) => c.code));
    for (const r of CAP_WARNING_CATEGORIES) expect(codes.has(r.categoryCode), r.categoryCode).toBe(true);
    const s = (event: string, category: string[] = ['Met'], headline?: string) => suggestCaseCategory({ event, category: category as never, headline }, CAP_WARNING_CATEGORIES);
    expect(s('Flash Flood Watch')).toBe('safety.flash-flood');
    expect(s('山洪灾害')).toBe('safety.flash-flood');
    expect(s('Flood Warning')).toBe('safety.road-waterlogging');
    expect(s('Heavy Rain')).toBe('safety.road-waterlogging');
    expect(s('暴雨')).toBe('safety.road-waterlogging');
    expect(s('地质灾害（滑坡）', ['Geo'])).toBe('safety.geohazard');
    expect(s('森林火险', ['Fire'])).toBe('safety.forest-fire');
    expect(s('Bushfire', ['Fire'])).toBe('safety.forest-fire');
    expect(s('Fire', ['Fire', 'Met'], 'Yerong Creek Structure Fire')).toBe('safety.fire');
    expect(s('Fire Danger', ['Fire'])).toBe('safety.forest-fire');
    expect(s('Tsunami Warning', ['Geo'])).toBeNull();
    expect(s('Train derailment', ['Transport'])).toBeNull();
    expect(s('SEVERE THUNDERSTORM')).toBeNull();
  });

  it('suggests no category when the city gives no rules, and a plan carries its rules through', () => {
    expect(suggestCaseCategory({ event: '暴雨', category: ['Met'] })).toBeNull();
    const m = message(fixture('cq-rainstorm-orange.cap'));
    const without = planCapAlerts(m, capAreaTargets(m, EVERYWHERE));
    const withRules = planCapAlerts(m, capAreaTargets(m, EVERYWHERE), { caseCategoryRules: [{ words: /暴雨|rain/i, categoryCode: 'x.rain' }] });
    expect(without.drafts.length).toBeGreaterThan(0);
    expect(without.drafts.map((d) => d.categoryCode)).toEqual(without.drafts.map(() => null));
    expect(withRules.drafts.map((d) => d.categoryCode)).toEqual(withRules.drafts.map(() => 'x.rain'));
  });
});

describe.skipIf(SKIP_SHARED_CAP)(`the public samples (${SHARED_CAP_DIR})`, () => {
  it('import, but raise nothing in Chongqing', () => {
    for (const name of fs.readdirSync(SHARED_CAP_DIR).filter((f) => f.endsWith('.cap'))) {
      const r = parseCap(readSample(name));
      if (!r.ok) continue;
      const p = plan(r.message);
      expect(p.drafts, name).toEqual([]);
      if (r.message.msgType === 'Update') expect(p.supersedes.length, name).toBeGreaterThan(0);
    }
  });
});
