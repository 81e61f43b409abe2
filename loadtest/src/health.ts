import * as grpc from "@grpc/grpc-js";

/**
 * grpc.health.v1.Health/Check for the overall server (service ""), hand-encoded: the request
 * is an empty message and the response's only field is `status = 1` (1 = SERVING). Enough for
 * the driver to wait until a sidecar has loaded its model, without another protobuf library.
 */
export async function waitForServing(address: string, timeoutMs: number, alive: () => boolean): Promise<void> {
  const definition: grpc.ServiceDefinition = {
    check: {
      path: "/grpc.health.v1.Health/Check",
      requestStream: false,
      responseStream: false,
      requestSerialize: () => Buffer.alloc(0),
      requestDeserialize: () => ({}),
      responseSerialize: () => Buffer.alloc(0),
      responseDeserialize: (b: Buffer) => ({ status: b.length >= 2 && b[0] === 0x08 ? b[1]! : 0 }),
    },
  };
  const Client = grpc.makeGenericClientConstructor(definition, "Health");
  const client = new Client(address, grpc.credentials.createInsecure());
  const deadline = Date.now() + timeoutMs;
  try {
    for (;;) {
      if (!alive()) throw new Error("the sidecar exited during start-up; see its log");
      const status = await new Promise<number>((resolve) => {
        (client as unknown as { check: Function }).check({}, new grpc.Metadata(), { deadline: new Date(Date.now() + 2000) }, (err: Error | null, res: { status: number }) =>
          resolve(err ? 0 : res.status),
        );
      });
      if (status === 1) return;
      if (Date.now() > deadline) throw new Error(`sidecar at ${address} not SERVING after ${timeoutMs / 1000} s`);
      await new Promise((r) => setTimeout(r, 500));
    }
  } finally {
    client.close();
  }
}
