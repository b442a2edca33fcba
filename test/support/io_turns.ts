// For tests whose timers run on a fake clock that stands still unless the test moves it, while sockets are
// real: waits on I/O turns — never on time — until `check` holds for what `look` returns, and fails after a
// bounded number of looks, naming what it waited for and what it last saw.
import assert from 'node:assert/strict';

export async function untilTurns<T>(what: string, look: () => Promise<T> | T, check: (value: T) => boolean, maxLooks = 5000): Promise<T> {
  let value = await look();
  for (let looks = 0; !check(value); looks++) {
    if (looks > maxLooks) assert.fail(`${what}: still ${JSON.stringify(value)}`);
    await new Promise((resolve) => setImmediate(resolve));
    value = await look();
  }
  return value;
}
