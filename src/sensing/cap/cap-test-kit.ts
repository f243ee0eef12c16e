/**
 * Test support for the CAP modules (not used by the application): where the samples are, a
 * district-level resolver over the shipped Chongqing boundaries, and schema validation of CAP
 * 1.2 documents against OASIS's XSD with libxml2 (xmllint-wasm, a dev dependency).
 */
import fs from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { JurisdictionRecord } from '../../geo/jurisdiction.ts';
import { JurisdictionResolver } from '../../geo/resolver.ts';

/** The shared public samples (google/cap-library test data); absent on some machines. */
export const SHARED_CAP_DIR = fileURLToPath(new URL('../../../../shared/data/cap/', import.meta.url));
export const HAVE_SHARED_CAP = fs.existsSync(`${SHARED_CAP_DIR}CAP-v1.2.xsd`);
/** Skip the tests over the samples only outside CI: with CI=true a missing sample fails them. */
export const SKIP_SHARED_CAP = !HAVE_SHARED_CAP && process.env.CI !== 'true';
if (SKIP_SHARED_CAP) {
  console.warn(`CAP samples not found at ${SHARED_CAP_DIR}: the tests over the public samples are skipped (our own fixtures still run)`);
}
/** Our own fixtures and the copy of the schema: always present. */
export const FIXTURE_CAP_DIR = fileURLToPath(new URL('../../../test/fixtures/cap/', import.meta.url));
const RESOURCES_GEO_DIR = fileURLToPath(new URL('../../../cities/chongqing/geo/chongqing-districts/', import.meta.url));

export function readSample(name: string): Uint8Array {
  return fs.readFileSync(`${SHARED_CAP_DIR}${name}`);
}

export function readFixture(name: string): Uint8Array {
  return fs.readFileSync(`${FIXTURE_CAP_DIR}${name}`);
}

/**
 * The city and its 38 real district polygons (GCJ-02), without the generated streets and grids:
 * CAP areas become alerts per district, and this builds in a fraction of a second.
 */
export function chongqingDistrictResolver(): JurisdictionResolver {
  const records: JurisdictionRecord[] = [
    { code: '500000', parentCode: null, level: 'city', name: '重庆市', geometry: null, generated: false, properties: {} },
  ];
  for (const file of fs.readdirSync(RESOURCES_GEO_DIR).filter((f) => f.endsWith('.json')).sort()) {
    const json = JSON.parse(fs.readFileSync(`${RESOURCES_GEO_DIR}${file}`, 'utf8')) as {
      features: { properties: { adcode: number; name: string }; geometry: JurisdictionRecord['geometry'] }[];
    };
    const f = json.features[0]!;
    records.push({ code: String(f.properties.adcode), parentCode: '500000', level: 'district', name: f.properties.name, geometry: f.geometry, generated: false, properties: {} });
  }
  return JurisdictionResolver.build(records);
}

export interface XsdVerdict {
  readonly valid: boolean;
  readonly errors: readonly string[];
}

/**
 * Validates documents against CAP-v1.2.xsd with libxml2's xmllint (compiled to WebAssembly; no
 * network, no native install). One call validates them all: starting the module is the cost.
 * Each document's verdict is keyed by name; the names must be plain file names.
 */
export async function validateWithCapXsd(docs: readonly { name: string; xml: string | Uint8Array }[]): Promise<Map<string, XsdVerdict>> {
  const { validateXML } = await import('xmllint-wasm');
  const schema = fs.readFileSync(`${FIXTURE_CAP_DIR}CAP-v1.2.xsd`, 'utf8');
  const out = new Map<string, XsdVerdict>();
  // xmllint reports errors per file name; run each document alone so one bad file's
  // errors cannot be confused with another's, but in one module instance per document.
  for (const d of docs) {
    const r = await validateXML({ xml: [{ fileName: d.name, contents: d.xml }], schema: [schema] });
    out.set(d.name, { valid: r.valid, errors: r.errors.map((e) => e.rawMessage) });
  }
  return out;
}
