// What both transports do with a decoded request: drop invalid records (partial success), hand the rest to
// the pipelines, count the outcome.
import type { CreateSettings, LogsIntake, RefusalCause } from '../../pipeline/component.js';
import type { ErrorCode } from '../../pipeline/errors.js';
import type { PbExportRequest } from '../../proto/otlp.js';
import { checkRecords } from './record_check.js';
import type { RateLimiter } from '../../security/rate_limit.js';

export type ExportOutcome =
  | { kind: 'accepted'; rejected: number; message: string }
  | { kind: 'refused'; retryAfterSeconds: number; reason: string; cause: RefusalCause }
  | { kind: 'failed'; reason: string; permanent: boolean };

export class ExportHandler {
  constructor(
    private readonly settings: CreateSettings,
    private readonly intake: LogsIntake,
    private readonly transport: 'grpc' | 'http',
    /** Records per second per tenant (its token, else its address), when `ingest_limit` is set. */
    private readonly tenants?: RateLimiter,
  ) {}

  /** Counts a request refused as a whole (malformed, too large, or not acknowledged downstream). */
  refusedRequest(reason: string): void {
    this.settings.telemetry.receiverRefusedRequests.inc({ receiver: this.settings.id, transport: this.transport, reason });
  }

  async handle(request: PbExportRequest, sizeBytes: number, tenant = ''): Promise<ExportOutcome> {
    const resourceLogs = request.resourceLogs ?? [];
    const checked = checkRecords(resourceLogs);
    const { telemetry, id } = this.settings;
    if (checked.rejected > 0) telemetry.receiverRefused.inc({ receiver: id, transport: this.transport, reason: 'invalid_record' }, checked.rejected);
    const wait = this.tenants?.take(tenant, checked.accepted) ?? 0;
    const result = wait > 0
      ? { kind: 'refused' as const, retryAfterSeconds: wait, reason: `this sender is over its ingest limit; retry in ${wait} s`, cause: 'tenant_limit' as const }
      : await this.intake.submit(resourceLogs, checked.accepted, sizeBytes);
    switch (result.kind) {
      case 'accepted':
        telemetry.receiverAccepted.inc({ receiver: id, transport: this.transport }, checked.accepted);
        return { kind: 'accepted', rejected: checked.rejected, message: checked.firstProblem };
      case 'refused':
        telemetry.receiverRefused.inc({ receiver: id, transport: this.transport, reason: result.cause }, checked.accepted);
        this.refusedRequest(result.cause);
        return result;
      case 'failed':
        telemetry.receiverRefused.inc({ receiver: id, transport: this.transport, reason: 'export_failed' }, checked.accepted);
        this.refusedRequest('export_failed');
        this.settings.logger.warn(
          { code: (result.permanent ? 'LOGSIFT_ERR_EXPORT_PERMANENT' : 'LOGSIFT_ERR_EXPORT_GAVE_UP') satisfies ErrorCode, reason: result.reason, records: checked.accepted, permanent: result.permanent },
          result.permanent ? 'export failed permanently; the client was told not to retry' : 'export failed; the client was told to retry',
        );
        return result;
    }
  }
}
