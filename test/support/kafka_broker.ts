// A real Apache Kafka broker (KRaft: broker and controller in one JVM) for tests and benches, started by the
// project itself: its jars come from Maven Central through `mvn dependency:copy-dependencies` the first time
// (cached under .cache/, ~45 jars, ~20–40 s), then `kafka.Kafka` runs with the installed Java 17 on free
// loopback ports with its data in a temporary directory. Without Java or Maven it throws, naming what is
// missing: the Kafka tests need them (README, "Test it").
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { freePort } from './ports.js';

export const KAFKA_VERSION = '4.0.1';
const LOG4J_SLF4J = '2.25.5';
const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const LIBS = path.join(ROOT, '.cache', `kafka-${KAFKA_VERSION}`, 'libs');

export interface KafkaBroker {
  /** host:port of the PLAINTEXT listener. */
  readonly bootstrap: string;
  readonly dir: string;
  stop(): Promise<void>;
}

function need(command: string, args: string[]): void {
  try {
    execFileSync(command, args, { stdio: 'ignore' });
  } catch {
    throw new Error(`the Kafka tests need ${command} (Java 17 and Maven, to fetch and run Apache Kafka ${KAFKA_VERSION}); it is not on this machine's PATH`);
  }
}

/** Fetches the broker's jars once (Maven Central), into .cache/. */
export function kafkaJars(): string {
  if (existsSync(LIBS) && readdirSync(LIBS).some((f) => f.startsWith('kafka_2.13-'))) return LIBS;
  need('java', ['-version']);
  need('mvn', ['-v']);
  const work = mkdtempSync(path.join(os.tmpdir(), 'logsift-kafka-pom-'));
  writeFileSync(
    path.join(work, 'pom.xml'),
    `<project xmlns="http://maven.apache.org/POM/4.0.0"><modelVersion>4.0.0</modelVersion>
  <groupId>logsift</groupId><artifactId>kafka-broker</artifactId><version>1</version>
  <dependencies>
    <dependency><groupId>org.apache.kafka</groupId><artifactId>kafka_2.13</artifactId><version>${KAFKA_VERSION}</version></dependency>
    <dependency><groupId>org.apache.logging.log4j</groupId><artifactId>log4j-slf4j-impl</artifactId><version>${LOG4J_SLF4J}</version></dependency>
  </dependencies></project>`,
  );
  const partial = `${LIBS}.partial`;
  rmSync(partial, { recursive: true, force: true });
  execFileSync('mvn', ['-q', '-B', 'dependency:copy-dependencies', '-DincludeScope=runtime', `-DoutputDirectory=${partial}`], { cwd: work, stdio: 'inherit' });
  mkdirSync(path.dirname(LIBS), { recursive: true });
  rmSync(LIBS, { recursive: true, force: true });
  execFileSync('mv', [partial, LIBS]);
  rmSync(work, { recursive: true, force: true });
  return LIBS;
}

function portOpen(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect(port, '127.0.0.1');
    socket.once('connect', () => (socket.destroy(), resolve(true)));
    socket.once('error', () => resolve(false));
  });
}

/** Starts a broker; resolves once its listener takes connections and it has logged that it started. */
export async function startKafka(options: { partitions?: number } = {}): Promise<KafkaBroker> {
  const libs = kafkaJars();
  const dir = mkdtempSync(path.join(os.tmpdir(), 'logsift-kafka-'));
  const [port, controller] = [await freePort(), await freePort()];
  const properties = path.join(dir, 'server.properties');
  writeFileSync(
    properties,
    [
      'process.roles=broker,controller',
      'node.id=1',
      `controller.quorum.voters=1@127.0.0.1:${controller}`,
      `listeners=PLAINTEXT://127.0.0.1:${port},CONTROLLER://127.0.0.1:${controller}`,
      `advertised.listeners=PLAINTEXT://127.0.0.1:${port}`,
      'controller.listener.names=CONTROLLER',
      'listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT',
      `log.dirs=${path.join(dir, 'data')}`,
      `num.partitions=${options.partitions ?? 4}`,
      'offsets.topic.replication.factor=1',
      'offsets.topic.num.partitions=4',
      'transaction.state.log.replication.factor=1',
      'transaction.state.log.min.isr=1',
      'share.coordinator.state.topic.replication.factor=1',
      'share.coordinator.state.topic.min.isr=1',
      'group.initial.rebalance.delay.ms=0',
      'auto.create.topics.enable=true',
      // Consumers that crash are noticed within seconds, not the default 45.
      'group.consumer.session.timeout.ms=6000',
      'group.consumer.min.session.timeout.ms=3000',
      'group.consumer.heartbeat.interval.ms=500',
      'group.consumer.min.heartbeat.interval.ms=500',
    ].join('\n'),
  );
  // Warnings and errors to stderr (kept for the message if it fails to start), and the line that says it started.
  const log4j = path.join(dir, 'log4j2.properties');
  writeFileSync(
    log4j,
    [
      'appender.err.type=Console',
      'appender.err.name=err',
      'appender.err.target=SYSTEM_ERR',
      'appender.err.layout.type=PatternLayout',
      'appender.err.layout.pattern=[%d] %p %m (%c)%n',
      'rootLogger.level=WARN',
      'rootLogger.appenderRef.err.ref=err',
      'logger.server.name=kafka.server.KafkaRaftServer',
      'logger.server.level=INFO',
    ].join('\n'),
  );
  const cp = `${libs}/*`;
  // A cluster id is 16 bytes in base64url; one starting with '-' would be read as an option.
  const clusterId = randomBytes(16).toString('base64url').replace(/^-/, 'A');
  execFileSync('java', ['-cp', cp, 'kafka.tools.StorageTool', 'format', '-t', clusterId, '-c', properties], { stdio: 'ignore' });
  const child: ChildProcess = spawn('java', ['-Xms256m', '-Xmx512m', `-Dlog4j2.configurationFile=${log4j}`, '-cp', cp, 'kafka.Kafka', properties], { stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  let started = false;
  const onOutput = (chunk: Buffer) => {
    output = (output + chunk.toString()).slice(-20_000);
    if (/Kafka Server started/.test(output)) started = true;
  };
  child.stdout!.on('data', onOutput);
  child.stderr!.on('data', onOutput);
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const deadline = Date.now() + 120_000;
  while (!(started && (await portOpen(port)))) {
    if (child.exitCode !== null) throw new Error(`the Kafka broker exited (${child.exitCode}) before it started:\n${output.slice(-4000)}`);
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`the Kafka broker did not start within 120 s:\n${output.slice(-4000)}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  return {
    bootstrap: `127.0.0.1:${port}`,
    dir,
    async stop() {
      if (child.exitCode === null) {
        child.kill('SIGKILL');
        await exited;
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
