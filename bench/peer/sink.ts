// The backend both peers export to in bench:peer: answers every OTLP/HTTP logs POST with 200 and an empty
// ExportLogsServiceResponse, reading (not decoding) the body. Run as its own process so that its work is
// not charged to the load generator; prints its port on the first line of stdout.
import http from 'node:http';

let requests = 0;
let bytes = 0;
const server = http.createServer((req, res) => {
  req.on('data', (chunk: Buffer) => (bytes += chunk.length));
  req.on('end', () => {
    requests += 1;
    res.writeHead(200, { 'content-type': 'application/x-protobuf', 'content-length': 0 });
    res.end();
  });
});
server.keepAliveTimeout = 60_000;
server.listen(0, '127.0.0.1', () => {
  const address = server.address();
  process.stdout.write(`${typeof address === 'object' && address ? address.port : 0}\n`);
});
process.on('SIGTERM', () => {
  process.stderr.write(`${JSON.stringify({ sink_requests: requests, sink_bytes: bytes })}\n`);
  server.close();
  process.exit(0);
});
