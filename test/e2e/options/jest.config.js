/** @type {import('jest').Config} */
module.exports = {
  testEnvironment: 'leakwatch',
  reporters: ['default', '@leakwatch/jest-reporter'],
  testEnvironmentOptions: {
    leakwatch: {
      severity: {timer: 'warn', watcher: 'off'},
      ignore: [
        {resourceType: 'UDPWRAP', reason: 'the metrics client keeps its socket on purpose'},
        {stack: '**/vendor/**'},
        {stack: '/makePoolConnection/'},
        {kind: 'child-process', topFunction: 'startDaemon'},
      ],
    },
  },
};
