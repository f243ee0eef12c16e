/**
 * Reads one type of asset (e.g. a water company's mains) from a GeoJSON FeatureCollection. Pure:
 * the caller reads the file and stores the records, and imports nothing when `errors` is
 * non-empty — a plan that silently misses half the mains would pick the wrong level.
 */
import type { JurisdictionResolver } from '../geo/resolver.ts';
import { ASSET_TYPE_SPECS, validateAssetProperties, type AssetGeometry, type AssetRecord, type AssetType } from './asset.ts';
import { normalizeAssetGeometry, representativePoint, validateAssetGeometry } from './asset-geometry.ts';

export interface AssetImportOptions {
  type: AssetType;
  /** The city's jurisdictions, to place each asset in its district; null skips placement. */
  resolver: JurisdictionResolver | null;
  /** Property holding the id; default the feature's `id`, then the property `id`. */
  idProperty?: string;
  onProgress?: (done: number, total: number) => void;
}

/** `index` is the feature's position in `features`, or -1 for a problem with the whole input. */
export interface AssetImportError {
  index: number;
  reason: string;
}

export interface AssetImportResult {
  records: AssetRecord[];
  errors: AssetImportError[];
}

const DEVICE_TYPES: ReadonlySet<AssetType> = new Set(['traffic_signal', 'camera', 'sensor']);

function readKey(value: unknown): string | null {
  if (typeof value === 'string' && value.trim() !== '') return value.trim();
  if (typeof value === 'number' && Number.isSafeInteger(value) && value >= 0) return String(value);
  return null;
}

function readText(value: unknown): string | null {
  return typeof value === 'string' && value.trim() !== '' ? value.trim() : null;
}

export function parseAssetFeatureCollection(input: unknown, opts: AssetImportOptions): AssetImportResult {
  const records: AssetRecord[] = [];
  const errors: AssetImportError[] = [];
  const fc = input as { type?: unknown; features?: unknown } | null;
  if (typeof fc !== 'object' || fc === null || fc.type !== 'FeatureCollection' || !Array.isArray(fc.features)) {
    return { records, errors: [{ index: -1, reason: 'input is not a GeoJSON FeatureCollection' }] };
  }
  const features: unknown[] = fc.features;
  const spec = ASSET_TYPE_SPECS[opts.type];
  const firstIndexOfId = new Map<string, number>();
  const firstIndexOfDevice = new Map<string, number>();
  const total = features.length;

  const importOne = (raw: unknown, index: number): void => {
    const fail = (reason: string): void => {
      errors.push({ index, reason });
    };
    const feature = raw as { type?: unknown; id?: unknown; properties?: unknown; geometry?: unknown } | null;
    if (typeof feature !== 'object' || feature === null || feature.type !== 'Feature') return fail('not a GeoJSON Feature');
    const props =
      typeof feature.properties === 'object' && feature.properties !== null && !Array.isArray(feature.properties)
        ? (feature.properties as Record<string, unknown>)
        : {};

    const reason = validateAssetGeometry(feature.geometry, spec.geometries);
    if (reason) return fail(`invalid geometry: ${reason}`);
    const geometry = normalizeAssetGeometry(feature.geometry as AssetGeometry);

    const propertyReason = validateAssetProperties(opts.type, props);
    if (propertyReason) return fail(propertyReason);

    let id: string | null;
    if (opts.idProperty !== undefined) {
      id = readKey(props[opts.idProperty]);
      if (id === null) return fail(`missing id (property "${opts.idProperty}")`);
    } else {
      const given = feature.id ?? props['id'];
      id = readKey(given);
      if (given !== undefined && given !== null && id === null) return fail(`id must be a non-empty string or a whole number, got ${JSON.stringify(given)}`);
      // Deterministic, so importing the same file twice gives the same ids.
      id ??= `${opts.type}-${index}`;
    }
    const seen = firstIndexOfId.get(id);
    if (seen !== undefined) return fail(`duplicate id ${id} (also feature ${seen})`);

    const deviceId = DEVICE_TYPES.has(opts.type) ? String(props['device_id']).trim() : null;
    if (deviceId !== null) {
      const other = firstIndexOfDevice.get(deviceId);
      // Readings and commands are addressed by device id: two assets with one id are ambiguous.
      if (other !== undefined) return fail(`duplicate device_id ${deviceId} (also feature ${other})`);
    }

    let jurisdictionCode: string | null = null;
    if (opts.resolver) {
      const [x, y] = representativePoint(geometry);
      const resolved = opts.resolver.resolve(x, y);
      if (!resolved) return fail(`outside the city: no district contains [${x.toFixed(6)}, ${y.toFixed(6)}]`);
      jurisdictionCode = resolved.chain.find((l) => l.level === 'district')?.code ?? null;
    }
    // Only features that pass are remembered, so one bad feature is reported once, not again as
    // a duplicate of a later good one.
    firstIndexOfId.set(id, index);
    if (deviceId !== null) firstIndexOfDevice.set(deviceId, index);

    const properties: Record<string, unknown> = { ...props };
    // These become columns of their own.
    delete properties['name'];
    delete properties['unit_id'];
    if (opts.idProperty !== undefined) delete properties[opts.idProperty];
    else delete properties['id'];
    records.push({
      id,
      type: opts.type,
      name: readText(props['name']),
      geometry,
      properties,
      unitId: readText(props['unit_id']),
      jurisdictionCode,
      generated: props['generated'] === true,
    });
  };

  features.forEach((raw, index) => {
    importOne(raw, index);
    if ((index + 1) % 1000 === 0 && index + 1 < total) opts.onProgress?.(index + 1, total);
  });
  opts.onProgress?.(total, total);
  return { records, errors };
}
