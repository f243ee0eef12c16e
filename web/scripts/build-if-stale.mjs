#!/usr/bin/env node
// Builds the web application (vite build) only when a source is newer than web/dist, so `npm start`
// serves a current app without a second server and without rebuilding on every start.
import { existsSync, readdirSync, renameSync, rmSync, statSync } from 'node:fs';
import { join, dirname } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const WEB = join(dirname(fileURLToPath(import.meta.url)), '..');
const DIST_INDEX = join(WEB, 'dist', 'index.html');
const SOURCES = [join(WEB, 'src'), join(WEB, 'index.html'), join(WEB, 'vite.config.ts'), join(WEB, 'public'), join(WEB, '..', 'package-lock.json')];

function newest(path) {
  if (!existsSync(path)) return 0;
  const s = statSync(path);
  if (!s.isDirectory()) return s.mtimeMs;
  let m = s.mtimeMs;
  for (const f of readdirSync(path)) m = Math.max(m, newest(join(path, f)));
  return m;
}

export function webBuildIsStale() {
  if (!existsSync(DIST_INDEX)) return true;
  const built = statSync(DIST_INDEX).mtimeMs;
  return SOURCES.some((p) => newest(p) > built);
}

export async function buildWebIfStale({ quiet = false } = {}) {
  if (!webBuildIsStale()) return false;
  const { build } = await import('vite');
  const t0 = Date.now();
  // The first start after a clone or an update builds the app: say so, since it takes a while.
  if (!quiet) console.log('building the web app (web/dist); the first start takes about a minute …');
  // Build beside web/dist and swap it in with renames: a server starting meanwhile (another test
  // file) sees the old build or none, never a half-written one.
  const tmp = join(WEB, `.dist-${process.pid}-${Date.now()}`);
  const old = `${tmp}-old`;
  // Always a production build: under vitest NODE_ENV is 'test', and Vite would then bundle
  // React's development build (twice the size, and slower) into what `npm start` serves.
  const env = process.env.NODE_ENV;
  process.env.NODE_ENV = 'production';
  try {
    await build({ configFile: join(WEB, 'vite.config.ts'), mode: 'production', logLevel: quiet ? 'error' : 'warn', build: { outDir: tmp, emptyOutDir: true } });
  } finally {
    if (env === undefined) delete process.env.NODE_ENV;
    else process.env.NODE_ENV = env;
  }
  const dist = join(WEB, 'dist');
  if (existsSync(dist)) renameSync(dist, old);
  renameSync(tmp, dist);
  rmSync(old, { recursive: true, force: true });
  if (!quiet) console.log(`web app built in ${((Date.now() - t0) / 1000).toFixed(1)} s (web/dist)`);
  return true;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  buildWebIfStale().catch((e) => {
    console.error(e);
    process.exit(1);
  });
}
