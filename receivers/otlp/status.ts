// Error bodies: google.rpc.Status in the request's encoding, as OTLP/HTTP prescribes; gRPC refusals carry
// the same Status with a RetryInfo detail so clients know when to come back.
import { RetryInfo, RpcStatus } from '../../proto/otlp.js';

export type WireEncoding = 'json' | 'protobuf';

// gRPC codes used in Status.code.
export const GRPC_CODE = { INVALID_ARGUMENT: 3, NOT_FOUND: 5, RESOURCE_EXHAUSTED: 8, UNAVAILABLE: 14, UNIMPLEMENTED: 12, UNAUTHENTICATED: 16 } as const;

export function encodeStatus(encoding: WireEncoding, code: number, message: string): Buffer {
  if (encoding === 'json') return Buffer.from(JSON.stringify({ code, message }));
  return Buffer.from(RpcStatus.encode(RpcStatus.fromObject({ code, message })).finish());
}

/** grpc-status-details-bin for RESOURCE_EXHAUSTED with a retry delay. */
export function retryStatusDetails(code: number, message: string, retryAfterSeconds: number): Buffer {
  const retryInfo = RetryInfo.encode(RetryInfo.fromObject({ retryDelay: { seconds: retryAfterSeconds, nanos: 0 } })).finish();
  const status = RpcStatus.fromObject({
    code,
    message,
    // protobufjs bundles google.protobuf.Any with its proto field name, type_url, not camelCased.
    details: [{ type_url: 'type.googleapis.com/google.rpc.RetryInfo', value: retryInfo }],
  });
  return Buffer.from(RpcStatus.encode(status).finish());
}
