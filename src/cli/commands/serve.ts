/**
 * `cityloop serve`: the platform in one process (HTTP API, live feed, timers, the outbox runner,
 * sensing), with the embedded MQTT broker unless an external one is set; the demo city loaded
 * into an empty store.
 */
import type { Command } from 'commander';
import pino from 'pino';
import { openPlatform, type Platform } from '../../platform.ts';
import { buildApp } from '../../http/app.ts';
import { startEmbeddedBroker } from '../../actions/mqtt/embedded-broker.ts';
import { classifyStoreFault, describeStoreFault } from '../../store/store-faults.ts';
import { progressReporter } from '../../terminal/progress.ts';
import { CliFailure, EXIT, settingsOrFail } from '../command-context.ts';

/**
 * What the start-up log says about who can reach the server: with the demo on, either that it
 * listens on this machine only (HOST's default while DEMO=true), or that demo accounts refuse
 * sign-in from other addresses although it listens on the network.
 */
export function exposureNote(host: string, demo: boolean, hostGiven: boolean): string {
  const loopback = host === '127.0.0.1' || host === '::1' || host === 'localhost';
  if (!demo) return `listening on ${host} (DEMO=false)`;
  if (loopback) {
    return `DEMO=true: listening on ${host} only${hostGiven ? '' : ' (the default while the demo runs)'}, so the demo accounts and their published password are not reachable from the network; set HOST=0.0.0.0 to open it (demo accounts then still sign in from this machine only)`;
  }
  return `DEMO=true and HOST=${host}: the server is reachable from the network, but accounts with the published demo password sign in from this machine only; set DEMO=false and give accounts their own passwords before real use`;
}

/** How often `serve` looks for plan steps that no commit of its own announced (another node's, or left by a crash). */
const OUTBOX_POLL_MS = 5_000;

export function registerServeCommand(program: Command): void {
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
            const demo = p.pack.demo;
            if (!demo) return log.warn(`empty store: the city pack ${p.pack.id} has no demo to load`);
            log.info(`empty store: loading ${demo.description}…`);
            const r = await demo.seed(p.store, { onProgress: progress.update });
            progress.stop();
            log.info(r, `demo city loaded; demo users sign in with password "${demo.password}"`);
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
      log.info(exposureNote(settings.host, settings.demo, process.env.HOST !== undefined && process.env.HOST !== ''));
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
}
