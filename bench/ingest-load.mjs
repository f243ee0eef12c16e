// The load generator of `cityloop bench ingest`, run in its own process so that it has its own
// core: one MQTT connection per device, each publishing QoS 1 readings with a window of messages
// in flight; counts the PUBACKs that arrive inside the timed window. Plain JavaScript (no tsx) so
// it starts fast. Input and output are JSON files named on the command line.
import { readFileSync, writeFileSync } from 'node:fs';
import mqtt from 'mqtt';

const [, , inFile, outFile] = process.argv;
const cfg = JSON.parse(readFileSync(inFile, 'utf8'));
// { url, devices: [{id, secret}], topic: 'telemetry' | 'plain', seconds, warmupSeconds, window, alertShare, seed }
const now = () => performance.timeOrigin + performance.now();
let seed = cfg.seed ?? 42;
const rnd = () => ((seed = (seed * 1103515245 + 12345) & 0x7fffffff) / 0x7fffffff);

const clients = await Promise.all(
  cfg.devices.map((d) =>
    mqtt.connectAsync(cfg.url, { clientId: `bench-${d.id}`, ...(d.secret ? { username: d.id, password: d.secret } : {}), reconnectPeriod: 0, clean: true, log: () => {} }),
  ),
);
const start = now();
const windowStart = start + cfg.warmupSeconds * 1000;
const end = windowStart + cfg.seconds * 1000;
let acked = 0;
let failed = 0;
const raises = []; // [deviceId, ts, publishedAtMs]
let stop = false;

async function run(client, d) {
  let last = 0;
  let inflight = 0;
  let wake = null;
  const topic = cfg.topic === 'plain' ? `bench/${d.id}` : `cityloop/devices/${d.id}/telemetry`;
  let high = false;
  while (!stop) {
    if (inflight >= cfg.window) {
      await new Promise((r) => (wake = r));
      continue;
    }
    const t = Math.max(Date.now(), last + 1);
    last = t;
    const ts = new Date(t).toISOString();
    // 1 % of readings cross the threshold (raise); the next one is normal again (clear).
    const raise = !high && rnd() < cfg.alertShare;
    const value = raise ? 0.9 : 0.05 + rnd() * 0.1;
    high = raise;
    const sentAt = now();
    if (raise && sentAt >= windowStart) raises.push([d.id, ts, sentAt]);
    inflight += 1;
    client.publish(topic, JSON.stringify({ ts, values: { water_level: Math.round(value * 1000) / 1000 } }), { qos: 1 }, (err) => {
      inflight -= 1;
      const at = now();
      if (at >= windowStart && at < end) {
        if (err) failed += 1;
        else acked += 1;
      }
      const w = wake;
      wake = null;
      w?.();
    });
    if (inflight % 8 === 0) await new Promise((r) => setImmediate(r));
  }
  while (inflight > 0) await new Promise((r) => (wake = r));
}

const runs = clients.map((c, i) => run(c, cfg.devices[i]));
setTimeout(() => (stop = true), end - now());
await Promise.all(runs);
await Promise.all(clients.map((c) => c.endAsync()));
writeFileSync(outFile, JSON.stringify({ acked, failed, seconds: cfg.seconds, raises }));
process.exit(0);
