import { beforeAll, describe, expect, it } from 'vitest';
import { gcj02ToWgs84, haversineMeters } from '../../geo/crs.ts';
import { capAreaTargets } from './cap-areas.ts';
import { alertToCap, CapExportError, escapeXmlText, formatCapDateTime, type CapExportInput } from './cap-export.ts';
import { capGeographyFromResolver, type CapGeography } from './cap-geo.ts';
import { parseCap } from './cap-message.ts';
import type { CapMessage } from './cap-model.ts';
import { chongqingDistrictResolver, SKIP_SHARED_CAP, readFixture, readSample, SHARED_CAP_DIR, validateWithCapXsd } from './cap-test-kit.ts';
import { planCapAlerts } from './cap-warnings.ts';
import { CAP_EXPORT_CATEGORIES, CAP_WARNING_CATEGORIES } from '../../../cities/chongqing/mappings.ts';

// Chongqing's category table, as its pack gives it to the platform.
const OPTS = { sender: 'cityloop@ops.cq.example', senderName: '重庆市城市运行和治理中心', categoryMapping: CAP_EXPORT_CATEGORIES };

/** 南开下穿道, GCJ-02, in 渝中区. */
const NANKAI = { lon: 106.5529, lat: 29.5562 };

const ALERT: CapExportInput = {
  id: '01JZ8K3M4N5P6Q7R8S9T0V1W2X',
  number: 'YJ-20250701-0007',
  title: '南开下穿道积水超限',
  description: '水位 0.62 米，超过 0.5 米的阈值。',
  instruction: '封闭下穿道，绕行。',
  severity: 'orange',
  status: 'active',
  firstAt: '2025-07-01T02:15:00.000Z',
  lastAt: '2025-07-01T02:15:00.000Z',
  location: NANKAI,
  areaDesc: '渝中区 南开下穿道',
  districtCode: '500103',
  eventType: 'water_level_high',
  categoryCode: 'safety.underpass-waterlogging',
  readings: { water_level: 0.62, rain_1h: 38.5 },
  web: 'https://ops.cq.example/alerts/YJ-20250701-0007',
};

function parsed(xml: string): CapMessage {
  const r = parseCap(xml);
  if (!r.ok) throw new Error(r.errors.map((e) => `${e.path} ${e.message.en}`).join('; '));
  expect(r.warnings).toEqual([]);
  return r.message;
}

let geo: CapGeography;
beforeAll(() => {
  geo = capGeographyFromResolver(chongqingDistrictResolver());
});

