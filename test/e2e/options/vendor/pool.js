// Stands in for a third-party library that keeps a server for the life of the process.
const net = require('node:net');

exports.openPool = () => net.createServer().listen(0); // LEAK:ignore.vendor-glob
