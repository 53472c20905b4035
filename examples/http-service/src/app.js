const http = require('node:http');
const fs = require('node:fs');
const {UserStore} = require('./userStore');

/** Creates the service: a JSON API over a user store, with an access log. */
function createApp({store = new UserStore(), accessLog} = {}) {
  const log = accessLog ? fs.createWriteStream(accessLog, {flags: 'a'}) : undefined;
  const server = http.createServer(async (request, response) => {
    log?.write(`${request.method} ${request.url}\n`);
    const url = new URL(request.url, 'http://localhost');
    if (url.pathname === '/health') return send(response, 200, {ok: true});
    const match = /^\/users\/(\w+)$/.exec(url.pathname);
    if (match && request.method === 'GET') {
      const user = await store.get(match[1]);
      return user ? send(response, 200, user) : send(response, 404, {error: 'not found'});
    }
    if (url.pathname === '/users' && request.method === 'POST') {
      const body = await readJson(request);
      return send(response, 201, await store.add(body));
    }
    return send(response, 404, {error: 'not found'});
  });
  server.on('close', () => log?.end());
  server.accessLog = log;
  return server;
}

function send(response, status, body) {
  response.writeHead(status, {'content-type': 'application/json'});
  response.end(JSON.stringify(body));
}

async function readJson(request) {
  let text = '';
  for await (const chunk of request) text += chunk;
  return JSON.parse(text || '{}');
}

/** Starts the app on a free port and resolves with its base URL. */
async function listen(server) {
  await new Promise(resolve => server.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${server.address().port}`;
}

module.exports = {createApp, listen};
