/** @leakwatch {"memory": {"heapDiff": true, "growthThresholdBytes": 4194304, "topN": 5}} */
// ~30 MiB retained: enough to stay above the 4 MiB threshold even when memory the previous file
// in this worker held at run_start is released during this file (Jest frees it asynchronously).
class LeakyConnection {
  constructor(id) {
    this.id = id;
    this.buffer = new Array(32).fill(id);
  }
}
const pool = [];

test('keeps 100000 LeakyConnections', () => {
  for (let i = 0; i < 100000; i++) pool.push(new LeakyConnection(i));
  expect(pool).toHaveLength(100000);
});
