// After `tsc -p tsconfig.build.json`: the files the compiled daemon reads beside its modules — the embedded
// default config, the shipped prompt templates and the OTLP .proto definitions — copied into dist/.
import { cpSync } from 'node:fs';

const ASSETS = [
  ['config/default_config.yaml', 'dist/config/default_config.yaml'],
  ['config/prompts', 'dist/config/prompts'],
  ['proto/opentelemetry', 'dist/proto/opentelemetry'],
  ['proto/google', 'dist/proto/google'],
];
for (const [from, to] of ASSETS) cpSync(from, to, { recursive: true, filter: (file) => !file.endsWith('.ts') });
