/**
 * A TCP relay on 127.0.0.1 between a client and a server, for fault tests: `freeze()` stops
 * relaying while keeping every socket open (a half-open connection, a stalled network: nothing
 * arrives, nothing ends) — in both directions, or only the server's answers (the request arrives,
 * its answer is lost); `thaw()` relays again (bytes that came meanwhile are dropped, like a network
 * that lost them); `cut()` resets every connection.
 */
import { createConnection, createServer, type Server, type Socket } from 'node:net';

export interface TcpProxy {
  readonly port: number;
  freeze(direction?: 'both' | 'answers'): void;
  thaw(): void;
  /** Resets every open connection (both sides see ECONNRESET / an unexpected end). */
  cut(): void;
  readonly connections: number;
  close(): Promise<void>;
}

export async function startTcpProxy(target: { host: string; port: number }): Promise<TcpProxy> {
  let frozen: 'no' | 'both' | 'answers' = 'no';
  const pairs = new Set<{ a: Socket; b: Socket }>();
  const server: Server = createServer((a) => {
    const b = createConnection(target);
    const pair = { a, b };
    pairs.add(pair);
    const relay = (from: Socket, to: Socket, isAnswer: boolean) =>
      from.on('data', (chunk) => {
        if (frozen === 'no' || (frozen === 'answers' && !isAnswer)) to.write(chunk);
      });
    relay(a, b, false);
    relay(b, a, true);
    const end = () => {
      pairs.delete(pair);
      a.destroy();
      b.destroy();
    };
    a.on('error', end).on('close', end);
    b.on('error', end).on('close', end);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  return {
    port,
    freeze: (direction = 'both') => void (frozen = direction),
    thaw: () => void (frozen = 'no'),
    cut() {
      for (const { a, b } of pairs) {
        a.resetAndDestroy();
        b.resetAndDestroy();
      }
      pairs.clear();
    },
    get connections() {
      return pairs.size;
    },
    async close() {
      for (const { a, b } of pairs) {
        a.destroy();
        b.destroy();
      }
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
