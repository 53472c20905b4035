// A TypeScript test compiled by ts-jest: the reported line is the line in this file,
// not in the emitted JavaScript (the interface and type below vanish when compiled).
import {describe, expect, test} from '@jest/globals';
import * as net from 'node:net';

interface Service {
  server: net.Server;
  port: number;
}

type Cleanup = () => Promise<void>;

async function startService(): Promise<Service & {stop: Cleanup}> {
  const server = net.createServer();
  await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve));
  const {port} = server.address() as net.AddressInfo;
  return {server, port, stop: () => new Promise<void>(resolve => server.close(() => resolve()))};
}

describe('typed service', () => {
  test('leaks a typed interval', (): void => {
    const handle: NodeJS.Timeout = setInterval((): void => {}, 60_000); // LEAK:ts.interval
    expect(handle).toBeDefined();
  });

  test('stops what it starts', async (): Promise<void> => {
    const service = await startService();
    expect(service.port).toBeGreaterThan(0);
    await service.stop();
  });
});
