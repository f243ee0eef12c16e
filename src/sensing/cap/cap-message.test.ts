import fs from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseCap } from './cap-message.ts';
import type { CapParseResult } from './cap-model.ts';
import { parseCapDateTime, splitCapList } from './cap-values.ts';
import { SKIP_SHARED_CAP, readFixture, readSample, SHARED_CAP_DIR } from './cap-test-kit.ts';

const NS12 = 'urn:oasis:names:tc:emergency:cap:1.2';
const NS11 = 'urn:oasis:names:tc:emergency:cap:1.1';

/** A valid CAP message, with parts replaceable by the test. */
function cap(o: { ns?: string; head?: string; afterScope?: string; info?: string; infoBody?: string; area?: string; tail?: string; msgType?: string; sent?: string } = {}): string {
  const area = o.area ?? '<area><areaDesc>渝中区</areaDesc><polygon>29.55,106.56 29.55,106.58 29.56,106.58 29.55,106.56</polygon><circle>29.5476,106.451 2</circle></area>';
  const infoBody =
    o.infoBody ??
    `<category>Met</category><event>暴雨</event><urgency>Expected</urgency><severity>Severe</severity><certainty>Likely</certainty>${area}`;
  const info = o.info ?? `<info>${infoBody}</info>`;
  return `<?xml version="1.0" encoding="UTF-8"?>
<alert xmlns="${o.ns ?? NS12}">
  ${o.head ?? `<identifier>ID-1</identifier><sender>a@example.org</sender><sent>${o.sent ?? '2025-07-01T09:30:00+08:00'}</sent><status>Actual</status><msgType>${o.msgType ?? 'Alert'}</msgType><scope>Public</scope>`}
  ${o.afterScope ?? ''}
  ${info}
  ${o.tail ?? ''}
</alert>`;
}

function accepted(r: CapParseResult) {
  if (!r.ok) throw new Error(`expected acceptance, got: ${r.errors.map((e) => `${e.path} ${e.message.en}`).join('; ')}`);
  return r;
}

/** The refusal's problems as "path: english" lines. */
function refusal(r: CapParseResult): string[] {
  if (r.ok) throw new Error('expected a refusal, the message was accepted');
  for (const e of r.errors) {
    expect(e.message.zh.length).toBeGreaterThan(0);
    expect(e.message.en.length).toBeGreaterThan(0);
  }
  return r.errors.map((e) => `${e.path}: ${e.message.en}`);
}

