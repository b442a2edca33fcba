// `logsift patterns mine < bodies | head`: the reader closes the pipe early; the CLI exits quietly (status
// 0, nothing on stderr) instead of dying with an EPIPE stack trace.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { describe, it } from 'node:test';
import { BIN } from '../support/cli.js';

describe('a closed output pipe', () => {
  it('patterns mine stops quietly when its reader goes away after the first line', async () => {
    const child = spawn(process.execPath, [BIN, 'patterns', 'mine'], { stdio: ['pipe', 'pipe', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    const bodies = Array.from({ length: 200_000 }, (_, i) => `request ${i} served in ${i % 97} ms by worker ${i % 7}`).join('\n');
    child.stdin.on('error', () => {}); // it may exit before taking all its input
    child.stdin.end(bodies);
    // Like `head -1`: read one chunk, then close our end of its stdout.
    await new Promise<void>((resolve) => child.stdout.once('data', () => resolve()));
    child.stdout.destroy();
    const code = await new Promise<number | null>((resolve) => child.on('close', (c) => resolve(c)));
    assert.equal(stderr, '', 'nothing on stderr');
    assert.equal(code, 0);
  });
});
