const net = require('node:net');

test('api leaks a server', () => {
  net.createServer().listen(0); // LEAK:projects.api-server
});

test('api is clean', () => {});
