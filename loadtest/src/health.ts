import * as grpc from "@grpc/grpc-js";
import { createHealthClient } from "@liability/platform";

/** Waits until the sidecar at `address` reports SERVING (it has loaded its model). */
export async function waitForServing(address: string, timeoutMs: number, alive: () => boolean): Promise<void> {
  const client = createHealthClient(address, grpc.credentials.createInsecure());
  const deadline = Date.now() + timeoutMs;
  try {
    for (;;) {
      if (!alive()) throw new Error("the sidecar exited during start-up; see its log");
      const state = await client.check("", 2_000).catch(() => "UNKNOWN");
      if (state === "SERVING") return;
      if (Date.now() > deadline) throw new Error(`sidecar at ${address} not SERVING after ${timeoutMs / 1000} s`);
      await new Promise((r) => setTimeout(r, 500));
    }
  } finally {
    client.close();
  }
}
