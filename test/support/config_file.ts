// A config file for a daemon run as a child process: otlp on free loopback ports, the given processors and
// exporters, data and telemetry in `dir`. Sections are YAML block bodies indented by two spaces.
import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { freePort } from './ports.js';

export interface ConfigSections {
  processors?: string;
  exporters: string;
  /** Extra `service:` settings (shutdown_timeout, limits, …). */
  service?: string;
  pipeline: { processors?: string[]; exporters: string[] };
  logLevel?: string;
}

export interface ConfigFile {
  file: string;
  dir: string;
  grpcPort: number;
  httpPort: number;
  telemetryPort: number;
}

export async function writeConfigFile(sections: ConfigSections, dir = mkdtempSync(path.join(os.tmpdir(), 'logsift-child-'))): Promise<ConfigFile> {
  const [grpcPort, httpPort, telemetryPort] = [await freePort(), await freePort(), await freePort()];
  const file = path.join(dir, 'config.yaml');
  writeFileSync(
    file,
    [
      'receivers:',
      '  otlp:',
      '    protocols:',
      `      grpc: { endpoint: 127.0.0.1:${grpcPort} }`,
      `      http: { endpoint: 127.0.0.1:${httpPort} }`,
      ...(sections.processors ? ['processors:', sections.processors] : []),
      'exporters:',
      sections.exporters,
      'service:',
      `  data_dir: ${dir}`,
      ...(sections.service ? [sections.service] : []),
      `  telemetry: { logs: { level: ${sections.logLevel ?? 'info'} }, metrics: { address: 127.0.0.1:${telemetryPort} } }`,
      '  pipelines:',
      `    logs: { receivers: [otlp], processors: [${(sections.pipeline.processors ?? []).join(', ')}], exporters: [${sections.pipeline.exporters.join(', ')}] }`,
      '',
    ].join('\n'),
  );
  return { file, dir, grpcPort, httpPort, telemetryPort };
}
