// Plain assertion failures, no leak: Jest's failure output must read as it does without
// Leakwatch, with no frame of Leakwatch's between the test and Jest.
test('fails an assertion', () => {
  expect(1 + 1).toBe(3); // FAILS:assertion.sync
});

test('fails an assertion after an await', async () => {
  await null;
  expect(2 + 2).toBe(5); // FAILS:assertion.async
});
