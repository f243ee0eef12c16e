import { readFile, writeFile } from 'node:fs/promises';
import { userInfo } from 'node:os';
import { Command, CommanderError, Option } from 'commander';
import pino from 'pino';
import { readSettings } from '../config.ts';
import { openPlatform, type Platform } from '../platform.ts';
import { openStore } from '../store/store.ts';
import { buildApp } from '../server/app.ts';
import { resetDemoCity, DEMO_PASSWORD } from '../demo/demo-city.ts';
import { verifyEventLog } from '../events/event-log.ts';
import { LEVELS, type JurisdictionLevel } from '../geo/jurisdiction.ts';
import { parseJurisdictionFeatureCollection } from '../geo/import-jurisdictions.ts';
import { JurisdictionResolver } from '../geo/resolver.ts';
import { insertJurisdictions, loadJurisdictions } from '../geo/jurisdiction-repository.ts';
import { progressReporter } from './progress.ts';
import { startEmbeddedBroker } from '../actions/mqtt/embedded-broker.ts';
import { classifyStoreFault, describeStoreFault } from '../store/store-faults.ts';
import { API_TOKEN_DEFAULT_DAYS, API_TOKEN_MAX_DAYS } from '../auth/auth-service.ts';
import { TOKEN_SCOPES, type TokenScope } from '../auth/token-scopes.ts';
import { ASSET_TYPES, type AssetType } from '../assets/asset.ts';
import { parseAssetFeatureCollection } from '../assets/import-assets.ts';
import { deleteAssetsOfType, insertAssets, loadAssets } from '../assets/asset-repository.ts';
import { parsePlan, PlanError } from '../plans/plan-definition.ts';
import { DEMO_CATEGORIES } from '../cases/category-catalogue.ts';
import { CITY_UNIT_KINDS, DISTRICT_UNIT_KINDS, STREET_UNIT_KINDS } from '../org/unit-catalogue.ts';
import { CityLoopError } from '../errors.ts';
import { commandLinePrincipal } from '../auth/principal.ts';
import { registerClassifierCommands } from '../appeals/classifier/classifier-cli.ts';

/** The operating-system account running the command (recorded as the actor of what it changes). */
function osUser(): string {
  try {
    return userInfo().username;
  } catch {
    return process.env.USER ?? 'unknown';
  }
}

/** How often `serve` looks for plan steps that no commit of its own announced (another node's, or left by a crash). */
const OUTBOX_POLL_MS = 5_000;

const KNOWN_UNIT_KINDS = new Set([...CITY_UNIT_KINDS, ...DISTRICT_UNIT_KINDS, ...STREET_UNIT_KINDS].map((k) => k.kind));

/** Exit codes: 0 done; 1 failed (bad input, service down); 2 wrong usage; 3 audit found tampering. */
export const EXIT = { ok: 0, failed: 1, usage: 2, tampered: 3 } as const;

class CliFailure extends Error {
  constructor(message: string, readonly exitCode: number = EXIT.failed) {
    super(message);
  }
}

function settingsOrFail() {
  try {
    return readSettings();
  } catch (e) {
    throw new CliFailure((e as Error).message, EXIT.usage);
  }
}

async function withStore<T>(fn: (store: Awaited<ReturnType<typeof openStore>>) => Promise<T>): Promise<T> {
  const s = settingsOrFail();
  const store = await openStore({ databaseUrl: s.databaseUrl, dataDir: s.dataDir, sqliteSynchronous: s.sqliteSynchronous });
  try {
    return await fn(store);
  } finally {
    await store.close();
  }
}

async function readJsonFile(file: string): Promise<unknown> {
  try {
    return JSON.parse(await readFile(file, 'utf8'));
  } catch (e) {
    throw new CliFailure(`cannot read ${file} as JSON: ${(e as Error).message}`);
  }
}

/** An import is all or nothing: any invalid feature is listed by index and nothing is written. */
function refuseIfInvalid(file: string, errors: readonly { index: number; reason: string }[]): void {
  if (errors.length === 0) return;
  for (const e of errors.slice(0, 200)) console.error(`feature ${e.index}: ${e.reason}`);
  if (errors.length > 200) console.error(`… and ${errors.length - 200} more`);
  throw new CliFailure(`${errors.length} invalid feature(s) in ${file}: nothing was imported`);
}

