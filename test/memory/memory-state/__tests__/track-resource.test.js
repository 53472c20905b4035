const {trackResource} = require('@leakwatch/core');

class PoolConn {
  close() {
    this.closed = true;
  }
}

function openConnection(label) {
  return trackResource(new PoolConn(), {label}); // LEAK:unclosed-gc.conn
}

test('forgets a connection without closing it', () => {
  openConnection('db-1');
});

test('closes its connection', () => {
  openConnection('db-2').close();
});
