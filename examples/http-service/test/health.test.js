// Clean: the server is started once and closed in afterAll.
const {createApp, listen} = require('../src/app');

let server;
let baseUrl;

beforeAll(async () => {
  server = createApp();
  baseUrl = await listen(server);
});

afterAll(async () => {
  await new Promise(resolve => server.close(resolve));
});

test('GET /health answers ok', async () => {
  const response = await fetch(`${baseUrl}/health`);
  expect(response.status).toBe(200);
  expect(await response.json()).toEqual({ok: true});
});

test('unknown routes are 404', async () => {
  const response = await fetch(`${baseUrl}/nope`);
  expect(response.status).toBe(404);
  await response.text();
});