describe.skipIf(SKIP_SHARED_CAP)(`the shared CAP samples (${SHARED_CAP_DIR})`, () => {
  // The verdicts, decided from the CAP 1.2 / 1.1 rules (docs/reference/cap.md explains each).
  const GOOD: Record<string, { version: '1.1' | '1.2'; msgType: string; infos: number; signed?: boolean }> = {
    '43b080713727.cap': { version: '1.2', msgType: 'Alert', infos: 1 },
    'KAR0-0306112239-SW.cap': { version: '1.1', msgType: 'Alert', infos: 1 },
    'australia.cap': { version: '1.2', msgType: 'Alert', infos: 2 },
    'canada.cap': { version: '1.2', msgType: 'Update', infos: 2 },
    'canada_signed.cap': { version: '1.2', msgType: 'Update', infos: 2, signed: true },
    'earthquake-iso8859-1.cap': { version: '1.2', msgType: 'Alert', infos: 1, signed: true },
    'earthquake.cap': { version: '1.1', msgType: 'Alert', infos: 1 },
    'earthquake_signed.cap': { version: '1.1', msgType: 'Alert', infos: 1, signed: true },
    'thunderstorm.cap': { version: '1.2', msgType: 'Alert', infos: 1 },
    'wcatwc-warning.cap': { version: '1.2', msgType: 'Update', infos: 1 },
    'weather.cap': { version: '1.1', msgType: 'Alert', infos: 1 },
  };
  const BAD: Record<string, RegExp[]> = {
    'invalid.cap': [/^\/alert\/scope: required element <scope> is missing/],
    'canada_errors.cap': [/^\/alert\/references: <references> is present but empty/],
    'noaa_errors.cap': [
      /^\/alert\/references: <references> is present but empty/,
      /^\/alert\/info\[0\]\/urgency: <urgency> value "" is not valid/,
      /^\/alert\/info\[0\]\/severity: <severity> value "" is not valid/,
      /^\/alert\/info\[0\]\/certainty: <certainty> value "" is not valid/,
      /^\/alert\/info\[0\]\/area\[0\]\/polygon\[0\]: coordinate "\+40\.85,-118\.09," should be "lat,lon"/,
      // Its second, empty <polygon> is no longer a reason (issue 14): empty optional elements are
      // ignored with a warning, as NWS sends them in valid alerts.
    ],
    'no_optional_fields.cap': [/^\/alert\/info: the Alert message has no <info>: .*nothing to import/],
    'xee.cap': [/^\/: DOCTYPE declarations are refused/],
  };

  it('covers every sample in the folder', () => {
    const names = fs.readdirSync(SHARED_CAP_DIR).filter((f) => f.endsWith('.cap')).sort();
    expect(names).toEqual(Object.keys({ ...GOOD, ...BAD }).sort());
  });

  it.each(Object.entries(GOOD))('imports %s', (name, want) => {
    const r = accepted(parseCap(readSample(name)));
    expect(r.message.version).toBe(want.version);
    expect(r.message.msgType).toBe(want.msgType);
    expect(r.message.infos).toHaveLength(want.infos);
    expect(r.message.signed).toBe(want.signed ?? false);
    if (want.signed) expect(r.warnings.join('\n')).toMatch(/NOT verified/);
  });

  it.each(Object.entries(BAD))('refuses %s with its reasons', (name, reasons) => {
    const problems = refusal(parseCap(readSample(name)));
    expect(problems).toHaveLength(reasons.length);
    reasons.forEach((re, i) => expect(problems[i]).toMatch(re));
  });

  it('reads the ISO-8859-1 sample in its declared encoding', () => {
    const r = accepted(parseCap(readSample('earthquake-iso8859-1.cap')));
    expect(r.message.infos[0]!.headline).toBe('EQ 4.6 Usulután, Usulután, El Salvador - PRELIMINARY REPORT');
  });

  it('reads what the samples say: times, references, polygons (lon, lat), circles, geocodes, parameters', () => {
    const storm = accepted(parseCap(readSample('thunderstorm.cap'))).message;
    expect(storm.sent).toBe('2003-06-17T14:57:00-07:00');
    expect(storm.sentUtc).toBe('2003-06-17T21:57:00.000Z');
    const area = storm.infos[0]!.area[0]!;
    expect(area.polygon[0]![0]).toEqual([-120.14, 38.47]);
    expect(area.polygon[0]).toHaveLength(5);
    expect(area.geocode).toContainEqual({ valueName: 'SAME', value: '006109' });
    expect(storm.infos[0]!.language).toBe('en-US'); // the schema's default
    expect(storm.infos[0]!.expiresUtc).toBe('2003-06-17T23:00:00.000Z');

    const canada = accepted(parseCap(readSample('canada.cap'))).message;
    expect(canada.references).toEqual([
      { sender: 'cap@ec.gc.ca', identifier: '2.49.0.1.124.a3f342a4.2012', sent: '2012-05-02T21:45:05-00:00' },
      { sender: 'cap@ec.gc.ca', identifier: '2.49.0.1.124.60f31a3a.2012', sent: '2012-05-02T21:55:21-00:00' },
    ]);
    expect(canada.restriction).toBeUndefined(); // <restriction/>: empty is absent
    expect(canada.infos.map((i) => i.language)).toEqual(['en-CA', 'fr-CA']);
    expect(canada.infos[1]!.responseType).toEqual(['AllClear']);

    const australia = accepted(parseCap(readSample('australia.cap'))).message; // prefixed cap: names
    expect(australia.infos[0]!.area[0]!.circle).toEqual([{ center: [147.0598, -35.3888], radiusKm: 25 }]);
    expect(australia.infos[0]!.description).toContain('<br />'); // escaped markup is text, never parsed
    expect(australia.infos[0]!.parameter).toContainEqual({ valueName: 'AllocatedResources', value: '' });

    const tsunami = accepted(parseCap(readSample('wcatwc-warning.cap'))).message;
    expect(tsunami.references).toEqual([{ sender: 'PAAQ', identifier: 'PAAQ-1-lqw6d6', sent: '2011-09-02T10:55:55-00:00' }]);
    expect(tsunami.incidents).toEqual(['lqw6d6']);
  });

  it('the entity attack fails for each of its parts, not only the DOCTYPE', () => {
    const text = new TextDecoder().decode(readSample('xee.cap'));
    const noDoctype = text.replace(/<!DOCTYPE[\s\S]*?\]>/, '');
    expect(refusal(parseCap(noDoctype))[0]).toMatch(/XInclude element <xi:include> refused/);
    const noInclude = noDoctype.replace(/<x xmlns:xi[\s\S]*?<\/x>/, '');
    expect(refusal(parseCap(noInclude))[0]).toMatch(/undeclared entity &xxe; refused/);
    const noEntities = noInclude.replaceAll('&xxe;', '');
    expect(refusal(parseCap(noEntities))).toEqual([
      expect.stringMatching(/^\/alert\/y: element <\{http:\/\/a\.b\/\}y> is not allowed in <alert>/),
    ]);
  });

  it('never throws, whatever is cut off or garbled', () => {
    for (const name of fs.readdirSync(SHARED_CAP_DIR).filter((f: string) => f.endsWith('.cap'))) {
      const bytes = readSample(name);
      for (let cut = 0; cut < bytes.length; cut += Math.max(1, Math.floor(bytes.length / 40))) {
        const r = parseCap(bytes.subarray(0, cut));
        expect(r.ok).toBe(false);
      }
      const garbled = Uint8Array.from(bytes, (b, i) => (i % 97 === 13 ? (b ^ 0x20) : b));
      expect(() => parseCap(garbled)).not.toThrow();
    }
  });
});

