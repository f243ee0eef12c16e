import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';

/**
 * The public data beside the project (`../shared/data`): the DEM, the flood benchmarks …
 * Absent on some machines: a test that needs it skips there, but under CI=true it must fail
 * (`requireSharedData`), so a CI run never passes by skipping the validations.
 */
export const SHARED_DATA_DIR = fileURLToPath(new URL('../../../shared/data/', import.meta.url));

export function sharedDataPath(...parts: string[]): string {
  return join(SHARED_DATA_DIR, ...parts);
}

/** Whether the file is there; under CI=true a missing file throws instead of answering false. */
export function hasSharedData(...parts: string[]): boolean {
  const p = sharedDataPath(...parts);
  if (existsSync(p)) return true;
  if (process.env.CI === 'true') throw new Error(`CI=true and the shared data file ${p} is missing`);
  return false;
}
