// A setupFiles module that starts something and never stops it: file scope of every test file.
setInterval(() => {}, 60_000); // LEAK:setup.setupFiles