describe('our Chongqing fixtures', () => {
  it('are valid CAP 1.2', () => {
    for (const name of ['cq-rainstorm-orange.cap', 'cq-rainstorm-red-update.cap', 'cq-rainstorm-cancel.cap', 'cq-landslide-circle.cap', 'cq-geocode-only.cap']) {
      const r = accepted(parseCap(readFixture(name)));
      expect(r.warnings).toEqual([]);
    }
    const orange = accepted(parseCap(readFixture('cq-rainstorm-orange.cap'))).message;
    expect(orange.sentUtc).toBe('2025-07-01T01:30:00.000Z');
    expect(orange.infos[1]!.parameter).toEqual([{ valueName: '预警级别', value: '橙色 <II级> & 以上' }]);
    expect(orange.infos[1]!.area[0]!.polygon[0]![0]).toEqual([106.5623, 29.5389]);
  });
});

describe('parseCap: the rules', () => {
  it('accepts a minimal valid message', () => {
    const m = accepted(parseCap(cap())).message;
    expect(m).toMatchObject({ version: '1.2', identifier: 'ID-1', sender: 'a@example.org', status: 'Actual', msgType: 'Alert', scope: 'Public', references: [], code: [], signed: false });
    expect(m.infos[0]).toMatchObject({ language: 'en-US', category: ['Met'], event: '暴雨', urgency: 'Expected', severity: 'Severe', certainty: 'Likely', responseType: [] });
    expect(m.infos[0]!.area[0]!.circle[0]).toEqual({ center: [106.451, 29.5476], radiusKm: 2 });
  });

  it('refuses missing required elements, each by its path', () => {
    expect(refusal(parseCap(cap({ infoBody: '<category>Met</category><urgency>Expected</urgency><severity>Severe</severity><certainty>Likely</certainty>' })))).toEqual([
      '/alert/info[0]/event: required element <event> is missing',
    ]);
    expect(refusal(parseCap(cap({ infoBody: '<event>x</event><urgency>Expected</urgency><severity>Severe</severity><certainty>Likely</certainty>' })))).toEqual([
      '/alert/info[0]/category: required element <category> is missing',
    ]);
    expect(refusal(parseCap(cap({ area: '<area><polygon>29.55,106.56 29.55,106.58 29.56,106.58 29.55,106.56</polygon></area>' })))).toEqual([
      '/alert/info[0]/area[0]/areaDesc: required element <areaDesc> is missing',
    ]);
    expect(refusal(parseCap(cap({ head: '<identifier>ID-1</identifier><sender>a@example.org</sender><status>Actual</status><msgType>Alert</msgType><scope>Public</scope>' })))).toEqual([
      '/alert/sent: required element <sent> is missing',
    ]);
    expect(refusal(parseCap(cap({ head: '<identifier></identifier><sender>a@example.org</sender><sent>2025-07-01T09:30:00+08:00</sent><status>Actual</status><msgType>Alert</msgType><scope>Public</scope>' })))).toEqual([
      '/alert/identifier: <identifier> must not be empty',
    ]);
  });

  it('refuses elements out of the schema order, repeated, unknown, or with attributes', () => {
    expect(refusal(parseCap(cap({ head: '<identifier>ID-1</identifier><sender>a@example.org</sender><status>Actual</status><sent>2025-07-01T09:30:00+08:00</sent><msgType>Alert</msgType><scope>Public</scope>' })))).toEqual([
      '/alert/sent: <sent> is out of order: it must come before <status>',
    ]);
    expect(refusal(parseCap(cap({ afterScope: '<note>a</note><note>b</note>' })))).toEqual(['/alert/note: <note> may appear only once']);
    expect(refusal(parseCap(cap({ afterScope: '<priority>high</priority>' })))).toEqual(['/alert/priority: element <priority> is not allowed in <alert>']);
    expect(refusal(parseCap(cap({ afterScope: `<note xmlns="${NS11}">mixed</note>` })))).toEqual([
      '/alert/note: element <note> from another CAP version in a CAP 1.2 message',
    ]);
    expect(refusal(parseCap(cap({ afterScope: '<note lang="zh">x</note>' })))).toEqual(['/alert/note: CAP elements take no attributes; found lang']);
    expect(refusal(parseCap(cap({ afterScope: '<note><b>x</b></note>' })))).toEqual(['/alert/note: <note> must contain text only']);
    expect(refusal(parseCap(cap({ afterScope: 'stray text' })))).toEqual(['/alert: <alert> may not contain text directly']);
  });

  it('checks the enumerations exactly, and 1.1 has no Avoid or AllClear', () => {
    const body = (urgency: string, extra = '') => `<category>Met</category><event>e</event>${extra}<urgency>${urgency}</urgency><severity>Severe</severity><certainty>Likely</certainty>`;
    expect(refusal(parseCap(cap({ infoBody: body('Soon') })))[0]).toMatch(/^\/alert\/info\[0\]\/urgency: <urgency> value "Soon" is not valid; expected one of Immediate/);
    expect(refusal(parseCap(cap({ infoBody: body(' Expected ') })))[0]).toMatch(/no surrounding white space/);
    expect(refusal(parseCap(cap({ infoBody: body('expected') })))[0]).toMatch(/"expected" is not valid/);
    expect(refusal(parseCap(cap({ head: '<identifier>ID-1</identifier><sender>a@example.org</sender><sent>2025-07-01T09:30:00+08:00</sent><status>Real</status><msgType>Alert</msgType><scope>Public</scope>' })))[0]).toMatch(/<status> value "Real"/);
    expect(accepted(parseCap(cap({ infoBody: body('Past', '<responseType>AllClear</responseType>') }))).message.infos[0]!.responseType).toEqual(['AllClear']);
    expect(refusal(parseCap(cap({ ns: NS11, infoBody: body('Past', '<responseType>AllClear</responseType>') })))[0]).toMatch(
      /^\/alert\/info\[0\]\/responseType\[0\]: <responseType> value "AllClear" is not valid; expected one of Shelter, Evacuate, Prepare, Execute, Monitor, Assess, None$/,
    );
    expect(refusal(parseCap(cap({ infoBody: '<category>Weather</category><event>e</event><urgency>Past</urgency><severity>Severe</severity><certainty>Likely</certainty>' })))[0]).toMatch(/category\[0\]: <category> value "Weather"/);
  });

  it('CAP 1.1: a resource may omit mimeType; "Very Likely" reads as Likely', () => {
    const body = (certainty: string) => `<category>Geo</category><event>e</event><urgency>Past</urgency><severity>Minor</severity><certainty>${certainty}</certainty><resource><resourceDesc>map</resourceDesc></resource>`;
    const r = accepted(parseCap(cap({ ns: NS11, infoBody: body('Very Likely') })));
    expect(r.message.version).toBe('1.1');
    expect(r.message.infos[0]!.certainty).toBe('Likely');
    expect(r.warnings.join()).toMatch(/Very Likely/);
    expect(refusal(parseCap(cap({ infoBody: body('Likely') })))).toEqual(['/alert/info[0]/resource[0]/mimeType: required element <mimeType> is missing']);
  });

  it('times: an explicit offset, no Z, no fractions in 1.2, real calendar dates', () => {
    expect(refusal(parseCap(cap({ sent: '2025-07-01T09:30:00Z' })))).toEqual(["/alert/sent: time \"2025-07-01T09:30:00Z\" must not use 'Z' for UTC: write -00:00"]);
    expect(refusal(parseCap(cap({ sent: '2025-07-01T09:30:00' })))[0]).toMatch(/has no time-zone offset/);
    expect(refusal(parseCap(cap({ sent: '2025-07-01T09:30:00.5+08:00' })))[0]).toMatch(/must not have fractional seconds/);
    expect(accepted(parseCap(cap({ ns: NS11, sent: '2025-07-01T09:30:00.5+08:00' }))).message.sentUtc).toBe('2025-07-01T01:30:00.500Z');
    expect(refusal(parseCap(cap({ sent: '2025-02-29T09:30:00+08:00' })))[0]).toMatch(/out of range/);
    expect(refusal(parseCap(cap({ sent: '2025-07-01 09:30:00+08:00' })))[0]).toMatch(/is not a CAP time/);
    expect(accepted(parseCap(cap({ sent: '2024-02-29T23:30:00-00:00' }))).message.sentUtc).toBe('2024-02-29T23:30:00.000Z');
    const plus = accepted(parseCap(cap({ sent: '2025-07-01T09:30:00+00:00' })));
    expect(plus.warnings.join()).toMatch(/-00:00/);
    expect(parseCapDateTime('2025-12-31T23:30:00-05:30')).toEqual({ ok: true, utc: '2026-01-01T05:00:00.000Z', utcZero: false });
  });

  it('identifier and sender: no spaces, commas, < or &', () => {
    const head = (id: string, sender: string) => `<identifier>${id}</identifier><sender>${sender}</sender><sent>2025-07-01T09:30:00+08:00</sent><status>Actual</status><msgType>Alert</msgType><scope>Public</scope>`;
    expect(refusal(parseCap(cap({ head: head('ID 1', 'a@example.org') })))[0]).toMatch(/^\/alert\/identifier: <identifier> "ID 1" contains white space, a comma/);
    expect(refusal(parseCap(cap({ head: head('ID-1', 'a,b') })))[0]).toMatch(/^\/alert\/sender: <sender> "a,b"/);
    expect(refusal(parseCap(cap({ head: head('ID&amp;1', 'a') })))[0]).toMatch(/<identifier> "ID&1"/);
  });

  it('scope: Restricted needs a restriction, Private needs addresses', () => {
    const head = (scope: string) => `<identifier>ID-1</identifier><sender>a</sender><sent>2025-07-01T09:30:00+08:00</sent><status>Actual</status><msgType>Alert</msgType><scope>${scope}</scope>`;
    expect(refusal(parseCap(cap({ head: head('Restricted') })))).toEqual(['/alert/restriction: <restriction> is required when <scope> is Restricted']);
    expect(refusal(parseCap(cap({ head: head('Restricted'), afterScope: '<restriction/>' })))).toHaveLength(1);
    expect(accepted(parseCap(cap({ head: head('Restricted'), afterScope: '<restriction>staff only</restriction>' }))).message.restriction).toBe('staff only');
    expect(refusal(parseCap(cap({ head: head('Private') })))).toEqual(['/alert/addresses: <addresses> is required when <scope> is Private']);
    const m = accepted(parseCap(cap({ head: head('Private'), afterScope: '<addresses>ops@example.org "Yuzhong duty desk" 12345</addresses>' }))).message;
    expect(m.addresses).toEqual(['ops@example.org', 'Yuzhong duty desk', '12345']);
    expect(splitCapList('  ')).toEqual([]);
  });

  it('Update, Cancel, Ack and Error name what they refer to; every reference is a full triple', () => {
    for (const t of ['Update', 'Cancel', 'Ack', 'Error']) {
      expect(refusal(parseCap(cap({ msgType: t })))).toEqual([`/alert/references: a ${t} message must name the message(s) it refers to in <references>`]);
    }
    const refs = '<references>a,ID-0,2025-07-01T08:00:00+08:00 b,ID-00,2025-07-01T08:30:00+08:00</references>';
    const m = accepted(parseCap(cap({ msgType: 'Cancel', afterScope: refs, info: '' }))).message;
    expect(m.references.map((r) => r.identifier)).toEqual(['ID-0', 'ID-00']);
    expect(m.infos).toEqual([]); // a Cancel may carry no info
    expect(refusal(parseCap(cap({ msgType: 'Update', afterScope: '<references>a,ID-0</references>' })))).toEqual([
      '/alert/references: reference "a,ID-0" should be "sender,identifier,sent"',
    ]);
    expect(refusal(parseCap(cap({ msgType: 'Update', afterScope: '<references>a,ID-0,yesterday</references>' })))[0]).toMatch(/reference "a,ID-0,yesterday": "yesterday" is not a CAP time/);
    expect(accepted(parseCap(cap({ msgType: 'Error', afterScope: refs, info: '' }))).warnings.join()).toMatch(/should explain itself in <note>/);
    expect(accepted(parseCap(cap({ afterScope: refs }))).message.references).toHaveLength(2); // an Alert may cite others
  });

  it('an Alert or Update without <info> has nothing to import', () => {
    expect(refusal(parseCap(cap({ info: '' })))[0]).toMatch(/^\/alert\/info: the Alert message has no <info>/);
  });

  it('polygons: at least four points, closed, in range, "lat,lon" pairs; circles "lat,lon radius"', () => {
    const area = (inner: string) => cap({ area: `<area><areaDesc>x</areaDesc>${inner}</area>` });
    expect(refusal(parseCap(area('<polygon>29.55,106.56 29.55,106.58 29.55,106.56</polygon>')))).toEqual([
      '/alert/info[0]/area[0]/polygon[0]: the polygon has 3 points; at least 4 are required (first = last)',
    ]);
    expect(refusal(parseCap(area('<polygon>29.55,106.56 29.55,106.58 29.56,106.58 29.56,106.56</polygon>')))[0]).toMatch(/not closed/);
    expect(refusal(parseCap(area('<polygon>106.56,29.55 106.58,29.55 106.58,29.56 106.56,29.55</polygon>')))[0]).toMatch(/latitude 106.56 is out of range/);
    expect(refusal(parseCap(area('<polygon>29.55 106.56 29.55 106.58</polygon>')))[0]).toMatch(/coordinate "29.55" should be "lat,lon"/);
    expect(refusal(parseCap(area('<polygon>29.55,1e2 29.55,106.58 29.56,106.58 29.55,1e2</polygon>')))[0]).toMatch(/not numeric/);
    expect(refusal(parseCap(area('<circle>29.5,106.5</circle>')))[0]).toMatch(/should be "lat,lon radius-in-km"/);
    expect(refusal(parseCap(area('<circle>29.5,106.5 -1</circle>')))[0]).toMatch(/radius "-1" is not a non-negative number/);
    expect(refusal(parseCap(area('<circle>29.5,106.5 1</circle><polygon>29.55,106.56 29.55,106.58 29.56,106.58 29.55,106.56</polygon>')))[0]).toMatch(/polygon\[0\]: <polygon> is out of order/);
    const multi = accepted(parseCap(area('<polygon>\n  +29.55,106.56\n 29.55,106.58 29.56,106.58 29.55,106.56 </polygon><polygon>1,1 1,2 2,2 1,1</polygon><geocode><valueName>GB/T 2260</valueName><value>500103</value></geocode><altitude>100</altitude><ceiling>2000.5</ceiling>')));
    const a = multi.message.infos[0]!.area[0]!;
    expect(a.polygon.map((p) => p.length)).toEqual([4, 4]);
    expect([a.altitude, a.ceiling]).toEqual([100, 2000.5]);
    expect(refusal(parseCap(area('<ceiling>10</ceiling>')))).toEqual(['/alert/info[0]/area[0]/ceiling: <ceiling> may only be used together with <altitude>']);
    expect(refusal(parseCap(area('<altitude>high</altitude>')))[0]).toMatch(/not a decimal number/);
  });

  it('ignores empty optional elements as real feeds send them, with a warning each (issue 14)', () => {
    const area = (inner: string) => cap({ area: `<area><areaDesc>x</areaDesc>${inner}</area>` });
    // NWS writes an empty <polygon></polygon> when a warning has only zones.
    const nws = accepted(parseCap(area('<polygon></polygon><circle/><geocode><valueName>SAME</valueName><value></value></geocode><geocode/><geocode><valueName>UGC</valueName><value>ORZ006</value></geocode>')));
    const a = nws.message.infos[0]!.area[0]!;
    expect([a.polygon, a.circle, a.geocode]).toEqual([[], [], [{ valueName: 'UGC', value: 'ORZ006' }]]);
    expect(nws.warnings).toEqual([
      '/alert/info[0]/area[0]/polygon[0]: 空的 <polygon> 已忽略 / empty <polygon> ignored',
      '/alert/info[0]/area[0]/circle[0]: 空的 <circle> 已忽略 / empty <circle> ignored',
      '/alert/info[0]/area[0]/geocode[0]: <geocode> SAME 的值为空，已忽略 / <geocode> SAME has an empty value; ignored',
      '/alert/info[0]/area[0]/geocode[1]: 空的 <geocode> 已忽略 / empty <geocode> ignored',
    ]);
    // A usable polygon beside an empty one is kept.
    expect(accepted(parseCap(area('<polygon> </polygon><polygon>29.55,106.56 29.55,106.58 29.56,106.58 29.55,106.56</polygon>'))).message.infos[0]!.area[0]!.polygon).toHaveLength(1);
    const info = accepted(parseCap(cap({ infoBody: '<category>Met</category><event>e</event><urgency>Past</urgency><severity>Minor</severity><certainty>Likely</certainty><eventCode/><headline></headline><instruction/><web></web><parameter/><area><areaDesc>x</areaDesc></area>' }))).message.infos[0]!;
    expect([info.instruction, info.web, info.headline, info.eventCode, info.parameter]).toEqual([undefined, undefined, undefined, [], []]);
    // What is not empty is still checked, and required elements stay required.
    expect(refusal(parseCap(area('<polygon>29.55,106.56</polygon>')))[0]).toMatch(/the polygon has 1 points/);
    expect(refusal(parseCap(cap({ infoBody: '<category>Met</category><event></event><urgency>Past</urgency><severity>Minor</severity><certainty>Likely</certainty>' })))).toEqual(['/alert/info[0]/event: <event> must not be empty']);
  });

  it('other data types: language tags, absolute web URIs, resource sizes', () => {
    const info = (extra: string, after = '') => cap({ infoBody: `${extra}<category>Met</category><event>e</event><urgency>Past</urgency><severity>Minor</severity><certainty>Likely</certainty>${after}` });
    expect(accepted(parseCap(info('<language>zh-CN</language>'))).message.infos[0]!.language).toBe('zh-CN');
    expect(refusal(parseCap(info('<language>zh_CN</language>')))[0]).toMatch(/language "zh_CN" is not a valid language tag/);
    expect(refusal(parseCap(info('', '<web>/warnings/1</web>')))[0]).toMatch(/<web> must be a full absolute URI/);
    expect(refusal(parseCap(info('', '<resource><resourceDesc>map</resourceDesc><mimeType>image/png</mimeType><size>big</size></resource>')))[0]).toMatch(/<size> must be a non-negative integer/);
  });

  it('CAP 1.0, other roots and feeds are refused with a reason', () => {
    expect(refusal(parseCap(cap({ ns: 'http://www.incident.com/cap/1.0' })))[0]).toMatch(/CAP 1.0 .* is not supported: send CAP 1.2 or 1.1/);
    expect(refusal(parseCap(cap({ ns: 'urn:example' })))[0]).toMatch(/<alert> is in namespace "urn:example"/);
    expect(refusal(parseCap('<feed xmlns="http://www.w3.org/2005/Atom"/>'))[0]).toMatch(/this is a feed \(<feed>\), not a CAP message/);
    expect(refusal(parseCap('<html/>'))[0]).toMatch(/root element <html> is not a CAP <alert>/);
  });

  it('a signature may only close the alert, and is reported as unverified', () => {
    const sig = '<Signature xmlns="http://www.w3.org/2000/09/xmldsig#"><SignedInfo/></Signature>';
    const r = accepted(parseCap(cap({ tail: sig })));
    expect(r.message.signed).toBe(true);
    expect(r.warnings).toContainEqual(expect.stringMatching(/^\/alert\/Signature: .* \/ the message carries an XML signature, which is NOT verified/));
    expect(refusal(parseCap(cap({ afterScope: sig })))[0]).toMatch(/^\/alert\/info\[0\]: <info> may not follow the signature/);
  });

  it('refusals carry the line and column of the element', () => {
    const r = parseCap(cap({ afterScope: '<priority>high</priority>' }));
    expect(!r.ok && r.errors[0]).toMatchObject({ line: 4, column: 3 });
  });
});
