import fs from 'node:fs';
import { beforeAll, describe, expect, it } from 'vitest';
import { gcj02ToWgs84 } from '../../geo/crs.ts';
import type { JurisdictionResolver } from '../../geo/resolver.ts';
import { capAreaTargets } from './cap-areas.ts';
import { capGeographyFromResolver, type CapGeography, type Gcj02 } from './cap-geo.ts';
import { parseCap } from './cap-message.ts';
import type { CapMessage } from './cap-model.ts';
import { chongqingDistrictResolver, SKIP_SHARED_CAP, readFixture, readSample, SHARED_CAP_DIR } from './cap-test-kit.ts';

function message(bytes: Uint8Array | string): CapMessage {
  const r = parseCap(bytes);
  if (!r.ok) throw new Error(r.errors.map((e) => e.message.en).join('; '));
  return r.message;
}

const codes = (ds: { code: string }[]) => ds.map((d) => d.code);

let resolver: JurisdictionResolver;
let geo: CapGeography;
beforeAll(() => {
  resolver = chongqingDistrictResolver();
  geo = capGeographyFromResolver(resolver);
});

describe('capAreaTargets over the Chongqing districts', () => {
  it('a rainstorm polygon over 渝中 and 南岸 touches exactly those two, in both languages', () => {
    const targets = capAreaTargets(message(readFixture('cq-rainstorm-orange.cap')), geo);
    expect(targets.map((t) => [t.infoIndex, t.areaIndex, t.mapped, codes(t.districts)])).toEqual([
      [0, 0, true, ['500103', '500108']],
      [1, 0, true, ['500103', '500108']],
    ]);
    expect(targets[1]!.districts.map((d) => d.name)).toEqual(['渝中区', '南岸区']);
    expect(targets[1]!.geocode).toHaveLength(2); // kept for display, not used to place the area
  });

  it('converts WGS-84 to GCJ-02 before asking: the polygon lands where it was drawn on the map', () => {
    const t = capAreaTargets(message(readFixture('cq-rainstorm-orange.cap')), geo)[0]!;
    const [x, y] = t.polygonsGcj02[0]![0]!;
    // The fixture was drawn at GCJ-02 (106.566, 29.536) and written in WGS-84 to 4 decimals.
    expect(Math.abs(x - 106.566)).toBeLessThan(2e-4);
    expect(Math.abs(y - 29.536)).toBeLessThan(2e-4);
    // Unconverted, the same numbers are some 400 m off.
    const [wx, wy] = gcj02ToWgs84(106.566, 29.536);
    expect(Math.hypot(wx - x, wy - y)).toBeGreaterThan(0.003);
  });

  it('a circle touches every district within its radius', () => {
    const [t] = capAreaTargets(message(readFixture('cq-landslide-circle.cap')), geo);
    expect(codes(t!.districts)).toEqual(['500106', '500107']);
    expect(t!.circlesGcj02[0]!.radiusMeters).toBe(2000);
    const small = message(new TextDecoder().decode(readFixture('cq-landslide-circle.cap')).replace('106.4510 2<', '106.4510 0.2<'));
    expect(codes(capAreaTargets(small, geo)[0]!.districts)).toEqual(['500106']);
  });

  it('geocodes alone are unmapped: no district is guessed', () => {
    const [t] = capAreaTargets(message(readFixture('cq-geocode-only.cap')), geo);
    expect(t).toMatchObject({ mapped: false, districts: [], polygonsGcj02: [], circlesGcj02: [] });
    expect(t!.geocode).toEqual([{ valueName: 'GB/T 2260', value: '500103' }]);
  });

  it('a polygon that encloses a whole district touches it (no vertex of ours needs to be inside theirs)', () => {
    // A box around the central districts, drawn in GCJ-02 and written as CAP (WGS-84 lat,lon).
    const box: Gcj02[] = [[106.3, 29.4], [106.7, 29.4], [106.7, 29.75], [106.3, 29.75], [106.3, 29.4]];
    const text = box.map(([x, y]) => gcj02ToWgs84(x, y)).map(([x, y]) => `${y.toFixed(5)},${x.toFixed(5)}`);
    text[text.length - 1] = text[0]!;
    const xml = new TextDecoder().decode(readFixture('cq-landslide-circle.cap')).replace(/<circle>.*<\/circle>/, `<polygon>${text.join(' ')}</polygon>`);
    const touched = codes(capAreaTargets(message(xml), geo)[0]!.districts);
    expect(touched).toEqual(expect.arrayContaining(['500103', '500104', '500105', '500106', '500107', '500108', '500112']));
  });

  it('asks the geography in GCJ-02, once per area', () => {
    const calls: string[] = [];
    const fake: CapGeography = {
      districtsTouching: (rings) => (calls.push(`poly ${rings.length} ${rings[0]![0]![0].toFixed(4)}`), [{ code: '500108', name: '南岸区' }, { code: '500103', name: '渝中区' }]),
      districtsWithinCircle: (c, m) => (calls.push(`circle ${c[0].toFixed(4)} ${m}`), [{ code: '500103', name: '渝中区' }]),
    };
    const xml = new TextDecoder().decode(readFixture('cq-rainstorm-red-update.cap')).replace('</polygon>', '</polygon><circle>29.5476,106.4510 1.5</circle>');
    const [t] = capAreaTargets(message(xml), fake);
    expect(calls).toEqual(['poly 1 106.5660', 'circle 106.4550 1500']);
    expect(codes(t!.districts)).toEqual(['500103', '500108']); // merged, code order
  });
});

describe.skipIf(SKIP_SHARED_CAP)(`the public samples (${SHARED_CAP_DIR}) touch none of Chongqing`, () => {
  it('every importable sample: mapped areas outside the city, geocode-only areas unmapped', () => {
    let mapped = 0;
    let unmapped = 0;
    for (const name of fs.readdirSync(SHARED_CAP_DIR).filter((f) => f.endsWith('.cap'))) {
      const r = parseCap(readSample(name));
      if (!r.ok) continue;
      for (const t of capAreaTargets(r.message, geo)) {
        expect(t.districts).toEqual([]);
        if (t.mapped) mapped++;
        else unmapped++;
      }
    }
    expect(mapped).toBeGreaterThan(5); // Canada, Australia, California, Tonga, El Salvador …
    expect(unmapped).toBeGreaterThan(2); // weather.cap, the AMBER alert, DHS, the tsunami warning
  });
});
