import { describe, expect, it } from 'vitest';
import { METERS_PER_DEGREE, type Position } from '../../geo/geometry.ts';
import { parseCameraEvent, type CameraEvent } from './camera-event.ts';
import { CAMERA_EVENT_CATEGORIES } from '../../../cities/chongqing/mappings.ts';
import { distanceToLineMeters, enrichCameraEvent, MuckChainIndex, suggestAlert, type MuckChain, type MuckPermit } from './muck-chain.ts';

const LAT = 29.55;
const KX = METERS_PER_DEGREE * Math.cos((LAT * Math.PI) / 180);
/** A point `east` and `north` metres from (106.50, 29.55). */
const at = (east: number, north: number): Position => [106.5 + east / KX, LAT + north / METERS_PER_DEGREE];

const route: Position[] = [at(0, 0), at(1000, 0), at(1000, 1000)];
const permitA: MuckPermit = {
  id: 'p-a',
  number: '渝中渣准〔2026〕0001号',
  company: '甲运输公司',
  excavationSiteId: 's-ex',
  disposalSiteId: 's-dis',
  route: { type: 'LineString', coordinates: route },
  validFrom: '2026-01-01T00:00:00.000Z',
  validTo: '2026-07-01T00:00:00.000Z',
  status: 'active',
  properties: {},
};
const chain: MuckChain = {
  sites: [
    { id: 's-ex', kind: 'excavation', name: '某出土工地', geometry: { type: 'Point', coordinates: at(-50, 0) }, districtCode: '500103', properties: {} },
    { id: 's-dis', kind: 'disposal', name: '某消纳场', geometry: { type: 'Point', coordinates: at(1000, 1050) }, districtCode: '500107', properties: {} },
  ],
  permits: [
    permitA,
    { ...permitA, id: 'p-b', number: 'B', company: '乙运输公司', route: { type: 'LineString', coordinates: [at(0, 500), at(1000, 500)] }, status: 'suspended' },
    { ...permitA, id: 'p-old', number: 'OLD', validTo: '2026-02-01T00:00:00.000Z' },
    { ...permitA, id: 'p-future', number: 'FUT', validFrom: '2026-06-01T00:00:00.000Z' },
    { ...permitA, id: 'p-revoked', number: 'REV', status: 'revoked' },
  ],
  trucks: [
    { plate: '渝A73521', permitId: 'p-a', company: '甲运输公司', properties: {} },
    { plate: '渝B36051D', permitId: 'p-b', company: '乙运输公司', properties: {} },
    { plate: '渝A8Q602', permitId: null, company: '个体', properties: {} },
    { plate: '渝A11111', permitId: 'p-old', company: '甲运输公司', properties: {} },
    { plate: '渝A22222', permitId: 'p-future', company: '甲运输公司', properties: {} },
    { plate: '渝A33333', permitId: 'p-revoked', company: '甲运输公司', properties: {} },
    { plate: '渝A44444', permitId: 'p-missing', company: '甲运输公司', properties: {} },
  ],
};
const index = MuckChainIndex.build(chain);

function event(over: Record<string, unknown> = {}): CameraEvent {
  const r = parseCameraEvent({ cameraId: 'cam-1', eventType: '渣土车撒漏', plate: '渝A·73521', confidence: 0.9, at: '2026-03-02T01:28:00Z', ...over }, { now: new Date('2026-03-02T01:30:00Z') });
  if (!r.ok) throw new Error(r.reason);
  return r.event;
}

const cam = (p: Position) => ({ lon: p[0], lat: p[1] });

describe('distances', () => {
  it('measures to a polyline, not to a closed ring', () => {
    expect(distanceToLineMeters(route, ...at(500, 120))).toBeCloseTo(120, 0);
    expect(distanceToLineMeters(route, ...at(1120, 500))).toBeCloseTo(120, 0);
    // Closing the "ring" would put (500, 500) about 354 m from the segment end–start; the line is 500 m away.
    expect(distanceToLineMeters(route, ...at(400, 500))).toBeCloseTo(500, 0);
    expect(distanceToLineMeters([at(0, 0)], ...at(30, 40))).toBeCloseTo(50, 0);
  });

  it('finds the approved routes passing a point, nearest first', () => {
    const near = index.routesNear(...at(500, 300), 250);
    expect(near.map((h) => [h.permit.id, Math.round(h.distanceMeters)])).toEqual([['p-b', 200]]);
    // p-b is 240 m away; p-a and the three permits sharing its route 260 m (ties in the order given).
    const all = index.routesNear(...at(500, 260), 270);
    expect(all.map((h) => h.permit.id)).toEqual(['p-b', 'p-a', 'p-old', 'p-future', 'p-revoked']);
    expect(index.routesNear(...at(5000, 5000), 200)).toEqual([]);
    expect(MuckChainIndex.build({ sites: [], permits: [], trucks: [] }).routesNear(106.5, 29.5, 100)).toEqual([]);
  });
});

