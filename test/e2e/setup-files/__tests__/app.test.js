test('first test', () => {});

test('second test', () => {});
