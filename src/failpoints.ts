/**
 * Named points where a test can have the process die at once (SIGKILL), as a power cut or
 * `kill -9` would: `CITYLOOP_FAILPOINTS=outbox:before-effect node bin/cityloop.js serve`. The fault
 * tests use them to stop a real server between a commit and what follows it, then start it again
 * and check that nothing was lost or done twice. Without the variable (production) it does nothing.
 */
const ARMED = new Set((process.env.CITYLOOP_FAILPOINTS ?? '').split(',').map((s) => s.trim()).filter(Boolean));

export function failpoint(name: string): void {
  if (ARMED.has(name)) process.kill(process.pid, 'SIGKILL');
}