describe('alertToCap', () => {
  it('an active alert is a CAP 1.2 Alert that our own reader accepts in full', () => {
    const xml = alertToCap(ALERT, OPTS);
    expect(xml.startsWith('<?xml version="1.0" encoding="UTF-8"?>\n<alert xmlns="urn:oasis:names:tc:emergency:cap:1.2">')).toBe(true);
    const m = parsed(xml);
    expect(m).toMatchObject({
      version: '1.2',
      identifier: 'cityloop.01JZ8K3M4N5P6Q7R8S9T0V1W2X',
      sender: 'cityloop@ops.cq.example',
      sent: '2025-07-01T10:15:00+08:00',
      sentUtc: '2025-07-01T02:15:00.000Z',
      status: 'Actual',
      msgType: 'Alert',
      scope: 'Public',
      references: [],
    });
    const info = m.infos[0]!;
    expect(info).toMatchObject({
      language: 'zh-CN',
      category: ['Met'],
      event: 'water_level_high',
      urgency: 'Immediate',
      severity: 'Severe',
      certainty: 'Likely',
      senderName: '重庆市城市运行和治理中心',
      headline: '南开下穿道积水超限',
      web: 'https://ops.cq.example/alerts/YJ-20250701-0007',
      effective: '2025-07-01T10:15:00+08:00',
    });
    expect(info.eventCode).toEqual([
      { valueName: 'cityloop:eventType', value: 'water_level_high' },
      { valueName: 'cityloop:caseCategory', value: 'safety.underpass-waterlogging' },
    ]);
    expect(info.parameter).toEqual([
      { valueName: 'cityloop:alertNumber', value: 'YJ-20250701-0007' },
      { valueName: 'rain_1h', value: '38.5' },
      { valueName: 'water_level', value: '0.62' },
    ]);
    const area = info.area[0]!;
    expect(area.geocode).toEqual([{ valueName: 'GB/T 2260', value: '500103' }]);
    expect(area.circle[0]!.radiusKm).toBe(0.1);
  });

  it('writes WGS-84, so the area comes back to the same place and the same district', () => {
    const m = parsed(alertToCap(ALERT, OPTS));
    const c = m.infos[0]!.area[0]!.circle[0]!.center;
    const wgs = gcj02ToWgs84(NANKAI.lon, NANKAI.lat);
    expect(haversineMeters(c, wgs)).toBeLessThan(0.2);
    expect(haversineMeters(c, [NANKAI.lon, NANKAI.lat])).toBeGreaterThan(200); // it was converted
    const plan = planCapAlerts(m, capAreaTargets(m, geo), { caseCategoryRules: CAP_WARNING_CATEGORIES });
    expect(plan.drafts.map((d) => [d.jurisdictionCode, d.severity, d.categoryCode])).toEqual([['500103', 'orange', 'safety.road-waterlogging']]);
  });

  it("CAP categories come from the city's table: a family prefix matches, an unmapped code or no table says Other", () => {
    const cats = (over: Partial<CapExportInput>, opts: Parameters<typeof alertToCap>[1] = OPTS) => parsed(alertToCap({ ...ALERT, ...over }, opts)).infos[0]!.category;
    expect(cats({ categoryCode: 'municipal.manhole.missing' })).toEqual(['Infra']);
    expect(cats({ categoryCode: 'nothing.mapped' })).toEqual(['Other']);
    expect(cats({}, { sender: OPTS.sender })).toEqual(['Other']);
    expect(cats({ categoryCode: 'b.c' }, { sender: OPTS.sender, categoryMapping: [['a', 'Geo'], ['b', 'Rescue']] })).toEqual(['Rescue']);
  });

  it('severity: our colours to CAP', () => {
    const sev = (severity: CapExportInput['severity']) => parsed(alertToCap({ ...ALERT, severity }, OPTS)).infos[0]!.severity;
    expect([sev('red'), sev('orange'), sev('yellow'), sev('blue')]).toEqual(['Extreme', 'Severe', 'Moderate', 'Minor']);
  });

  it('a changed, a cleared and a dismissed alert refer back to the first message', () => {
    const original = 'cityloop@ops.cq.example,cityloop.01JZ8K3M4N5P6Q7R8S9T0V1W2X,2025-07-01T10:15:00+08:00';
    const [sender, identifier, sent] = original.split(',');
    const changed = parsed(alertToCap({ ...ALERT, severity: 'red', lastAt: '2025-07-01T02:40:00.000Z' }, OPTS));
    expect(changed).toMatchObject({ msgType: 'Update', identifier: 'cityloop.01JZ8K3M4N5P6Q7R8S9T0V1W2X.u20250701T024000', sent: '2025-07-01T10:40:00+08:00', references: [{ sender, identifier, sent }] });
    const cleared = parsed(alertToCap({ ...ALERT, status: 'cleared', lastAt: '2025-07-01T03:00:00.000Z', endedAt: '2025-07-01T03:05:00.000Z' }, OPTS));
    expect(cleared).toMatchObject({ msgType: 'Update', identifier: 'cityloop.01JZ8K3M4N5P6Q7R8S9T0V1W2X.cleared', sent: '2025-07-01T11:05:00+08:00', references: [{ sender, identifier, sent }] });
    expect(cleared.infos[0]).toMatchObject({ responseType: ['AllClear'], urgency: 'Past', certainty: 'Observed' });
    const dismissed = parsed(alertToCap({ ...ALERT, status: 'dismissed', dismissReason: '传感器被杂物遮挡' }, OPTS));
    expect(dismissed).toMatchObject({ msgType: 'Cancel', identifier: 'cityloop.01JZ8K3M4N5P6Q7R8S9T0V1W2X.cancel', note: '传感器被杂物遮挡', references: [{ sender, identifier, sent }] });
    expect(dismissed.infos[0]).toMatchObject({ responseType: ['None'], certainty: 'Unlikely' });
    // Our own import of those messages: the update supersedes and the cancel withdraws the first.
    const prefix = 'cap:cityloop@ops.cq.example:cityloop.01JZ8K3M4N5P6Q7R8S9T0V1W2X:';
    expect(planCapAlerts(cleared, capAreaTargets(cleared, geo))).toMatchObject({ supersedes: [prefix], drafts: [] });
    expect(planCapAlerts(dismissed, capAreaTargets(dismissed, geo))).toMatchObject({ cancels: [prefix], drafts: [] });
  });

  it('a polygon is written closed, in WGS-84 "lat,lon"; no location gives an area by description', () => {
    const ring: [number, number][] = [[106.566, 29.536], [106.584, 29.534], [106.586, 29.552], [106.565, 29.556]];
    const m = parsed(alertToCap({ ...ALERT, location: null, polygon: ring }, OPTS));
    const p = m.infos[0]!.area[0]!.polygon[0]!;
    expect(p).toHaveLength(5);
    expect(p[0]).toEqual(p[4]);
    expect(haversineMeters(p[1]!, gcj02ToWgs84(106.584, 29.534))).toBeLessThan(0.2);
    const plan = planCapAlerts(m, capAreaTargets(m, geo));
    expect(plan.drafts.map((d) => d.jurisdictionCode)).toEqual(['500103', '500108']);
    const bare = parsed(alertToCap({ ...ALERT, location: null, districtCode: null }, OPTS)).infos[0]!.area[0]!;
    expect(bare).toMatchObject({ areaDesc: '渝中区 南开下穿道', polygon: [], circle: [], geocode: [] });
  });

  it('escapes everything: a title cannot inject markup, control characters are dropped', () => {
    const nasty = '</headline><script>alert(1)</script> & "引号" \'单\' ]]> \u0001\u0008 😀';
    const xml = alertToCap({ ...ALERT, title: nasty, description: '<![CDATA[x]]>', areaDesc: '<area>', eventType: 'a&b', readings: { '<k>': 1 }, dismissReason: null }, OPTS);
    expect(xml).not.toContain('<script>');
    const info = parsed(xml).infos[0]!;
    expect(info.headline).toBe('</headline><script>alert(1)</script> & "引号" \'单\' ]]>  😀');
    expect(info.description).toBe('<![CDATA[x]]>');
    expect(info.area[0]!.areaDesc).toBe('<area>');
    expect(info.event).toBe('a&b');
    expect(info.parameter.at(-1)).toEqual({ valueName: '<k>', value: '1' });
    expect(escapeXmlText('a<b&c>d')).toBe('a&lt;b&amp;c&gt;d');
  });

  it('times: the offset asked for, whole seconds, UTC as -00:00', () => {
    expect(formatCapDateTime('2025-07-01T02:15:30.999Z')).toBe('2025-07-01T10:15:30+08:00');
    expect(formatCapDateTime('2025-07-01T02:15:30Z', 0)).toBe('2025-07-01T02:15:30-00:00');
    expect(formatCapDateTime('2025-07-01T02:15:30Z', -330)).toBe('2025-06-30T20:45:30-05:30');
    expect(parsed(alertToCap(ALERT, { ...OPTS, utcOffsetMinutes: 0 })).sent).toBe('2025-07-01T02:15:00-00:00');
  });

  it('refuses what the platform should never hold, with a reason', () => {
    expect(() => alertToCap(ALERT, { sender: 'city loop' })).toThrow(CapExportError);
    expect(() => alertToCap(ALERT, { sender: 'a,b' })).toThrow(/sender/);
    expect(() => alertToCap({ ...ALERT, id: ' ' }, OPTS)).toThrow(/alert id is empty/);
    expect(() => alertToCap({ ...ALERT, firstAt: 'yesterday' }, OPTS)).toThrow(/cannot be read/);
    expect(() => alertToCap({ ...ALERT, web: '/alerts/7' }, OPTS)).toThrow(/absolute URI/);
    expect(() => alertToCap({ ...ALERT, location: { lon: 206, lat: 29 } }, OPTS)).toThrow(/coordinates are not valid/);
    expect(() => alertToCap({ ...ALERT, location: null, polygon: [[106.5, 29.5], [106.6, 29.5]] }, OPTS)).toThrow(/at least 3 distinct points/);
    // An id with characters CAP forbids in identifiers is made safe rather than refused.
    expect(parsed(alertToCap({ ...ALERT, id: 'a b,c<d&e' }, OPTS)).identifier).toBe('cityloop.a_b_c_d_e');
  });
});

