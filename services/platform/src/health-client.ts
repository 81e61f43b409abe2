import * as grpc from "@grpc/grpc-js";
import { service as healthService } from "grpc-health-check";

/** What the standard gRPC health service answers; UNIMPLEMENTED when a server does not offer it. */
export type HealthState = "SERVING" | "NOT_SERVING" | "UNKNOWN" | "SERVICE_UNKNOWN" | "UNIMPLEMENTED";

/** A client of grpc.health.v1.Health: one check, with a deadline, as a promise. */
export interface HealthClient {
  /** Rejects with the gRPC error when the call fails (other than UNIMPLEMENTED). */
  check(service: string, deadlineMs: number): Promise<HealthState>;
  close(): void;
}

type CheckCall = (
  request: { service: string },
  options: grpc.CallOptions,
  callback: (error: grpc.ServiceError | null, response?: { status?: string | number }) => void,
) => void;

const STATES: readonly HealthState[] = ["UNKNOWN", "SERVING", "NOT_SERVING", "SERVICE_UNKNOWN"];

export function createHealthClient(address: string, credentials: grpc.ChannelCredentials, options: grpc.ChannelOptions = {}): HealthClient {
  const Constructor = grpc.makeGenericClientConstructor(healthService as grpc.ServiceDefinition, "grpc.health.v1.Health");
  const client = new Constructor(address, credentials, options);
  // The generic constructor adds the method at run time, typed by the service definition above.
  const check = (client as unknown as { check: CheckCall }).check.bind(client);
  return {
    check: (service, deadlineMs) =>
      new Promise((resolve, reject) => {
        check({ service }, { deadline: new Date(Date.now() + deadlineMs) }, (error, response) => {
          if (error?.code === grpc.status.UNIMPLEMENTED) return resolve("UNIMPLEMENTED");
          if (error) return reject(error);
          const status = response?.status;
          resolve(typeof status === "number" ? (STATES[status] ?? "UNKNOWN") : ((status as HealthState | undefined) ?? "UNKNOWN"));
        });
      }),
    close: () => client.close(),
  };
}
