/**
 * An MQTT broker inside the CityLoop process (aedes over plain TCP), for a city or a demo that
 * runs no broker of its own, and for tests. It accepts any client for now: it listens on
 * 127.0.0.1 unless told otherwise, and device authentication comes with issue 4.
 */
import { createServer, type Socket } from 'node:net';
import { Aedes } from 'aedes';

export interface EmbeddedBroker {
  /** mqtt://host:port to give to clients on this machine. */
  readonly url: string;
  /** The port actually bound (the chosen one when started with port 0). */
  readonly port: number;
  close(): Promise<void>;
}

export async function startEmbeddedBroker(opts: { port: number; host?: string }): Promise<EmbeddedBroker> {
  const { port } = opts;
  const host = opts.host ?? '127.0.0.1';
  if (!Number.isInteger(port) || port < 0 || port > 65_535) {
    throw new RangeError(`MQTT port must be an integer from 0 to 65535 (got ${String(port)})`);
  }
  const broker = await Aedes.createBroker();
  // aedes closes the clients that completed CONNECT; a socket that never did would keep
  // server.close() waiting, so every socket is tracked and destroyed on close.
  const sockets = new Set<Socket>();
  const server = createServer((socket) => {
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
    close() {
      closing ??= (async () => {
        const serverClosed = new Promise<void>((resolve) => server.close(() => resolve()));
        await closeBroker();
        for (const s of sockets) s.destroy();
        await serverClosed;
      })();
      return closing;
    },
  };
}