describe('enrichCameraEvent', () => {
  it('gives the truck, permit, sites and distance of a truck on its route', () => {
    const e = enrichCameraEvent(event(), cam(at(500, 30)), index);
    expect(e).toMatchObject({
      muck: true,
      truck: { plate: '渝A73521', company: '甲运输公司' },
      permit: { number: '渝中渣准〔2026〕0001号', status: 'active', validAtEvent: true },
      excavationSite: { id: 's-ex', name: '某出土工地', kind: 'excavation', districtCode: '500103' },
      disposalSite: { id: 's-dis', kind: 'disposal' },
      offRoute: false,
      offRouteMeters: 200,
      flags: [],
    });
    expect(e.distanceToRouteMeters).toBeCloseTo(30, 0);
  });

  it('flags an off-route truck beyond the threshold', () => {
    const e = enrichCameraEvent(event(), cam(at(500, 260)), index);
    expect(e.offRoute).toBe(true);
    expect(e.flags).toEqual(['off_route']);
    expect(enrichCameraEvent(event(), cam(at(500, 260)), index, { offRouteMeters: 300 }).flags).toEqual([]);
  });

  it('flags permit problems', () => {
    const where = cam(at(500, 0));
    expect(enrichCameraEvent(event({ plate: '渝A8Q602' }), where, index)).toMatchObject({ truck: { plate: '渝A8Q602' }, flags: ['no_permit'], distanceToRouteMeters: null, offRoute: false });
    expect(enrichCameraEvent(event({ plate: '渝A44444' }), where, index).flags).toEqual(['no_permit']);
    expect(enrichCameraEvent(event({ plate: '渝A11111' }), where, index)).toMatchObject({ flags: ['permit_expired'], permit: { validAtEvent: false } });
    expect(enrichCameraEvent(event({ plate: '渝A22222' }), where, index).flags).toEqual(['permit_not_yet_valid']);
    expect(enrichCameraEvent(event({ plate: '渝A33333' }), where, index).flags).toEqual(['permit_revoked']);
    // 乙's route runs 500 m north: suspended and off route.
    expect(enrichCameraEvent(event({ plate: '渝B12345D'.replace('12345', '36051') }), where, index).flags).toEqual(['permit_suspended', 'off_route']);
  });

  it('for an unknown or unread plate, lists the valid approved routes at the camera', () => {
    const e = enrichCameraEvent(event({ plate: '渝C99999' }), cam(at(500, 20)), index);
    expect(e.flags).toEqual(['unknown_plate']);
    expect(e.truck).toBeUndefined();
    // p-b is suspended, p-old expired, p-future not yet valid, p-revoked revoked: only p-a counts.
    expect(e.routesAtCamera).toEqual([{ permitNumber: '渝中渣准〔2026〕0001号', company: '甲运输公司', excavationSite: '某出土工地', distanceMeters: 20 }]);
    expect(enrichCameraEvent(event({ plate: undefined }), cam(at(500, 20)), index).flags).toEqual(['no_plate']);
    expect(enrichCameraEvent(event({ plate: '无牌' }), cam(at(500, 20)), index).flags).toEqual(['no_plate']);
    expect(enrichCameraEvent(event({ plate: '渝A7352' }), cam(at(500, 20)), index).flags).toEqual(['plate_unreadable']);
  });

  it('flags low confidence, and gives no muck flags to other event types', () => {
    expect(enrichCameraEvent(event({ confidence: 0.5 }), cam(at(500, 0)), index).flags).toEqual(['low_confidence']);
    const water = enrichCameraEvent(event({ eventType: '道路积水', plate: undefined }), cam(at(500, 900)), index);
    expect(water).toEqual({ camera: { lng: at(500, 900)[0], lat: at(500, 900)[1] }, muck: false, offRouteMeters: 200, distanceToRouteMeters: null, offRoute: false, flags: [] });
    // A muck truck seen parking illegally: its chain is shown, but nothing is flagged.
    const parked = enrichCameraEvent(event({ eventType: '机动车违停', plate: '渝A8Q602' }), cam(at(500, 900)), index);
    expect(parked).toMatchObject({ muck: false, truck: { plate: '渝A8Q602' }, flags: [] });
  });
});

