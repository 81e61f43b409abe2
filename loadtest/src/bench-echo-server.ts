// A gRPC server with one unary method that answers with a payload of a requested size, for
// bench-components.ts: it separates the per-call cost of grpc-js from the per-byte cost, i.e.
// what a batch RPC carrying many documents per call would save. Loopback/Unix socket only.
import * as grpc from "@grpc/grpc-js";

const address = process.argv[2] ?? "unix:/tmp/lre-bench-echo.sock";
const server = new grpc.Server();
const raw = (b: Buffer) => b;
server.addService(
  {
    echo: {
      path: "/bench.Echo/Echo",
      requestStream: false,
      responseStream: false,
      requestSerialize: raw,
      requestDeserialize: raw,
      responseSerialize: raw,
      responseDeserialize: raw,
    },
  },
  {
    // The first 4 bytes of the request say how many bytes to answer with.
    echo: (call: grpc.ServerUnaryCall<Buffer, Buffer>, callback: grpc.sendUnaryData<Buffer>) => callback(null, Buffer.alloc(call.request.readUInt32LE(0))),
  },
);
server.bindAsync(address, grpc.ServerCredentials.createInsecure(), (err) => {
  if (err) throw err;
  process.stdout.write(`${JSON.stringify({ event: "ready", address, pid: process.pid })}\n`);
});
process.on("SIGTERM", () => server.forceShutdown());
