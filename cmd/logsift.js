#!/usr/bin/env node
// The `logsift` bin: registers tsx (resolved beside this file, whatever the working directory) and runs
// the TypeScript entry point.
import { register } from 'tsx/esm/api';

register();
await import('./main.ts');
