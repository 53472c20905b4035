/** @leakwatch {"memory": {"heapDiff": true, "growthThresholdBytes": 4194304, "topN": 5}} */
class LeakyConnection {
  constructor(id) {
    this.id = id;
    this.buffer = new Array(32).fill(id);
  }
}
const pool = [];

test('keeps 30000 LeakyConnections', () => {
  for (let i = 0; i < 30000; i++) pool.push(new LeakyConnection(i));
  expect(pool).toHaveLength(30000);
});
