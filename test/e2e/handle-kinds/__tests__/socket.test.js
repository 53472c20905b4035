// Leaks one socket from every scope; see test/e2e/__tests__/handleKinds.test.ts for what is expected.
const dgram = require('node:dgram');
const net = require('node:net');
const {once} = require('node:events');

dgram.createSocket('udp4').bind(0); // LEAK:socket.module

beforeAll(() => {
  dgram.createSocket('udp4').bind(0); // LEAK:socket.root-beforeAll
});

afterAll(() => {
  dgram.createSocket('udp4').bind(0); // LEAK:socket.root-afterAll
});

describe('describe hooks', () => {
  beforeAll(() => {
    dgram.createSocket('udp4').bind(0); // LEAK:socket.describe-beforeAll
  });

  afterAll(() => {
    dgram.createSocket('udp4').bind(0); // LEAK:socket.describe-afterAll
  });

  test('passes although its describe block leaks', () => {});
});

describe('beforeEach hook', () => {
  beforeEach(() => {
    dgram.createSocket('udp4').bind(0); // LEAK:socket.beforeEach
  });

  test('leaks through beforeEach', () => {});
});

describe('afterEach hook', () => {
  afterEach(() => {
    dgram.createSocket('udp4').bind(0); // LEAK:socket.afterEach
  });

  test('leaks through afterEach', () => {});
});

test('leaks in the test body', () => {
  dgram.createSocket('udp4').bind(0); // LEAK:socket.body
});

test('leaks after an await', async () => {
  await new Promise(resolve => setTimeout(resolve, 5));
  dgram.createSocket('udp4').bind(0); // LEAK:socket.after-await
});

test('does not leak', () => {});

describe('with a well-behaved server', () => {
  let server;
  beforeAll(async () => {
    // Hangs up on every client; clients that allow half-open connections stay open.
    server = net.createServer(socket => socket.destroy());
    await new Promise(resolve => server.listen(0, '127.0.0.1', resolve));
  });
  afterAll(async () => {
    await new Promise(resolve => server.close(resolve));
  });

  test('leaks a client socket', async () => {
    const client = net.connect({port: server.address().port, host: '127.0.0.1', allowHalfOpen: true}); // LEAK:socket.client
    await once(client, 'connect');
    await once(client, 'end');
  });
});

test('leaks an accepted socket', async () => {
  const server = net.createServer({allowHalfOpen: true}).listen(0, '127.0.0.1'); // LEAK:socket.accepted
  await once(server, 'listening');
  const client = net.connect(server.address().port, '127.0.0.1');
  const [accepted] = await once(server, 'connection');
  client.destroy();
  await once(accepted, 'end');
  server.close();
});

test('leaks an accepted socket of a server listening on all interfaces', async () => {
  const server = net.createServer({allowHalfOpen: true}).listen(0); // LEAK:socket.accepted-any-host
  await once(server, 'listening');
  const client = net.connect(server.address().port, '127.0.0.1');
  const [accepted] = await once(server, 'connection');
  client.destroy();
  await once(accepted, 'end');
  server.close();
});
