const fs = require('node:fs');

// A setupFilesAfterEnv module that opens a file and never closes it.
fs.openSync(__filename, 'r'); // LEAK:setup.setupFilesAfterEnv

// A global hook from setupFilesAfterEnv runs before each test: its leak is that test's.
beforeEach(() => {
  setTimeout(() => {}, 60_000); // LEAK:setup.global-beforeEach
});
