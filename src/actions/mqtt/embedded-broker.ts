/**
 * An MQTT broker inside the CityLoop process (aedes over plain TCP), for a city or a demo that
 * runs no broker of its own, and for tests. It listens on 127.0.0.1 unless told otherwise.
 *
 * With a gate (what `serve` always passes), every client must authenticate: the platform's own
 * client with credentials the broker made up at start, each device with its id and secret; and
 * the gate decides each publish and subscription (a device publishes only to its own topics and
 * reads only its own commands). A publish the gate holds back is acknowledged only when the gate
 * lets it go: that is how a reading's PUBACK waits until its effects are durable. Without a gate
 * (unit tests of other parts) the broker accepts anyone.
 */
import { randomBytes, timingSafeEqual } from 'node:crypto';
import { createServer, type Socket } from 'node:net';
import { Aedes, type Client } from 'aedes';

/** Who a connected client is, once authenticated. */
export type BrokerIdentity = { readonly kind: 'platform' } | { readonly kind: 'device'; readonly deviceId: string };

/** The decisions a gate makes; thrown errors refuse (the client is disconnected, as MQTT 3.1.1 allows). */
export interface BrokerGate {
  /** A device's id and secret; null refuses the CONNECT (return code 5, not authorised). */
  authenticateDevice(username: string, password: string): BrokerIdentity | null;
  /** Resolves to let the publish through (and its PUBACK go out); rejects to refuse it. */
  authorizePublish(who: BrokerIdentity, topic: string, payload: Buffer, qos: number): Promise<void>;
  /** false refuses the subscription (SUBACK 0x80). */
  authorizeSubscribe(who: BrokerIdentity, topic: string): boolean;
  /** A CONNECT with wrong or no credentials (counted by the gate's owner). */
  onRefusedConnect?(username: string | undefined): void;
  /** Told once, when set: how many device CONNECTs were answered "server unavailable" before it was. */
  onConnectsRefusedWhileStarting?(count: number): void;
  /**
   * Subscribes the broker to the end of devices' credentials (a secret rotated, a device deleted
   * or disabled): `endDevice` closes the device's connections at once. Returns the unsubscribe.
   */
  watchRevocations?(endDevice: (deviceId: string) => void): () => void;
}

export const PLATFORM_USERNAME = 'cityloop-platform';
const MQ_CONCURRENCY = 65_536;
/** A subscriber that stops reading is disconnected after this, instead of stalling every delivery. */
const DRAIN_TIMEOUT_MS = 30_000;
/**
 * How long a device's CONNECT waits for the gate while the platform starts. Below the 30 s that
 * common clients (mqtt.js, Paho) wait for a CONNACK, so they hear an answer rather than time out.
 */
export const DEFAULT_CONNECT_HOLD_MS = 20_000;
/** CONNACK return code 3 of MQTT 3.1.1: "server unavailable" — clients try again, unlike 5. */
const SERVER_UNAVAILABLE = 3;

export interface EmbeddedBroker {
  /** mqtt://host:port to give to clients on this machine. */
  readonly url: string;
  /** The port actually bound (the chosen one when started with port 0). */
  readonly port: number;
  /** The platform's own client logs in with these when a gate is set. */
  readonly platformCredentials: { readonly username: string; readonly password: string };
  /**
   * Sets (or replaces) the gate. Until then a gated broker admits only the platform at once; a
   * device's CONNECT is held until the gate is set (it is then decided as usual) or, after the
   * hold, answered "server unavailable" (return code 3), which clients retry.
   */
  setGate(gate: BrokerGate): void;
  /** Closes every connection of a device now (its credentials ended); returns how many. */
  disconnectDevice(deviceId: string): number;
  close(): Promise<void>;
}

const IDENTITY = Symbol('cityloop.identity');
const GENERATION = Symbol('cityloop.generation');
type GatedClient = Client & { [IDENTITY]?: BrokerIdentity; [GENERATION]?: number };

/**
 * The connected devices, and for each device how often its credentials ended. A client remembers
 * the count it authenticated under: one that authenticated just before a revocation and became
 * ready just after it is recognised by the changed count and closed too.
 */
