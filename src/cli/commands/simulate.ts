/**
 * `cityloop simulate`: the demo city's devices over MQTT (the simulator, loaded only when asked for).
 */
import type { Command } from 'commander';
import { progressReporter } from '../../terminal/progress.ts';
import { CliFailure, EXIT } from '../command-context.ts';

export function registerSimulateCommand(program: Command): void {
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
    .action(async (opts: import('../../../tools/simulate/simulator.ts').SimulateCommandOptions) => {
      const { simulateCommand, formatSummary, SimulationError } = await import('../../../tools/simulate/simulator.ts');
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
}
