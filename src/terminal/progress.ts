import cliProgress from 'cli-progress';

/**
 * A progress bar on stderr for long jobs (stdout stays clean for --json). Without a terminal
 * (CI, pipes) it prints a line every 10 % instead.
 */
export function progressReporter(enabled = true): { update(phase: string, done: number, total: number): void; stop(): void } {
  if (!enabled) return { update() {}, stop() {} };
  const tty = Boolean(process.stderr.isTTY);
  let bar: cliProgress.SingleBar | null = null;
  let phase = '';
  let lastTenth = -1;
  return {
    update(p, done, total) {
      if (tty) {
        if (p !== phase) {
          bar?.stop();
          phase = p;
          bar = new cliProgress.SingleBar({ format: `${p.padEnd(22)} [{bar}] {percentage}% {value}/{total}`, stream: process.stderr, hideCursor: true }, cliProgress.Presets.shades_classic);
          bar.start(total, done);
        } else bar?.update(done);
        return;
      }
      if (p !== phase) {
        phase = p;
        lastTenth = -1;
      }
      const tenth = total > 0 ? Math.floor((done / total) * 10) : 10;
      if (tenth !== lastTenth) {
        lastTenth = tenth;
        process.stderr.write(`${p}: ${done}/${total} (${tenth * 10}%)\n`);
      }
    },
    stop() {
      bar?.stop();
    },
  };
}