class DeviceConnections {
  readonly #clients = new Map<string, Set<GatedClient>>();
  readonly #generation = new Map<string, number>();

  generationOf(deviceId: string): number {
    return this.#generation.get(deviceId) ?? 0;
  }

  add(deviceId: string, c: GatedClient): void {
    let set = this.#clients.get(deviceId);
    if (!set) this.#clients.set(deviceId, (set = new Set()));
    set.add(c);
  }

  delete(deviceId: string, c: GatedClient): void {
    const set = this.#clients.get(deviceId);
    if (set?.delete(c) && set.size === 0) this.#clients.delete(deviceId);
  }

  end(deviceId: string): number {
    this.#generation.set(deviceId, this.generationOf(deviceId) + 1);
    const set = this.#clients.get(deviceId);
    this.#clients.delete(deviceId);
    for (const c of set ?? []) c.close();
    return set?.size ?? 0;
  }
}

export async function startEmbeddedBroker(opts: { port: number; host?: string; gated?: boolean; connectHoldMs?: number }): Promise<EmbeddedBroker> {
  const { port } = opts;
  const host = opts.host ?? '127.0.0.1';
  if (!Number.isInteger(port) || port < 0 || port > 65_535) {
    throw new RangeError(`MQTT port must be an integer from 0 to 65535 (got ${String(port)})`);
  }
  // mqemitter queues deliveries beyond `concurrency` and drains its queue recursively: when a
  // committed batch releases thousands of held publishes in one tick, the default of 100 overflows
  // the stack. The pipeline releases at most one batch (≤ a few thousand messages) at a time.
  const broker = await Aedes.createBroker({ concurrency: MQ_CONCURRENCY, drainTimeout: DRAIN_TIMEOUT_MS });
  const platformPassword = randomBytes(24).toString('base64url');
  let gate: BrokerGate | null = null;
  // Devices that connected before the gate was set, waiting for it (or for the hold to end).
  const gateWaiters = new Set<(g: BrokerGate | null) => void>();
  let refusedWhileStarting = 0;
  const holdMs = opts.connectHoldMs ?? DEFAULT_CONNECT_HOLD_MS;
  const whenGate = (): Promise<BrokerGate | null> =>
    gate
      ? Promise.resolve(gate)
      : new Promise((resolve) => {
          const settle = (g: BrokerGate | null) => {
            clearTimeout(timer);
            gateWaiters.delete(settle);
            if (!g) refusedWhileStarting += 1;
            resolve(g);
          };
          const timer = setTimeout(() => settle(null), holdMs);
          timer.unref();
          gateWaiters.add(settle);
        });
  let unwatch: (() => void) | null = null;
  const devices = new DeviceConnections();
  if (opts.gated) installGate(broker, platformPassword, () => gate, whenGate, devices);
  // aedes closes the clients that completed CONNECT; a socket that never did would keep
  // server.close() waiting, so every socket is tracked and destroyed on close.
  const sockets = new Set<Socket>();
  const server = createServer((socket) => {
    // Acks are tiny packets: without this, Nagle holds them back behind the peer's delayed ACK (~40 ms).
    socket.setNoDelay(true);
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    broker.handle(socket);
  });
  const closeBroker = (): Promise<void> => new Promise((resolve) => broker.close(() => resolve()));

  try {
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, host, () => {
        server.off('error', reject);
        resolve();
      });
    });
  } catch (err) {
    await closeBroker();
    if ((err as NodeJS.ErrnoException).code === 'EADDRINUSE') {
      throw new Error(`MQTT port ${port} is already in use: set MQTT_PORT`, { cause: err });
    }
    throw new Error(`MQTT broker could not listen on ${host}:${port}: ${(err as Error).message}`, { cause: err });
  }

  const address = server.address();
  const bound = typeof address === 'object' && address !== null ? address.port : port;
  // A wildcard address is where the broker listens, not where a client can connect to.
  const clientHost = host === '0.0.0.0' || host === '::' ? '127.0.0.1' : host.includes(':') ? `[${host}]` : host;
  let closing: Promise<void> | null = null;

  return {
    url: `mqtt://${clientHost}:${bound}`,
    port: bound,
    platformCredentials: { username: PLATFORM_USERNAME, password: platformPassword },
    setGate(g) {
      unwatch?.();
      gate = g;
      if (refusedWhileStarting > 0) {
        g.onConnectsRefusedWhileStarting?.(refusedWhileStarting);
        refusedWhileStarting = 0;
      }
      unwatch = g.watchRevocations?.((deviceId) => devices.end(deviceId)) ?? null;
      for (const settle of [...gateWaiters]) settle(g);
    },
    disconnectDevice(deviceId) {
      return devices.end(deviceId);
    },
    close() {
      closing ??= (async () => {
        unwatch?.();
        for (const settle of [...gateWaiters]) settle(null);
        const serverClosed = new Promise<void>((resolve) => server.close(() => resolve()));
        await closeBroker();
        for (const s of sockets) s.destroy();
        await serverClosed;
      })();
      return closing;
    },
  };
}

