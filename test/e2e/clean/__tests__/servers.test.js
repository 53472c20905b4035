// Look-alikes: servers and sockets that are closed before their test ends. Nothing here may be reported.
const http = require('node:http');
const net = require('node:net');
const {once} = require('node:events');

async function listen(server) {
  await new Promise(resolve => server.listen(0, '127.0.0.1', resolve));
  return server.address().port;
}

function get(options) {
  return new Promise((resolve, reject) => {
    http
      .get({host: '127.0.0.1', ...options}, res => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', chunk => (body += chunk));
        res.on('end', () => resolve(body));
      })
      .on('error', reject);
  });
}

test('http server closed and awaited after a request', async () => {
  const server = http.createServer((req, res) => res.end('ok'));
  const port = await listen(server);
  expect(await get({port, agent: false})).toBe('ok');
  await new Promise(resolve => server.close(resolve));
});

test('net server closed after its client hung up', async () => {
  const server = net.createServer(socket => socket.end('bye'));
  const port = await listen(server);
  const client = net.connect(port, '127.0.0.1');
  client.resume();
  await once(client, 'close');
  await new Promise(resolve => server.close(resolve));
});

test('server closed with a done callback', done => {
  const server = net.createServer();
  server.listen(0, '127.0.0.1', () => server.close(done));
});

test('keep-alive agent destroyed after reusing a socket', async () => {
  const server = http.createServer((req, res) => res.end('ok'));
  const port = await listen(server);
  const agent = new http.Agent({keepAlive: true});
  expect(await get({port, agent})).toBe('ok');
  expect(await get({port, agent})).toBe('ok');
  agent.destroy();
  await new Promise(resolve => server.close(resolve));
});

test('fetch to a local server, then the server is closed', async () => {
  const server = http.createServer((req, res) => res.end('hello'));
  const port = await listen(server);
  const response = await fetch(`http://127.0.0.1:${port}/`);
  expect(await response.text()).toBe('hello');
  await new Promise(resolve => server.close(resolve));
});

test('unref\'d server is not a leak', async () => {
  const server = net.createServer();
  await listen(server);
  server.unref();
});

test('socket destroyed and server closed without waiting for their close events', async () => {
  const server = net.createServer(socket => socket.resume());
  const port = await listen(server);
  const accepted = once(server, 'connection');
  const client = net.connect(port, '127.0.0.1');
  await Promise.all([once(client, 'connect'), accepted]);
  client.destroy();
  server.close();
});
