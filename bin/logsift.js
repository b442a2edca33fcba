#!/usr/bin/env node
// The `logsift` bin: the compiled command line (`npm run build`, run by `npm ci`, writes dist/).
await import('../dist/cmd/main.js');
