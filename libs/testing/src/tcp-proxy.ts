import net from 'node:net';
import { bindWithRetry } from './stable-port.js';

/**
 * A loopback TCP proxy in front of a real server, for outage tests: `cut()` drops every
 * connection and refuses new ones, as a crashed or unreachable server would; `restore()`
 * listens again on the same port.
 */
export interface TcpProxy {
  port: number;
  cut(): Promise<void>;
  restore(): Promise<void>;
  close(): Promise<void>;
}

export async function startTcpProxy(targetHost: string, targetPort: number): Promise<TcpProxy> {
  const sockets = new Set<net.Socket>();
  const server = net.createServer((client) => {
    const upstream = net.connect(targetPort, targetHost);
    for (const socket of [client, upstream]) {
      sockets.add(socket);
      socket.on('close', () => sockets.delete(socket));
      socket.on('error', () => {
        client.destroy();
        upstream.destroy();
      });
    }
    client.pipe(upstream).pipe(client);
  });
  const listen = (port: number) =>
    new Promise<void>((resolve, reject) => {
      const onError = (error: Error) => reject(error);
      server.once('error', onError).listen(port, '127.0.0.1', () => {
        server.off('error', onError);
        resolve();
      });
    });
  const stop = () =>
    new Promise<void>((resolve) => {
      for (const socket of sockets) socket.destroy();
      server.close(() => resolve());
    });
  const { port } = await bindWithRetry(listen);
  return {
    port,
    cut: stop,
    restore: () => bindWithRetry(listen, port).then(() => undefined),
    close: () => (server.listening ? stop() : Promise.resolve()),
  };
}
