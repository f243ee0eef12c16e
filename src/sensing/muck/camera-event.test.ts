import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { cameraEventId, parseCameraEvent, parseIsoTime, type ParseCameraEventResult } from './camera-event.ts';
import { canonicalEventType } from './camera-event-types.ts';
import { formatPlate, normalizePlate } from './vehicle-plate.ts';

const now = new Date('2026-03-02T01:30:00Z');
const JPEG = Buffer.from([0xff, 0xd8, 0xff, 0xe0, 0x00, 0x10, 0x4a, 0x46, 0x49, 0x46, 0x00, 0x01]);
const PNG = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0x00, 0x00, 0x00, 0x0d]);

const base = { cameraId: 'cam-jiefangbei-01', eventType: '渣土车撒漏', plate: '渝A·73521', confidence: 0.91, at: '2026-03-02T09:28:00+08:00' };

function ok(body: unknown, opts: Partial<Parameters<typeof parseCameraEvent>[1]> = {}) {
  const r = parseCameraEvent(body, { now, ...opts });
  if (!r.ok) throw new Error(`refused: ${r.reason}`);
  return r.event;
}

function refused(body: unknown, opts: Partial<Parameters<typeof parseCameraEvent>[1]> = {}): Extract<ParseCameraEventResult, { ok: false }> {
  const r = parseCameraEvent(body, { now, ...opts });
  if (r.ok) throw new Error('accepted');
  return r;
}

describe('plates', () => {
  it('normalises the usual spellings to one form', () => {
    for (const s of ['渝A·73521', '渝A73521', '渝a73521', ' 渝A 73521 ', '渝A-73521', '渝Ａ７３５２１', '黄渝A73521', '渝A.73521']) {
      expect(normalizePlate(s), s).toBe('渝A73521');
    }
    expect(formatPlate('渝A73521')).toBe('渝A·73521');
  });

  it('accepts new-energy plates (small: D/F first; large: D/F last) and special suffixes', () => {
    expect(normalizePlate('渝AD12345')).toBe('渝AD12345');
    expect(normalizePlate('渝a·f1k234')).toBeNull(); // small new-energy: the last four are digits
    expect(normalizePlate('渝AF1K234'.replace('K', '2'))).toBe('渝AF12234');
    expect(normalizePlate('绿渝B12345D')).toBe('渝B12345D');
    expect(normalizePlate('渝A1234挂')).toBe('渝A1234挂');
    expect(normalizePlate('渝A1234学')).toBe('渝A1234学');
  });

  it('refuses what is not a civil plate', () => {
    for (const s of ['渝A1234', '渝A123456', 'XA12345', '渝I12345', '渝AO1234', '渝A12345X6', '12345', '渝12345', '渝AD1234D']) {
      expect(normalizePlate(s), s).toBeNull();
    }
  });
});

describe('event types', () => {
  it('maps synonyms and English codes to the canonical Chinese name and keeps unknown types', () => {
    expect(canonicalEventType('muck_spill')).toEqual({ type: '渣土车撒漏', known: true });
    expect(canonicalEventType('Muck_Spill')).toEqual({ type: '渣土车撒漏', known: true });
    expect(canonicalEventType('渣土车抛洒')).toEqual({ type: '渣土车撒漏', known: true });
    expect(canonicalEventType(' 渣土车 未密闭 ')).toEqual({ type: '渣土车未密闭', known: true });
    expect(canonicalEventType('烟雾')).toEqual({ type: '烟火', known: true });
    expect(canonicalEventType('占道经营')).toEqual({ type: '占道经营', known: true });
    expect(canonicalEventType(' 高空抛物 ')).toEqual({ type: '高空抛物', known: false });
  });
});

