// How answers become retry decisions: HTTP statuses, Retry-After in both forms, gRPC codes with and
// without RetryInfo, and the backoff's growth and jitter bounds.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import * as grpc from '@grpc/grpc-js';
import { Backoff } from '../../../pipeline/backoff.js';
import { classifyHttpStatus, parseRetryAfter } from '../../../pipeline/send_result.js';
import { classifyGrpcError } from '../../../exporters/otlp_grpc/factory.js';
import { retryStatusDetails } from '../../../receivers/otlp/status.js';

const NOW = Date.UTC(2026, 10, 26, 12, 0, 0);

describe('send result classification', () => {
  it('HTTP: 2xx success; 429/502/503/504 retryable; 413 too large; other 4xx/5xx permanent', () => {
    assert.deepEqual(classifyHttpStatus(200, '{}', null, NOW), { kind: 'success' });
    for (const status of [429, 502, 503, 504]) assert.equal(classifyHttpStatus(status, '', null, NOW).kind, 'retryable');
    assert.equal(classifyHttpStatus(413, '', null, NOW).kind, 'too_large');
    for (const status of [400, 401, 403, 404, 500]) assert.equal(classifyHttpStatus(status, '', null, NOW).kind, 'permanent', `HTTP ${status}`);
    assert.deepEqual(classifyHttpStatus(429, 'quota', '900', NOW), { kind: 'retryable', reason: 'HTTP 429: quota', retryAfterMs: 900_000 });
  });

  it('Retry-After as seconds or as an HTTP date; garbage is ignored', () => {
    assert.equal(parseRetryAfter('120', NOW), 120_000);
    assert.equal(parseRetryAfter(new Date(NOW + 90_000).toUTCString(), NOW), 90_000);
    assert.equal(parseRetryAfter(new Date(NOW - 5_000).toUTCString(), NOW), 0, 'a date in the past means now');
    assert.equal(parseRetryAfter('soon', NOW), undefined);
    assert.equal(parseRetryAfter(null, NOW), undefined);
  });

  it('gRPC: UNAVAILABLE retryable; RESOURCE_EXHAUSTED retryable with RetryInfo, too large without; INVALID_ARGUMENT permanent', () => {
    const error = (code: grpc.status, metadata = new grpc.Metadata()) => Object.assign(new Error('x'), { code, details: 'd', metadata }) as grpc.ServiceError;
    assert.equal(classifyGrpcError(error(grpc.status.UNAVAILABLE)).kind, 'retryable');
    const withRetry = new grpc.Metadata();
    withRetry.set('grpc-status-details-bin', retryStatusDetails(8, 'busy', 7));
    assert.deepEqual(classifyGrpcError(error(grpc.status.RESOURCE_EXHAUSTED, withRetry)), { kind: 'retryable', reason: 'gRPC RESOURCE_EXHAUSTED: d', retryAfterMs: 7000 });
    assert.equal(classifyGrpcError(error(grpc.status.RESOURCE_EXHAUSTED)).kind, 'too_large');
    assert.equal(classifyGrpcError(error(grpc.status.INVALID_ARGUMENT)).kind, 'permanent');
    assert.equal(classifyGrpcError(error(grpc.status.UNAUTHENTICATED)).kind, 'permanent');
  });

  it('backoff grows by the multiplier up to the max, jittered within ± the randomization factor', () => {
    const exact = new Backoff({ initialIntervalMs: 1000, maxIntervalMs: 5000, multiplier: 2, randomizationFactor: 0 });
    assert.deepEqual([1, 2, 3, 4, 5].map(() => exact.next()), [1000, 2000, 4000, 5000, 5000]);
    const low = new Backoff({ initialIntervalMs: 1000, maxIntervalMs: 5000, multiplier: 2, randomizationFactor: 0.5 }, () => 0);
    const high = new Backoff({ initialIntervalMs: 1000, maxIntervalMs: 5000, multiplier: 2, randomizationFactor: 0.5 }, () => 1);
    assert.deepEqual([low.next(), low.next()], [500, 1000]);
    assert.deepEqual([high.next(), high.next()], [1500, 3000]);
  });
});
