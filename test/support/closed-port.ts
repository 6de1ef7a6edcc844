import { createServer } from 'node:net';

/** A loopback URL where nothing listens: connecting to it is a real ECONNREFUSED, no fake fetch needed. */
export async function closedEndpoint(): Promise<string> {
  const server = createServer();
  await new Promise<void>((listening) => server.listen(0, '127.0.0.1', listening));
  const { port } = server.address() as { port: number };
  await new Promise((closed) => server.close(closed));
  return `http://127.0.0.1:${port}`;
}
