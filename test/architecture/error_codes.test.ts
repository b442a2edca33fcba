// One coded error registry: every code is documented in README.md's table (and the table lists nothing
// else), and each runtime error class carries its code.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { RecordTooLargeError } from '../../exporters/posthog/split.js';
import { BackpressureError, ERROR_CODES, PermanentError } from '../../pipeline/errors.js';
import { HttpError } from '../../receivers/otlp/request_body.js';
import { ProviderError } from '../../tuner/providers/provider.js';

describe('error codes', () => {
  it('README.md documents exactly the registry\'s codes', () => {
    const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');
    const documented = [...readme.matchAll(/^\| `(LOGSIFT_ERR_\w+)` \|/gm)].map((m) => m[1]).sort();
    assert.deepEqual(documented, Object.keys(ERROR_CODES).sort());
  });

  it('runtime errors carry their codes', () => {
    assert.equal(new PermanentError('token refused').code, 'LOGSIFT_ERR_EXPORT_PERMANENT');
    assert.equal(new BackpressureError('queue full', 1).code, 'LOGSIFT_ERR_BACKPRESSURE');
    assert.equal(new HttpError(415, 'unsupported', 'content_type').code, 'LOGSIFT_ERR_REQUEST_INVALID');
    assert.equal(new RecordTooLargeError('3 MiB').code, 'LOGSIFT_ERR_RECORD_TOO_LARGE');
    assert.equal(new ProviderError('timeout', 'no answer in 30s').code, 'LOGSIFT_ERR_PROVIDER');
  });
});