describe('CAP-v1.2.xsd (libxml2), the schema itself', () => {
  it('accepts every kind of export', async () => {
    const docs = [
      { name: 'active.xml', xml: alertToCap(ALERT, OPTS) },
      { name: 'changed.xml', xml: alertToCap({ ...ALERT, severity: 'red', lastAt: '2025-07-01T02:40:00.000Z', verified: true, expiresAt: '2025-07-01T12:00:00Z' }, OPTS) },
      { name: 'cleared.xml', xml: alertToCap({ ...ALERT, status: 'cleared', lastAt: '2025-07-01T03:00:00.000Z' }, OPTS) },
      { name: 'dismissed.xml', xml: alertToCap({ ...ALERT, status: 'dismissed', dismissReason: '误报 <测试> & 撤销' }, { ...OPTS, utcOffsetMinutes: 0 }) },
      { name: 'polygon.xml', xml: alertToCap({ ...ALERT, location: null, polygon: [[106.566, 29.536], [106.584, 29.534], [106.586, 29.552], [106.566, 29.536]], capCategories: ['Met', 'Infra'] }, OPTS) },
      { name: 'bare.xml', xml: alertToCap({ ...ALERT, location: null, districtCode: null, description: null, instruction: null, web: null, readings: {}, categoryCode: null }, { sender: 'x' }) },
      { name: 'nasty.xml', xml: alertToCap({ ...ALERT, title: '</headline><evil attr="1"/>&amp; \u0000 \uFFFE 😀', eventType: ']]>' }, OPTS) },
    ];
    // …and the validator is not vacuous: a broken export fails.
    const broken = { name: 'broken.xml', xml: alertToCap(ALERT, OPTS).replace('<status>Actual</status>', '<status>Real</status>') };
    const verdicts = await validateWithCapXsd([...docs, broken]);
    for (const d of docs) expect(verdicts.get(d.name), d.name).toEqual({ valid: true, errors: [] });
    expect(verdicts.get('broken.xml')!.valid).toBe(false);
    expect(verdicts.get('broken.xml')!.errors.join('\n')).toMatch(/status.*Real/);
  });

  it('agrees with our reader on the Chongqing fixtures', async () => {
    const names = ['cq-rainstorm-orange.cap', 'cq-rainstorm-red-update.cap', 'cq-rainstorm-cancel.cap', 'cq-landslide-circle.cap', 'cq-geocode-only.cap'];
    const verdicts = await validateWithCapXsd(names.map((name) => ({ name, xml: readFixture(name) })));
    for (const name of names) {
      expect(verdicts.get(name)?.valid, name).toBe(true);
      expect(parseCap(readFixture(name)).ok, name).toBe(true);
    }
  });

  it.skipIf(SKIP_SHARED_CAP)(`cross-checks our verdicts on the CAP 1.2 samples (${SHARED_CAP_DIR})`, async () => {
    // Every CAP 1.2 sample we import is valid against the schema. Of those we refuse,
    // invalid.cap breaks the schema too; canada_errors.cap is schema-valid (an empty
    // <references/> is an xs:string) but an Update that names no message is meaningless, so we
    // refuse it on the specification's definition of Update. xee.cap is never handed to libxml2.
    const good12 = ['43b080713727.cap', 'australia.cap', 'canada.cap', 'canada_signed.cap', 'earthquake-iso8859-1.cap', 'thunderstorm.cap', 'wcatwc-warning.cap'];
    const names = [...good12, 'invalid.cap', 'canada_errors.cap'];
    const verdicts = await validateWithCapXsd(names.map((name) => ({ name, xml: readSample(name) })));
    for (const name of good12) {
      expect(verdicts.get(name), name).toEqual({ valid: true, errors: [] });
      const r = parseCap(readSample(name));
      expect(r.ok && r.message.version, name).toBe('1.2');
    }
    expect(verdicts.get('invalid.cap')!.valid).toBe(false);
    expect(verdicts.get('invalid.cap')!.errors.join('\n')).toMatch(/Expected is one of .*scope/);
    expect(parseCap(readSample('invalid.cap')).ok).toBe(false);
    expect(verdicts.get('canada_errors.cap')!.valid).toBe(true);
    expect(parseCap(readSample('canada_errors.cap')).ok).toBe(false);
  });
});