export function buildCli(): Command {
  const program = new Command('cityloop')
    .description('CityLoop — 城市运行和治理中心: cases, tasks and the map of a city')
    .version('0.1.0')
    .showHelpAfterError()
    .exitOverride();

  program
    .command('serve')
    .description('run the platform (HTTP API, live feed, deadline timers); loads the demo city into an empty store')
    .action(async () => {
      const settings = settingsOrFail();
      const log = pino({ level: settings.logLevel, redact: ['req.headers.authorization', 'password', 'token'] });
      const progress = progressReporter(true);
      // A store fault in work nobody awaits (a background task, a late after-commit step) must not
      // end the process: the store comes back, and the next attempt works. Anything else is a bug
      // whose state cannot be trusted: logged, and the process ends as Node would end it.
      process.on('unhandledRejection', (reason) => {
        if (classifyStoreFault(reason)) {
          log.error({ err: reason, cause: describeStoreFault(reason) }, 'a background store call failed; the platform goes on');
          return;
        }
        log.fatal({ err: reason }, 'unhandled rejection');
        process.exit(EXIT.failed);
      });
      // The embedded MQTT broker, unless the settings name an external one. A taken port is said
      // clearly; the platform still runs, and device steps are recorded as failed for operators.
      let broker: Awaited<ReturnType<typeof startEmbeddedBroker>> | null = null;
      if (!settings.mqttUrl && settings.mqttPort !== null) {
        try {
          // Gated: devices log in with their id and secret. Until the platform is open only its own
          // client may; a device's CONNECT is held meanwhile (not refused: clients do not retry "not authorised").
          broker = await startEmbeddedBroker({ port: settings.mqttPort, gated: true });
          log.info(`embedded MQTT broker on ${broker.url} (devices log in with their id and secret: cityloop/devices/{id}/telemetry …)`);
        } catch (e) {
          log.warn(`${(e as Error).message}; running without an MQTT broker for device commands (set MQTT_URL to use an external broker, or MQTT_PORT=off to silence this)`);
        }
      }
      let platform: Platform;
      try {
        platform = await openPlatform(settings, {
          ...(broker ? { mqttUrl: broker.url, mqttCredentials: broker.platformCredentials } : {}),
          log,
          deferRecovery: true,
          seedWhenEmpty: async (p) => {
            log.info('empty store: loading the demo city of Chongqing (重庆市)…');
            const r = await resetDemoCity(p.store, { onProgress: progress.update });
            progress.stop();
            log.info(r, `demo city loaded; demo users sign in with password "${DEMO_PASSWORD}"`);
          },
        });
      } catch (e) {
        throw new CliFailure(`cannot open the store: ${(e as Error).message}`);
      }
      // Devices in at once: the broker has been holding their CONNECTs since it started listening.
      broker?.setGate(platform.sensing.gate());
      const app = await buildApp(platform, { logger: { level: settings.logLevel } });
      try {
        await app.listen({ port: settings.port, host: settings.host });
      } catch (e) {
        await platform.close();
        const err = e as NodeJS.ErrnoException;
        throw new CliFailure(err.code === 'EADDRINUSE' ? `port ${settings.port} is already in use: set PORT to another port` : `cannot listen: ${err.message}`);
      }
      // Only now that devices can log in: commands of recovered plans and of due plan steps reach them.
      // A store that fails now leaves those alerts raised for the operator; the server runs on.
      await platform.recover().catch((e: unknown) => log.error({ err: e }, 'crash recovery of trusted alerts failed; verify them by hand'));
      platform.timers.start();
      // Another process (a second server, the CLI) may change plans, rules, routing, categories or devices.
      if (settings.configWatchSeconds > 0) await platform.config.start(settings.configWatchSeconds * 1000);
      // Plan steps a crash left pending (and those of other nodes), now that devices can log in.
      platform.actions.start(OUTBOX_POLL_MS);
      platform.sensing.start(settings.ruleTickMs, 60_000, settings.capFeedUrls, settings.capPollSeconds);
      log.info(`CityLoop on http://localhost:${settings.port} (${platform.store.description}); API docs at /docs`);
      const stop = async () => {
        log.info('shutting down');
        await app.close();
        await platform.close();
        await broker?.close();
        process.exit(0);
      };
      process.once('SIGINT', () => void stop());
      process.once('SIGTERM', () => void stop());
      await new Promise(() => {});
    });

  const demo = program.command('demo').description('the demo city of Chongqing');
  demo
    .command('reset')
    .description('wipe the store and rebuild the demo city (38 districts, 1,031 streets, generated communities and grids, centers, units, users)')
    .option('--districts <codes>', 'only these district adcodes, comma-separated (quick demos)')
    .action(async (opts: { districts?: string }) => {
      const progress = progressReporter(true);
      const r = await withStore((store) =>
        resetDemoCity(store, { ...(opts.districts ? { districts: opts.districts.split(',').map((s) => s.trim()) } : {}), onProgress: progress.update }),
      );
      progress.stop();
      console.log(`demo city rebuilt: ${r.jurisdictions} jurisdictions, ${r.centers} centers, ${r.units} units, ${r.categories} categories, ${r.users} users (password "${DEMO_PASSWORD}")`);
    });

  const imp = program.command('import').description('import data into the store');
  imp
    .command('jurisdictions')
    .argument('<file>', 'GeoJSON FeatureCollection (GCJ-02 coordinates)')
    .addOption(new Option('--level <level>', 'level of every feature in the file').choices([...LEVELS]).makeOptionMandatory())
    .option('--code-property <name>', 'property holding the code (default: code or adcode)')
    .option('--name-property <name>', 'property holding the name (default: name)')
    .option('--replace', 'replace jurisdictions whose code already exists')
    .option('--dry-run', 'check the file and report, change nothing')
    .description('import jurisdictions of one level; invalid features are reported by index and nothing is imported')
    .action(async (file: string, opts: { level: JurisdictionLevel; codeProperty?: string; nameProperty?: string; replace?: boolean; dryRun?: boolean }) => {
      const input = await readJsonFile(file);
      const progress = progressReporter(true);
      await withStore(async (store) => {
        const existing = await loadJurisdictions(store.db);
        const parents = opts.level === 'city' ? null : JurisdictionResolver.build(existing);
        const { records, errors } = parseJurisdictionFeatureCollection(input, {
          level: opts.level,
          parents,
          ...(opts.codeProperty ? { codeProperty: opts.codeProperty } : {}),
          ...(opts.nameProperty ? { nameProperty: opts.nameProperty } : {}),
          onProgress: (d, n) => progress.update('check features', d, n),
        });
        progress.stop();
        const known = new Set(existing.map((r) => r.code));
        const clashes = records.filter((r) => known.has(r.code));
        if (clashes.length > 0 && !opts.replace) {
          for (const r of clashes.slice(0, 20)) errors.push({ index: records.indexOf(r), reason: `code ${r.code} already exists (use --replace)` });
        }
        refuseIfInvalid(file, errors);
        if (opts.dryRun) {
          console.log(`${records.length} ${opts.level} feature(s) are valid (dry run: nothing imported)`);
          return;
        }
        await store.db.transaction().execute(async (tx) => {
          if (clashes.length > 0) {
            for (let i = 0; i < clashes.length; i += 500) await tx.deleteFrom('jurisdictions').where('code', 'in', clashes.slice(i, i + 500).map((r) => r.code)).execute();
          }
          await insertJurisdictions(tx, records, (d, n) => progress.update('store', d, n));
        });
        progress.stop();
        console.log(`imported ${records.length} ${opts.level} jurisdiction(s)${clashes.length ? ` (${clashes.length} replaced)` : ''}`);
      });
    });

  imp
    .command('assets')
    .argument('<file>', 'GeoJSON FeatureCollection of one asset type (GCJ-02 coordinates)')
    .addOption(new Option('--type <type>', 'asset type of every feature').choices([...ASSET_TYPES]).makeOptionMandatory())
    .option('--id-property <name>', 'property holding the asset id (default: the feature id or id)')
    .option('--replace-type', 'replace every asset of this type (a new survey of the layer)')
    .option('--dry-run', 'check the file and report, change nothing')
    .description('import an asset layer (water mains, manholes, signals, places …); invalid features are reported by index and nothing is imported')
    .action(async (file: string, opts: { type: AssetType; idProperty?: string; replaceType?: boolean; dryRun?: boolean }) => {
      const input = await readJsonFile(file);
      const progress = progressReporter(true);
      await withStore(async (store) => {
        const resolver = JurisdictionResolver.build(await loadJurisdictions(store.db));
        const { records, errors } = parseAssetFeatureCollection(input, { type: opts.type, resolver, ...(opts.idProperty ? { idProperty: opts.idProperty } : {}), onProgress: (d: number, n: number) => progress.update('check features', d, n) });
        progress.stop();
        if (!opts.replaceType) {
          const ids = new Set((await loadAssets(store.db)).map((a) => a.id));
          records.forEach((r, i) => {
            if (ids.has(r.id)) errors.push({ index: i, reason: `asset ${r.id} already exists (use --replace-type to replace the layer)` });
          });
        }
        refuseIfInvalid(file, errors);
        if (opts.dryRun) {
          console.log(`${records.length} ${opts.type} feature(s) are valid (dry run: nothing imported)`);
          return;
        }
        await store.db.transaction().execute(async (tx) => {
          if (opts.replaceType) await deleteAssetsOfType(tx, opts.type);
          await insertAssets(tx, records, (d, n) => progress.update('store', d, n));
        });
        progress.stop();
        console.log(`imported ${records.length} ${opts.type} asset(s)`);
      });
    });

  const devicesCmd = program.command('devices').description('设备: the device registry');
  devicesCmd
    .command('import')
    .argument('<file>', 'CSV with a header row (id,type,name,lon,lat,crs,assetId,unitId,thresholds,…) or a GeoJSON FeatureCollection of points')
    .addOption(new Option('--format <format>', 'file format (default: from the extension)').choices(['csv', 'geojson']))
    .option('--dry-run', 'check the file and report, change nothing')
    .option('--no-credentials', 'register new devices without MQTT secrets')
    .option('--secrets-out <file>', 'where to write the new devices\' secrets (JSON, mode 0600; default <file>.secrets.json) — they are kept nowhere else')
    .description('import devices all or nothing: every bad row is listed and nothing is written; existing ids are updated')
    .action(async (file: string, opts: { format?: 'csv' | 'geojson'; dryRun?: boolean; credentials: boolean; secretsOut?: string }) => {
      let text: string;
      try {
        text = await readFile(file, 'utf8');
      } catch (e) {
        throw new CliFailure(`cannot read ${file}: ${(e as Error).message}`);
      }
      const format = opts.format ?? (/\.csv$/i.test(file) ? 'csv' : 'geojson');
      const platform = await openPlatform({ ...settingsOrFail(), demo: false }, { subscribeTelemetry: false });
      try {
        const progress = progressReporter(true);
        const r = await platform.sensing.devices.importFile(text, format, { dryRun: opts.dryRun ?? false, credentials: opts.credentials, onProgress: (d, n) => progress.update('store devices', d, n) }, { actor: commandLinePrincipal(osUser()) });
        progress.stop();
        if (r.errors.length > 0) {
          for (const e of r.errors.slice(0, 50)) console.error(`${file}: ${format === 'csv' ? 'row' : 'feature'} ${e.index}: ${e.errors.join('; ')}`);
          throw new CliFailure(`${r.errors.length} row(s) refused; nothing was imported`);
        }
        if (opts.dryRun) {
          console.log(`${r.created} new and ${r.updated} existing device(s) are valid (dry run: nothing imported)`);
          return;
        }
        console.log(`imported ${r.created} new and updated ${r.updated} device(s)`);
        if (r.secrets.length > 0) {
          const out = opts.secretsOut ?? `${file}.secrets.json`;
          await writeFile(out, JSON.stringify(Object.fromEntries(r.secrets.map((x) => [x.id, x.secret])), null, 2), { mode: 0o600 });
          console.log(`the ${r.secrets.length} new device secret(s) are in ${out} (shown nowhere else)`);
        }
      } finally {
        await platform.close();
      }
    });

  const capCmd = program.command('cap').description('CAP 1.2 warnings from other systems');
  capCmd
    .command('import')
    .argument('<files...>', 'CAP messages (XML)')
    .description('import CAP messages: areas become the districts they touch, an alert on each; Update/Cancel follow their references; unsafe or invalid messages are refused with every problem (exit 1)')
    .action(async (files: string[]) => {
      const platform = await openPlatform({ ...settingsOrFail(), demo: false }, { subscribeTelemetry: false });
      let bad = 0;
      try {
        for (const file of files) {
          try {
            const r = await platform.sensing.cap.import(await readFile(file), 'cli');
            console.log(`✓ ${file}: ${r.msgType} ${r.identifier}${r.duplicate ? ' (already imported)' : ''} — ${r.raised.length} alert(s) raised${r.ended ? `, ${r.ended} ended` : ''}${r.outside ? `, ${r.outside} area(s) outside the city` : ''}${r.unmapped ? `, ${r.unmapped} area(s) without coordinates` : ''}`);
          } catch (e) {
            bad += 1;
            const problems = (e as CityLoopError).extra?.problems as { path: string; message: { en: string } }[] | undefined;
            console.error(`✗ ${file}: ${(e as Error).message}`);
            for (const p of problems?.slice(0, 20) ?? []) console.error(`    ${p.path}: ${p.message.en}`);
          }
        }
      } finally {
        await platform.close();
      }
      if (bad > 0) throw new CliFailure(`${bad} CAP file(s) refused`);
    });

  const plans = program.command('plans').description('预案: plans as data');
  plans
    .command('check')
    .argument('<files...>', 'plan YAML files')
    .description('validate plan files; every problem is printed with its path, line and expression (exit 1 if any)')
    .action(async (files: string[]) => {
      let bad = 0;
      for (const file of files) {
        try {
          const def = parsePlan(await readFile(file, 'utf8'), { fileName: file, knownUnitKinds: KNOWN_UNIT_KINDS, knownCategories: new Set(DEMO_CATEGORIES.map((c) => c.code)) });
          console.log(`✓ ${file}: ${def.id} ${def.name} (${def.tasks.length} tasks, ${def.actions.length} actions)`);
        } catch (e) {
          bad += 1;
          console.error(e instanceof PlanError ? `✗ ${e.message}` : `✗ ${file}: ${(e as Error).message}`);
        }
      }
      if (bad > 0) throw new CliFailure(`${bad} plan file(s) refused`);
    });
  plans
    .command('list')
    .description('the newest version of every plan in the store')
    .action(async () => {
      const platform = await openPlatform({ ...settingsOrFail(), demo: false });
      try {
        for (const c of platform.plans.candidates().sort((a, b) => a.plan.id.localeCompare(b.plan.id))) console.log(`${c.plan.id}\tv${c.version}\t${c.plan.name}`);
      } finally {
        await platform.close();
      }
    });
  plans
    .command('simulate')
    .argument('[plan]', 'plan id (default: whichever plan applies)')
    .requiredOption('--category <code>', 'category of the hypothetical case')
    .requiredOption('--lng <lng>', 'longitude')
    .requiredOption('--lat <lat>', 'latitude')
    .addOption(new Option('--crs <crs>', 'datum of lng/lat').choices(['gcj02', 'wgs84']).default('gcj02'))
    .option('--source <source>', 'source of the case', 'inspection')
    .description('推演: dry run of a plan for a hypothetical case — level, tasks with their units, actions; changes nothing')
    .action(async (planId: string | undefined, opts: { category: string; lng: string; lat: string; crs: 'gcj02' | 'wgs84'; source: string }) => {
      const platform = await openPlatform({ ...settingsOrFail(), demo: false });
      try {
        const c = platform.planner.hypotheticalCase({ categoryCode: opts.category, source: opts.source, lng: Number(opts.lng), lat: Number(opts.lat), crs: opts.crs });
        const run = platform.planner.planFor(c, planId);
        console.log(JSON.stringify(run, null, 2));
        if (run.problems.length > 0) process.exitCode = EXIT.failed;
      } catch (e) {
        if (e instanceof CityLoopError) throw new CliFailure(e.message);
        throw e;
      } finally {
        await platform.close();
      }
    });

  const audit = program.command('audit').description('the audit trail');
  audit
    .command('verify')
    .description('walk the hash chain of the event log: finds any edited, inserted or deleted event (exit 3)')
    .option('--json', 'print the report as JSON')
    .action(async (opts: { json?: boolean }) => {
      const progress = progressReporter(!opts.json);
      const report = await withStore((store) => verifyEventLog(store.db, { onProgress: (d, n) => progress.update('verify events', d, n) }));
      progress.stop();
      if (opts.json) console.log(JSON.stringify(report));
      else {
        for (const p of report.problems) console.log(`✗ ${p.seq === null ? '' : `#${p.seq} `}${p.kind}: ${p.detail}`);
        console.log(report.ok ? `✓ ${report.events} events, chain intact (head #${report.headSeq} ${report.headHash.slice(0, 16)}…)` : `✗ ${report.problems.length} problem(s) in ${report.events} events`);
      }
      if (!report.ok) process.exitCode = EXIT.tampered;
    });

  const token = program.command('token').description('API tokens for systems');
  token
    .command('create')
    .requiredOption('--user <username>', 'the account the token acts as')
    .requiredOption('--name <name>', 'what the token is for')
    .option('--scopes <list>', `comma-separated scopes: ${TOKEN_SCOPES.join(', ')}`, 'read')
    .option('--days <n>', `days until it expires (1 to ${API_TOKEN_MAX_DAYS})`, String(API_TOKEN_DEFAULT_DAYS))
    .description('create an API token (printed once; only its hash is stored); recorded in the event log as issued by the CLI')
    .action(async (opts: { user: string; name: string; scopes: string; days: string }) => {
      const settings = settingsOrFail();
      const scopes = opts.scopes.split(',').map((x) => x.trim()).filter(Boolean);
      for (const sc of scopes) if (!(TOKEN_SCOPES as readonly string[]).includes(sc)) throw new CliFailure(`unknown scope ${sc}: use ${TOKEN_SCOPES.join(', ')}`);
      const platform = await openPlatform(settings);
      try {
        const u = await platform.store.db.selectFrom('users').select('id').where('username', '=', opts.user).executeTakeFirst();
        if (!u) throw new CliFailure(`no user named ${opts.user}`);
        const t = await platform.auth.createApiToken(commandLinePrincipal(osUser()), u.id, opts.name, { scopes: scopes as TokenScope[], expiresInDays: Number(opts.days) });
        console.log(t.token);
      } finally {
        await platform.close();
      }
    });

  program
    .command('bench')
    .argument('<name>', 'geo | cases | plans | appeals | ingest | all, or ui (the cockpit in headless Chromium over 100,000 cases: minutes, not part of all)')
    .option('--json', 'print one JSON object of figures as the last line')
    .option('--seconds <n>', 'measuring time per figure', '5')
    .description('measure the figures in the README (resolver lookups/s, cases/s on SQLite and PostgreSQL, plans/s and nearest-asset queries/s)')
    .action(async (name: string, opts: { json?: boolean; seconds: string }) => {
      const { runBench, BENCHMARKS } = await import('../../bench/run.ts');
      const seconds = Number(opts.seconds);
      if (!Number.isFinite(seconds) || seconds <= 0) throw new CliFailure('--seconds must be a positive number', EXIT.usage);
      if (!(BENCHMARKS as readonly string[]).includes(name)) throw new CliFailure(`unknown benchmark ${name}: ${BENCHMARKS.join(', ')}`, EXIT.usage);
      const result = await runBench(name as (typeof BENCHMARKS)[number], { seconds, log: (m) => process.stderr.write(`${m}\n`) });
      console.log(opts.json ? JSON.stringify(result) : JSON.stringify(result, null, 2));
    });

  program
    .command('simulate')
    .description('模拟设备: the demo city\'s devices over MQTT — normal readings, scripted incidents (爆管 burst, 下穿道积水 underpass, 渣土车撒漏 truck, 森林火情 fire) at a chosen speed, or a CSV series replayed')
    .option('--scenario <names>', '场景 scenario: burst | underpass | truck | fire | all, or several comma-separated')
    .option('--speed <n>', '倍速 speed: scenario time ÷ n (10: a 5-minute rise takes 30 s); with --replay, rows per second', '1')
    .option('--devices <n>', '背景设备 devices streaming normal readings, taken by type in turn (default 50; 0 with --replay)')
    .option('--interval <seconds>', '上报间隔 seconds between two normal readings of a device', '10')
    .option('--duration <time>', '时长 stop after 90s, 10m, 1h30m … (default: Ctrl-C; without background devices, when the scenarios or the replay end)')
    .option('--url <mqtt-url>', 'MQTT broker (default: MQTT_URL, else the embedded broker of serve, mqtt://127.0.0.1:$MQTT_PORT or 1883)')
    .option('--api <url>', '平台接口 the API to list devices from (default http://localhost:$PORT or 8080)')
    .option('--user <name>', 'account that lists the devices (password: CITYLOOP_PASSWORD, else the demo password)', 'admin')
    .option('--devices-file <file>', '设备清单 devices as JSON ([{"id", "type"}] or the API\'s answer) instead of asking the API')
    .option('--secrets <file>', '设备密钥 {"device-id": "secret"} for real devices (default: the demo devices\' public recipe)')
    .option('--replay <file>', '回放 a CSV series (time, station, value) published as one device\'s readings, stamped now')
    .option('--device <id>', 'the device a replay speaks as (default: the platform\'s air-quality device, if it has one)')
    .option('--column <name>', 'the CSV\'s value column (default: detected)')
    .option('--metric <name>', 'the metric of the replayed values (default: from the column, pm25_mg_m3 → pm25)')
    .option('--seed <n>', 'seed of the normal readings', '1')
    .action(async (opts: import('../sensing/simulate/simulator.ts').SimulateCommandOptions) => {
      const { simulateCommand, formatSummary, SimulationError } = await import('../sensing/simulate/simulator.ts');
      const stopper = new AbortController();
      const onSignal = () => {
        if (stopper.signal.aborted) process.exit(EXIT.failed);
        console.error('stopping: waiting for the last acknowledgements (Ctrl-C again to quit at once)…');
        stopper.abort();
      };
      process.on('SIGINT', onSignal);
      process.on('SIGTERM', onSignal);
      const progress = progressReporter(true);
      try {
        const s = await simulateCommand(opts, { log: (l) => console.log(l), warn: (l) => console.error(`warning: ${l}`), signal: stopper.signal, progress: (d, n) => progress.update('replay', d, n) });
        progress.stop();
        console.log(`simulated ${formatSummary(s)}`);
        if (s.sent > 0 && s.acknowledged === 0) throw new CliFailure('no message was acknowledged: is the platform behind this broker?');
      } catch (e) {
        progress.stop();
        if (e instanceof SimulationError) throw new CliFailure(e.message, e.usage ? EXIT.usage : EXIT.failed);
        throw e;
      } finally {
        process.off('SIGINT', onSignal);
        process.off('SIGTERM', onSignal);
      }
    });

  registerClassifierCommands(program);
  return program;
}

export async function runCli(argv: string[]): Promise<number> {
  const program = buildCli();
  try {
    await program.parseAsync(argv);
    return typeof process.exitCode === 'number' ? process.exitCode : EXIT.ok;
  } catch (e) {
    if (e instanceof CommanderError) {
      if (e.code === 'commander.helpDisplayed' || e.code === 'commander.version' || e.code === 'commander.help') return EXIT.ok;
      return EXIT.usage;
    }
    if (e instanceof CliFailure) {
      console.error(`cityloop: ${e.message}`);
      return e.exitCode;
    }
    console.error(`cityloop: ${(e as Error).message ?? String(e)}`);
    return EXIT.failed;
  }
}

