// For tests against things that run on real time of their own (a Kafka broker, a child process): waits until
// `check` holds, looking every 50 ms, and fails after `ms` naming what it waited for. Never a timing
// assertion, and never with a fake clock running the thing waited on.
import assert from 'node:assert/strict';

export async function eventually(what: string, check: () => boolean | Promise<boolean>, ms = 30_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > deadline) assert.fail(`${what}: not within ${ms} ms`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
