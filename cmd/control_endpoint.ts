// Where the policy commands find a running daemon's control API when --endpoint and LOGSIFT_ENDPOINT are unset:
// the telemetry server's default address.
export const DEFAULT_ENDPOINT = 'http://127.0.0.1:13133';