describe('suggestAlert', () => {
  const suggest = (over: Record<string, unknown>, where: Position) => {
    const ev = event(over);
    return suggestAlert(ev, enrichCameraEvent(ev, cam(where), index), { categories: CAMERA_EVENT_CATEGORIES });
  };

  it('turns a confident spill into an alert for the muck-spillage category', () => {
    const s = suggest({}, at(500, 30))!;
    expect(s).toMatchObject({
      dedupKey: 'camera:cam-1:muck_spill:渝A73521',
      severity: 'yellow',
      category: 'construction.muck-spillage',
      title: { zh: '渣土车撒漏：渝A·73521（来源 某出土工地）', en: 'Muck truck spilling its load: 渝A·73521 (from 某出土工地)' },
    });
    expect(s.evidence).toMatchObject({ cameraId: 'cam-1', eventCode: 'muck_spill', plate: '渝A73521', confidence: 0.9, flags: [], permit: { number: '渝中渣准〔2026〕0001号' } });
  });

  it('raises one step for off route and one for no valid permit', () => {
    expect(suggest({}, at(500, 400))).toMatchObject({ severity: 'orange', title: { zh: '渣土车撒漏：渝A·73521（偏离核准路线 400 米，来源 某出土工地）' } });
    expect(suggest({ plate: '渝A8Q602' }, at(500, 0))).toMatchObject({ severity: 'orange', title: { zh: '渣土车撒漏：渝A·8Q602（无处置核准）', en: 'Muck truck spilling its load: 渝A·8Q602 (no permit)' } });
    expect(suggest({ plate: '渝C99999' }, at(500, 0))?.severity).toBe('orange');
    expect(suggest({ plate: '渝B36051D' }, at(500, 0))?.severity).toBe('red');
    expect(suggest({ eventType: 'muck_uncovered' }, at(500, 0))).toMatchObject({ severity: 'blue', category: 'construction.muck-uncovered' });
    expect(suggest({ eventType: 'muck_uncovered', plate: '渝B36051D' }, at(500, 0))?.severity).toBe('orange');
  });

  it('groups sightings by camera, type and plate', () => {
    expect(suggest({ at: '2026-03-02T01:29:00Z', confidence: 0.8 }, at(500, 30))?.dedupKey).toBe('camera:cam-1:muck_spill:渝A73521');
    expect(suggest({ eventType: '渣土车抛洒' }, at(500, 30))?.dedupKey).toBe('camera:cam-1:muck_spill:渝A73521');
    expect(suggest({ plate: undefined }, at(500, 30))?.dedupKey).toBe('camera:cam-1:muck_spill:-');
    expect(suggest({ cameraId: 'cam-2' }, at(500, 30))?.dedupKey).toBe('camera:cam-2:muck_spill:渝A73521');
  });

  it('suggests nothing below the confidence threshold or for an unknown type', () => {
    expect(suggest({ confidence: 0.69 }, at(500, 30))).toBeNull();
    expect(suggest({ eventType: '高空抛物' }, at(500, 30))).toBeNull();
    const ev = event({ confidence: 0.5 });
    expect(suggestAlert(ev, enrichCameraEvent(ev, cam(at(500, 30)), index), { minConfidence: 0.4 })?.severity).toBe('yellow');
  });

  it('alerts other known types at their own category and base severity', () => {
    expect(suggest({ eventType: '烟火', plate: undefined }, at(0, 0))).toMatchObject({ severity: 'orange', category: 'safety.fire', dedupKey: 'camera:cam-1:smoke_fire:-', title: { zh: '烟火', en: 'Smoke or fire' } });
    expect(suggest({ eventType: 'road_waterlogging', plate: undefined }, at(0, 0))).toMatchObject({ severity: 'yellow', category: 'safety.road-waterlogging' });
  });

  it("takes the category from the city's table: a type it leaves out, or no table, alerts with no category", () => {
    const ev = event({ eventType: '烟火', plate: undefined });
    const enrichment = enrichCameraEvent(ev, cam(at(0, 0)), index);
    expect(suggestAlert(ev, enrichment)).toMatchObject({ severity: 'orange', category: null, dedupKey: 'camera:cam-1:smoke_fire:-' });
    expect(suggestAlert(ev, enrichment, { categories: { muck_spill: 'x.spill' } })?.category).toBeNull();
    expect(suggestAlert(ev, enrichment, { categories: { smoke_fire: 'x.fire' } })?.category).toBe('x.fire');
  });
});
