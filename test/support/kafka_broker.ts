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
  /** With `secure`: host:port of a SASL_PLAINTEXT listener (PLAIN, SCRAM-SHA-256, SCRAM-SHA-512) and of an SSL one. */
  readonly sasl?: string;
  readonly ssl?: string;
  /** With `secure`: the PEM certificate the SSL listener presents (self-signed, for 127.0.0.1), to trust. */
  readonly caFile?: string;
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

/** A user the secure listeners know, by SASL PLAIN and SCRAM alike (letters and digits: written into properties unescaped). */
export interface KafkaUser {
  username: string;
  password: string;
}

/** A self-signed certificate for 127.0.0.1 in a PKCS12 keystore (keytool, with the JDK), and its PEM. */
function brokerCertificate(dir: string): { keystore: string; password: string; pem: string } {
  const keystore = path.join(dir, 'broker.p12');
  const pem = path.join(dir, 'broker.pem');
  const password = randomBytes(12).toString('hex');
  execFileSync('keytool', ['-genkeypair', '-alias', 'broker', '-keyalg', 'RSA', '-keysize', '2048', '-validity', '2', '-dname', 'CN=127.0.0.1', '-ext', 'SAN=IP:127.0.0.1', '-keystore', keystore, '-storetype', 'PKCS12', '-storepass', password, '-keypass', password], { stdio: 'ignore' });
  execFileSync('keytool', ['-exportcert', '-rfc', '-alias', 'broker', '-keystore', keystore, '-storepass', password, '-file', pem], { stdio: 'ignore' });
  return { keystore, password, pem };
}

/**
 * Starts a broker; resolves once its listener takes connections and it has logged that it started. `secure`
 * adds a SASL_PLAINTEXT listener knowing that user (PLAIN and SCRAM) and an SSL listener.
 */
export async function startKafka(options: { partitions?: number; secure?: KafkaUser } = {}): Promise<KafkaBroker> {
  const libs = kafkaJars();
  const dir = mkdtempSync(path.join(os.tmpdir(), 'logsift-kafka-'));
  const [port, controller] = [await freePort(), await freePort()];
  const user = options.secure;
  const [saslPort, sslPort] = user ? [await freePort(), await freePort()] : [0, 0];
  const certificate = user ? brokerCertificate(dir) : undefined;
  const listeners = [`PLAINTEXT://127.0.0.1:${port}`, ...(user ? [`SASL_PLAINTEXT://127.0.0.1:${saslPort}`, `SSL://127.0.0.1:${sslPort}`] : [])];
  const secureProperties = user && certificate
    ? [
        'sasl.enabled.mechanisms=PLAIN,SCRAM-SHA-256,SCRAM-SHA-512',
        `listener.name.sasl_plaintext.plain.sasl.jaas.config=org.apache.kafka.common.security.plain.PlainLoginModule required user_${user.username}="${user.password}";`,
        'listener.name.sasl_plaintext.scram-sha-256.sasl.jaas.config=org.apache.kafka.common.security.scram.ScramLoginModule required;',
        'listener.name.sasl_plaintext.scram-sha-512.sasl.jaas.config=org.apache.kafka.common.security.scram.ScramLoginModule required;',
        `listener.name.ssl.ssl.keystore.location=${certificate.keystore}`,
        'listener.name.ssl.ssl.keystore.type=PKCS12',
        `listener.name.ssl.ssl.keystore.password=${certificate.password}`,
        `listener.name.ssl.ssl.key.password=${certificate.password}`,
      ]
    : [];
  const properties = path.join(dir, 'server.properties');
  writeFileSync(
    properties,
    [
      'process.roles=broker,controller',
      'node.id=1',
      `controller.quorum.voters=1@127.0.0.1:${controller}`,
      `listeners=${[...listeners, `CONTROLLER://127.0.0.1:${controller}`].join(',')}`,
      `advertised.listeners=${listeners.join(',')}`,
      'controller.listener.names=CONTROLLER',
      'inter.broker.listener.name=PLAINTEXT',
      'listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT,SASL_PLAINTEXT:SASL_PLAINTEXT,SSL:SSL',
      ...secureProperties,
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
  // SCRAM credentials live in the cluster's metadata: written when the storage is formatted.
  const scram = user ? ['SCRAM-SHA-256', 'SCRAM-SHA-512'].flatMap((m) => ['--add-scram', `${m}=[name=${user.username},password=${user.password}]`]) : [];
  execFileSync('java', ['-cp', cp, 'kafka.tools.StorageTool', 'format', '-t', clusterId, '-c', properties, ...scram], { stdio: 'ignore' });
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
    ...(user ? { sasl: `127.0.0.1:${saslPort}`, ssl: `127.0.0.1:${sslPort}`, caFile: certificate!.pem } : {}),
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
