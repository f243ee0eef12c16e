/**
 * Rasters over HTTP (issue 17 §1): upload, list, view with the image's corners and legend, the
 * image, contours, removal — who may (each refusal proved), and every bad file answered with
 * problem+json naming the field.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { decode } from 'fast-png';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { centerIdOf } from '../../cities/chongqing/demo/demo-city.ts';
import { wgs84ToGcj02 } from '../../src/geo/crs.ts';
import { rasterDir } from '../../src/raster/raster-catalog-store.ts';
import { DIALECTS, openTestPlatform, type TestPlatform } from '../support/test-platform.ts';
import { expectProblem, testHttp } from '../support/http.ts';
import { hasSharedData, sharedDataPath } from '../support/shared-data.ts';

const fixture = (name: string) => readFileSync(new URL(`../fixtures/rasters/${name}`, import.meta.url));
const tiff = { 'content-type': 'image/tiff' };
const YUZHONG = centerIdOf('500103');
const NANAN = centerIdOf('500108');
const CITY = centerIdOf('500000');

describe.each(DIALECTS)('rasters over HTTP on %s', (dialect) => {
  let tp: TestPlatform;
  const tokens = new Map<string, string>();
  const http = testHttp(() => tp.app, (u) => tokens.get(u));
  const upload = (user: string | null, query: string, body: Buffer, headers: Record<string, string> = tiff) => http.request({ method: 'POST', url: `/api/v1/rasters?${query}`, as: user, body, headers });
  let yuzhongRaster = '';
  let cityRaster = '';
  let nananRaster = '';

  beforeAll(async () => {
    // Few cells allowed, so "too large" is quick to prove: the fixtures have at most 30.
    tp = await openTestPlatform(dialect, { seed: true, districts: ['500103', '500108'], settings: { rasterMaxCells: 1000 } });
    for (const u of ['admin', 'city.operator', 'yuzhong.operator', 'yuzhong.supervisor', 'nanan.operator', 'street.operator', 'yuzhong.water', 'citizen.zhang']) tokens.set(u, await tp.signIn(u));
  }, 120_000);
  afterAll(async () => tp?.close());

  it('takes a GeoTIFF from an operator for its center and answers the record with the image for the map', async () => {
    const r = await upload('yuzhong.operator', `name=${encodeURIComponent('渝中地形')}&fileName=int16.tif`, fixture('int16-nodata-utm48n.tif'));
    expect(r.status, r.text).toBe(201);
    expect(r.body).toMatchObject({ name: '渝中地形', kind: 'dem', crs: 'EPSG:32648', width: 6, height: 5, min: 0, max: 405, ownerCenterId: YUZHONG, sourceFile: 'int16.tif' });
    const img = r.body.image;
    expect(img.url).toBe(`/api/v1/rasters/${r.body.id}/image.png?ramp=terrain`);
    expect(img.legend).toMatchObject({ ramp: 'terrain', unit: 'm', min: 0, max: 405 });
    // The cockpit draws GCJ-02: the corners are shifted from WGS-84 as src/geo/crs.ts shifts points.
    const [w, s, e, n] = r.body.bboxWgs84;
    expect(img.cornersWgs84).toEqual([[w, n], [e, n], [e, s], [w, s]]);
    expect(img.corners[0]).toEqual(wgs84ToGcj02(w, n));
    expect(Math.abs(img.corners[0][0] - w)).toBeGreaterThan(0.001);
    yuzhongRaster = r.body.id;
    cityRaster = (await upload('city.operator', 'name=city', fixture('float32-wgs84.tif'))).body.id;
    nananRaster = (await upload('nanan.operator', 'name=nanan&kind=roughness', fixture('float32-wgs84.tif'))).body.id;
    expect([cityRaster, nananRaster].every((id) => typeof id === 'string')).toBe(true);
  });

  it('shows each caller its center\'s rasters, those below it and the city\'s, and refuses the rest', async () => {
    const ids = async (u: string) => ((await http.ok(u, 'GET', '/api/v1/rasters')).items as { id: string }[]).map((x) => x.id).sort();
    expect(await ids('yuzhong.operator')).toEqual([yuzhongRaster, cityRaster].sort());
    expect(await ids('yuzhong.supervisor')).toEqual([yuzhongRaster, cityRaster].sort());
    expect(await ids('nanan.operator')).toEqual([nananRaster, cityRaster].sort());
    expect(await ids('city.operator')).toEqual([yuzhongRaster, nananRaster, cityRaster].sort());
    expect(await ids('admin')).toEqual([yuzhongRaster, nananRaster, cityRaster].sort());
    // A street center sees its own and the city's, not its district's (that is above it).
    expect(await ids('street.operator')).toEqual([cityRaster]);
    expect(((await http.ok('admin', 'GET', '/api/v1/rasters?kind=roughness')).items as { id: string }[]).map((x) => x.id)).toEqual([nananRaster]);
    expectProblem(await http.call('yuzhong.water', 'GET', '/api/v1/rasters'), 403, 'FORBIDDEN_ROLE');
    expectProblem(await http.call('citizen.zhang', 'GET', '/api/v1/rasters'), 403, 'FORBIDDEN_ROLE');
    expectProblem(await http.call(null, 'GET', '/api/v1/rasters'), 401, 'AUTH_REQUIRED');
    // Another district's raster: refused to read, its image and its contours too.
    expectProblem(await http.call('nanan.operator', 'GET', `/api/v1/rasters/${yuzhongRaster}`), 403, 'FORBIDDEN_JURISDICTION');
    expectProblem(await http.call('nanan.operator', 'GET', `/api/v1/rasters/${yuzhongRaster}/image.png`), 403, 'FORBIDDEN_JURISDICTION');
    expectProblem(await http.call('nanan.operator', 'GET', `/api/v1/rasters/${yuzhongRaster}/contours?levels=100`), 403, 'FORBIDDEN_JURISDICTION');
    expectProblem(await http.call('yuzhong.water', 'GET', `/api/v1/rasters/${cityRaster}`), 403, 'FORBIDDEN_ROLE');
    expectProblem(await http.call('admin', 'GET', '/api/v1/rasters/00000000-0000-7000-8000-000000000000'), 404, 'NOT_FOUND');
    expect((await http.ok('nanan.operator', 'GET', `/api/v1/rasters/${cityRaster}`)).id).toBe(cityRaster);
  });

  it('lets only the operators and administrators of the owning center upload and remove', async () => {
    const small = fixture('int16-nodata-utm48n.tif');
    expectProblem(await upload('yuzhong.supervisor', 'name=x', small), 403, 'FORBIDDEN_ROLE');
    expectProblem(await upload('yuzhong.water', 'name=x', small), 403, 'FORBIDDEN_ROLE');
    expectProblem(await upload('yuzhong.operator', `name=x&center=${NANAN}`, small), 403, 'FORBIDDEN_JURISDICTION');
    expectProblem(await upload('city.operator', `name=x&center=${YUZHONG}`, small), 403, 'FORBIDDEN_JURISDICTION');
    expectProblem(await upload(null, 'name=x', small), 401, 'AUTH_REQUIRED');
    // The city administrator belongs to no center: it names one.
    const noCenter = expectProblem(await upload('admin', 'name=x', small), 400, 'VALIDATION_FAILED');
    expect(noCenter.errors).toEqual([{ path: 'querystring/center', message: 'required for a caller of no center' }]);
    expectProblem(await upload('admin', 'name=x&center=center-nowhere', small), 400, 'VALIDATION_FAILED');
    expect((await upload('admin', `name=x&center=${NANAN}`, small)).status).toBe(201);
    // Removal: the city may see the district's raster but not remove it; another district may not either.
    expectProblem(await http.call('city.operator', 'DELETE', `/api/v1/rasters/${yuzhongRaster}`), 403, 'FORBIDDEN_JURISDICTION');
    expectProblem(await http.call('nanan.operator', 'DELETE', `/api/v1/rasters/${yuzhongRaster}`), 403, 'FORBIDDEN_JURISDICTION');
    expectProblem(await http.call('yuzhong.supervisor', 'DELETE', `/api/v1/rasters/${yuzhongRaster}`), 403, 'FORBIDDEN_ROLE');
    expectProblem(await http.call('yuzhong.operator', 'DELETE', `/api/v1/rasters/${cityRaster}`), 403, 'FORBIDDEN_JURISDICTION');
  });

  it('refuses bad files with problem+json naming the file field, and stores nothing', async () => {
    const before = (await http.ok('admin', 'GET', '/api/v1/rasters')).items.length;
    const bad = async (body: Buffer, status: number, code: Parameters<typeof expectProblem>[2], headers = tiff) => {
      const p = expectProblem(await upload('yuzhong.operator', 'name=bad', body, headers), status, code);
      return p;
    };
    expect((await bad(Buffer.from('not a tiff at all, just words '.repeat(10)), 422, 'RASTER_UNREADABLE')).field).toBe('file');
    expect((await bad(fixture('unknown-crs.tif'), 422, 'RASTER_CRS_UNKNOWN')).field).toBe('file');
    expect((await bad(fixture('all-nodata.tif'), 422, 'RASTER_ALL_NODATA')).field).toBe('file');
    expect((await bad(fixture('rotated.tif'), 422, 'RASTER_NOT_NORTH_UP')).field).toBe('file');
    const whole = fixture('int16-nodata-utm48n.tif');
    expect((await bad(whole.subarray(0, whole.length - 40), 422, 'RASTER_UNREADABLE')).field).toBe('file');
    expect((await bad(Buffer.alloc(0), 422, 'RASTER_UNREADABLE', { 'content-type': 'application/octet-stream' })).field).toBe('file');
    // Chinese by default, English on request.
    const zh = await bad(fixture('unknown-crs.tif'), 422, 'RASTER_CRS_UNKNOWN');
    expect(zh.detail).toMatch(/坐标系/);
    const en = expectProblem(await upload('yuzhong.operator', 'name=bad&lang=en', fixture('unknown-crs.tif')), 422, 'RASTER_CRS_UNKNOWN');
    expect(en.detail).toMatch(/user-defined CRS/);
    // More cells than RASTER_MAX_CELLS (1000 here): refused from the header; a body past the limit: 413 before it is read.
    if (hasSharedData('dem', 'whitebox-sample-dem.tif')) {
      const p = await bad(readFileSync(sharedDataPath('dem', 'whitebox-sample-dem.tif')), 413, 'RASTER_TOO_LARGE');
      expect(p.field).toBe('file');
    }
    expectProblem(await upload('yuzhong.operator', 'name=huge', Buffer.alloc(17 * 1024 * 1024)), 413, 'PAYLOAD_TOO_LARGE');
    expectProblem(await upload('yuzhong.operator', 'name=x', Buffer.from('x'), { 'content-type': 'application/x-unknown' }), 415, 'UNSUPPORTED_MEDIA_TYPE');
    // Text or JSON to the upload: refused by its media type, not read as a file.
    expectProblem(await upload('yuzhong.operator', 'name=x', Buffer.from('II*'), { 'content-type': 'text/plain' }), 415, 'UNSUPPORTED_MEDIA_TYPE');
    expectProblem(await upload('yuzhong.operator', 'name=x', Buffer.from('{"file":"II*"}'), { 'content-type': 'application/json' }), 415, 'UNSUPPORTED_MEDIA_TYPE');
    expect((await http.ok('admin', 'GET', '/api/v1/rasters')).items.length).toBe(before);
  });

  it('draws the image: nodata transparent, the lowest cell the ramp\'s first colour', async () => {
    const r = await tp.app.inject({ method: 'GET', url: `/api/v1/rasters/${yuzhongRaster}/image.png`, headers: { authorization: `Bearer ${tokens.get('yuzhong.operator')}` } });
    expect(r.statusCode).toBe(200);
    expect(r.headers['content-type']).toBe('image/png');
    const png = decode(new Uint8Array(r.rawPayload));
    expect(png.channels).toBe(4);
    // the image is north-up: its top-left pixel holds the grid's north-west cell (value 0)
    expect(Array.from(png.data.slice(0, 4))).toEqual([0x1a, 0x98, 0x50, 255]);
    let transparent = 0;
    for (let i = 3; i < png.data.length; i += 4) if (png.data[i] === 0) transparent++;
    expect(transparent).toBeGreaterThan(0); // the nodata cell (and the edges of the projected box)
    const depth = await http.ok('yuzhong.operator', 'GET', `/api/v1/rasters/${yuzhongRaster}?ramp=depth`);
    expect(depth.image.legend).toMatchObject({ ramp: 'depth', min: 0, max: 405, dryDepth: 0.01 });
    expectProblem(await http.call('yuzhong.operator', 'GET', `/api/v1/rasters/${yuzhongRaster}/image.png?ramp=rainbow`), 400, 'VALIDATION_FAILED');
  });

  it('gives contour lines in GCJ-02 (or WGS-84), and names a bad level list', async () => {
    const wgs = await http.ok('yuzhong.operator', 'GET', `/api/v1/rasters/${yuzhongRaster}/contours?levels=250&crs=wgs84`);
    expect(wgs.features.length).toBeGreaterThan(0);
    const gcj = await http.ok('yuzhong.operator', 'GET', `/api/v1/rasters/${yuzhongRaster}/contours?levels=250`);
    const [lng, lat] = wgs.features[0].geometry.coordinates[0];
    expect(gcj.features[0].geometry.coordinates[0]).toEqual(wgs84ToGcj02(lng, lat));
    const p = expectProblem(await http.call('yuzhong.operator', 'GET', `/api/v1/rasters/${yuzhongRaster}/contours?levels=1,,x`), 400, 'VALIDATION_FAILED');
    expect((p.errors as { path: string }[])[0]!.path).toBe('querystring/levels');
  });

  it('removes a raster: its cells go, the record stays, what asks for it is told it is gone', async () => {
    const file = join(rasterDir(tp.settings.dataDir), `${yuzhongRaster}.clr`);
    expect(existsSync(file)).toBe(true);
    const del = await http.call('yuzhong.operator', 'DELETE', `/api/v1/rasters/${yuzhongRaster}?reason=${encodeURIComponent('换新数据')}`);
    expect(del.status, del.text).toBe(204);
    expect(existsSync(file)).toBe(false);
    const gone = expectProblem(await http.call('yuzhong.operator', 'GET', `/api/v1/rasters/${yuzhongRaster}`), 410, 'GONE');
    expect(gone.detail).toContain(yuzhongRaster);
    expect(gone.field).toBe('id');
    expectProblem(await http.call('yuzhong.operator', 'GET', `/api/v1/rasters/${yuzhongRaster}/image.png`), 410, 'GONE');
    expectProblem(await http.call('yuzhong.operator', 'DELETE', `/api/v1/rasters/${yuzhongRaster}`), 410, 'GONE');
    expect(((await http.ok('yuzhong.operator', 'GET', '/api/v1/rasters')).items as { id: string }[]).map((x) => x.id)).toEqual([cityRaster]);
    const record = await tp.platform.rasters.get(yuzhongRaster);
    expect(record?.deletedAt).toBeTruthy();
    expect(CITY).toBe('center-500000');
  });
});
