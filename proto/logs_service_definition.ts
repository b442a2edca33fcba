// The gRPC service definition of LogsService/Export, carrying raw bytes: the receiver decodes inside the
// handler so a malformed message becomes INVALID_ARGUMENT with a message, not grpc-js' generic INTERNAL.
import type { ServiceDefinition } from '@grpc/grpc-js';
import { LOGS_EXPORT_PATH } from './otlp.js';

const passThrough = (bytes: Buffer | Uint8Array): Buffer => (Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes));

export const logsServiceDefinition: ServiceDefinition = {
  Export: {
    path: LOGS_EXPORT_PATH,
    requestStream: false,
    responseStream: false,
    requestSerialize: passThrough,
    requestDeserialize: passThrough,
    responseSerialize: passThrough,
    responseDeserialize: passThrough,
    originalName: 'export',
  },
};