describe('parseCameraEvent', () => {
  it('reads a complete event and normalises it', () => {
    const e = ok({ ...base, snapshot: JPEG.toString('base64'), bbox: [10, 20, 300, 200], eventId: 'hik-778' });
    expect(e).toMatchObject({
      cameraId: 'cam-jiefangbei-01',
      eventType: '渣土车撒漏',
      eventTypeKnown: true,
      eventTypeRaw: '渣土车撒漏',
      plate: '渝A73521',
      plateText: '渝A·73521',
      plateStatus: 'read',
      confidence: 0.91,
      at: '2026-03-02T01:28:00.000Z',
      receivedAt: '2026-03-02T01:30:00.000Z',
      bbox: { x: 10, y: 20, w: 300, h: 200 },
      vendorEventId: 'hik-778',
    });
    expect(e.snapshot).toEqual({ sha256: createHash('sha256').update(JPEG).digest('hex'), mediaType: 'image/jpeg', size: JPEG.length, data: JPEG });
  });

  it('accepts snake_case and common vendor field names', () => {
    const e = ok({ camera_id: 'cam-1', event_type: 'muck_uncovered', plate_no: '渝B12345D', score: 88, event_time: '2026-03-02T01:29:59Z', image: `data:image/png;base64,${PNG.toString('base64')}` });
    expect(e).toMatchObject({ cameraId: 'cam-1', eventType: '渣土车未密闭', plate: '渝B12345D', confidence: 0.88 });
    expect(e.snapshot?.mediaType).toBe('image/png');
  });

  it('reads confidence in 0..1 or as a percentage; exactly 1 is certain', () => {
    expect(ok({ ...base, confidence: 1 }).confidence).toBe(1);
    expect(ok({ ...base, confidence: 87 }).confidence).toBe(0.87);
    expect(ok({ ...base, confidence: '0.5' }).confidence).toBe(0.5);
    expect(ok({ ...base, confidence: 0 }).confidence).toBe(0);
    expect(refused({ ...base, confidence: 101 })).toMatchObject({ field: 'confidence' });
    expect(refused({ ...base, confidence: -0.1 })).toMatchObject({ field: 'confidence' });
    expect(refused({ ...base, confidence: 'high' })).toMatchObject({ field: 'confidence' });
    expect(refused({ ...base, confidence: undefined })).toMatchObject({ field: 'confidence' });
  });

  it('keeps the event when the plate is absent or unreadable, with what was sent', () => {
    const { plate: _p, ...noPlate } = base;
    expect(ok(noPlate)).toMatchObject({ plate: null, plateText: null, plateStatus: 'absent' });
    expect(ok({ ...base, plate: '无牌' })).toMatchObject({ plate: null, plateText: '无牌', plateStatus: 'absent' });
    expect(ok({ ...base, plate: 'unknown' })).toMatchObject({ plate: null, plateStatus: 'absent' });
    expect(ok({ ...base, plate: '渝A7352' })).toMatchObject({ plate: null, plateText: '渝A7352', plateStatus: 'unreadable' });
    expect(refused({ ...base, plate: 12345 })).toMatchObject({ field: 'plate' });
  });

  it('keeps an unknown type as it came', () => {
    expect(ok({ ...base, eventType: '高空抛物' })).toMatchObject({ eventType: '高空抛物', eventTypeKnown: false });
    expect(refused({ ...base, eventType: '' })).toMatchObject({ field: 'eventType' });
    expect(refused({ ...base, eventType: 'x'.repeat(65) })).toMatchObject({ field: 'eventType' });
  });

  it('checks the camera id and agrees with the MQTT topic', () => {
    expect(refused({ ...base, cameraId: 'cam 1' })).toMatchObject({ field: 'cameraId' });
    expect(refused({ ...base, cameraId: 'c'.repeat(65) })).toMatchObject({ field: 'cameraId' });
    const { cameraId: _c, ...noCamera } = base;
    expect(refused(noCamera)).toMatchObject({ field: 'cameraId' });
    expect(ok(noCamera, { cameraId: 'cam-topic' }).cameraId).toBe('cam-topic');
    expect(refused(base, { cameraId: 'cam-other' })).toMatchObject({ field: 'cameraId' });
    expect(ok(base, { cameraId: 'cam-jiefangbei-01' }).cameraId).toBe('cam-jiefangbei-01');
  });

  it('requires a zoned ISO time, not too far in the future or the past', () => {
    expect(ok({ ...base, at: '2026-03-02 09:29:00.123456+0800' }).at).toBe('2026-03-02T01:29:00.123Z');
    expect(ok({ ...base, at: '2026-03-02T01:34:59Z' }).at).toBe('2026-03-02T01:34:59.000Z'); // clock 5 min ahead is tolerated
    expect(refused({ ...base, at: '2026-03-02T01:35:01Z' })).toMatchObject({ field: 'at' });
    expect(refused({ ...base, at: '2026-02-20T01:00:00Z' })).toMatchObject({ field: 'at' });
    expect(refused({ ...base, at: '2026-03-02T09:28:00' })).toMatchObject({ field: 'at' }); // no zone
    expect(refused({ ...base, at: 1772414880000 })).toMatchObject({ field: 'at' });
    const { at: _a, ...noAt } = base;
    expect(refused(noAt)).toMatchObject({ field: 'at' });
    expect(parseIsoTime('2026-02-30T00:00:00Z')).toBeNull();
    expect(parseIsoTime('2026-03-02T24:00:00Z')).toBeNull();
  });

  it('checks an inline snapshot by its magic bytes and its size, or takes a reference', () => {
    expect(refused({ ...base, snapshot: Buffer.from('GIF89a......').toString('base64') })).toMatchObject({ field: 'snapshot' });
    expect(refused({ ...base, snapshot: 'not base64!' })).toMatchObject({ field: 'snapshot' });
    expect(refused({ ...base, snapshot: `data:image/png;base64,${JPEG.toString('base64')}` })).toMatchObject({ field: 'snapshot' });
    expect(refused({ ...base, snapshot: 'data:image/gif;base64,R0lGODlh' })).toMatchObject({ field: 'snapshot' });
    const big = Buffer.concat([JPEG, Buffer.alloc(2000)]);
    expect(refused({ ...base, snapshot: big.toString('base64') }, { maxSnapshotBytes: 1000 })).toMatchObject({ field: 'snapshot' });
    // The limit is checked before decoding: a huge string is refused by its length.
    expect(refused({ ...base, snapshot: 'A'.repeat(4_000_000) })).toMatchObject({ field: 'snapshot' });

    const sha = createHash('sha256').update(JPEG).digest('hex');
    expect(ok({ ...base, snapshotSha256: sha.toUpperCase() }).snapshot).toEqual({ sha256: sha, mediaType: null, size: null, data: null });
    expect(ok({ ...base, snapshot: JPEG.toString('base64'), snapshotSha256: sha }).snapshot?.sha256).toBe(sha);
    expect(refused({ ...base, snapshot: JPEG.toString('base64'), snapshotSha256: 'a'.repeat(64) })).toMatchObject({ field: 'snapshotSha256' });
    expect(refused({ ...base, snapshotSha256: 'abc' })).toMatchObject({ field: 'snapshotSha256' });
    expect(ok(base).snapshot).toBeNull();
  });

  it('checks the box', () => {
    expect(ok({ ...base, bbox: { x: 0.1, y: 0.2, width: 0.3, height: 0.4 } }).bbox).toEqual({ x: 0.1, y: 0.2, w: 0.3, h: 0.4 });
    expect(refused({ ...base, bbox: [1, 2, 3] })).toMatchObject({ field: 'bbox' });
    expect(refused({ ...base, bbox: [1, 2, 3, -4] })).toMatchObject({ field: 'bbox' });
  });

  it('names the field in Chinese and English', () => {
    expect(refused([])).toMatchObject({ field: 'body', reason: 'body: must be a JSON object', reasonZh: '请求体必须是 JSON 对象' });
    const r = refused({ ...base, confidence: 300 });
    expect(r.reason).toMatch(/^confidence: /);
    expect(r.reasonZh).toMatch(/^置信度（confidence）/);
  });

  it('gives the same id to the same message delivered twice, another to another', () => {
    const a = ok(base), b = ok({ ...base });
    expect(cameraEventId(a)).toBe(cameraEventId(b));
    expect(cameraEventId(a)).toMatch(/^[0-9a-f]{32}$/);
    expect(cameraEventId(ok({ ...base, at: '2026-03-02T09:28:01+08:00' }))).not.toBe(cameraEventId(a));
    // With a vendor id, only the camera and that id count.
    expect(cameraEventId(ok({ ...base, eventId: 'e1' }))).toBe(cameraEventId(ok({ ...base, eventId: 'e1', confidence: 0.5 })));
  });
});