function sameSecret(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

function installGate(broker: Aedes, platformPassword: string, gate: () => BrokerGate | null, whenGate: () => Promise<BrokerGate | null>, devices: DeviceConnections): void {
  broker.on('clientReady', (client) => {
    const c = client as GatedClient;
    const who = c[IDENTITY];
    if (who?.kind !== 'device') return;
    if (c[GENERATION] !== devices.generationOf(who.deviceId)) return c.close();
    devices.add(who.deviceId, c);
  });
  broker.on('clientDisconnect', (client) => {
    const who = (client as GatedClient)[IDENTITY];
    if (who?.kind === 'device') devices.delete(who.deviceId, client as GatedClient);
  });
  broker.authenticate = (client, username, password, done) => {
    const user = username ?? '';
    const pass = password ? password.toString('utf8') : '';
    if (user === PLATFORM_USERNAME && sameSecret(pass, platformPassword)) {
      (client as GatedClient)[IDENTITY] = { kind: 'platform' };
      return done(null, true);
    }
    const decide = (g: BrokerGate) => {
      const who = user && pass ? g.authenticateDevice(user, pass) : null;
      if (!who) {
        g.onRefusedConnect?.(username);
        return done(Object.assign(new Error('not authorised'), { returnCode: 5 }), false);
      }
      (client as GatedClient)[IDENTITY] = who;
      if (who.kind === 'device') (client as GatedClient)[GENERATION] = devices.generationOf(who.deviceId);
      done(null, true);
    };
    const g = gate();
    if (g) return decide(g);
    // The platform is still starting (its device registry is not read yet). Refusing with 5
    // ("not authorised") would lock devices out: clients take it as final. The CONNECT waits for
    // the gate instead, and past the hold is answered 3 ("server unavailable"), which they retry.
    void whenGate().then((ready) => {
      if (ready) return decide(ready);
      done(Object.assign(new Error('server unavailable: the platform is starting'), { returnCode: SERVER_UNAVAILABLE }), false);
    });
  };
  broker.authorizePublish = (client, packet, done) => {
    const who = client ? (client as GatedClient)[IDENTITY] : undefined;
    if (!client) return done(null); // a will of a client that is gone: it passed the gate when it connected
    if (!who) return done(new Error('not authenticated'));
    if (packet.topic.startsWith('$SYS')) return done(new Error('$SYS is reserved'));
    if (who.kind === 'platform') return done(null);
    if ((client as GatedClient)[GENERATION] !== devices.generationOf(who.deviceId)) return done(new Error('the device\'s credentials ended'));
    const g = gate();
    if (!g) return done(new Error('the platform is not ready'));
    g.authorizePublish(who, packet.topic, packet.payload as Buffer, packet.qos).then(
      () => done(null),
      (e: unknown) => done(e instanceof Error ? e : new Error(String(e))),
    );
  };
  broker.authorizeSubscribe = (client, sub, done) => {
    const who = (client as GatedClient)[IDENTITY];
    if (!who) return done(null, null);
    if (who.kind === 'platform') return done(null, sub);
    const g = gate();
    done(null, g && g.authorizeSubscribe(who, sub.topic) ? sub : null);
  };
}
