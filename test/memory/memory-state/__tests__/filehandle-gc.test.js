const fsp = require('fs/promises');
const v8 = require('v8');
const vm = require('vm');

function forceGc() {
  v8.setFlagsFromString('--expose-gc');
  const gc = vm.runInNewContext('gc');
  v8.setFlagsFromString('--no-expose-gc');
  return gc;
}

test('drops a FileHandle without closing it', async () => {
  await (async () => {
    await fsp.open(__filename, 'r'); // LEAK:unclosed-gc.filehandle
  })();
  const gc = forceGc();
  for (let i = 0; i < 5; i++) {
    gc();
    await new Promise(resolve => setTimeout(resolve, 10));
  }
});
