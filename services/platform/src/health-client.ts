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

/** What Check answers, as grpc-health-check's loaded definition decodes it (enum by name or number). */
interface CheckResponse {
  status?: string | number;
}

const STATES: readonly HealthState[] = ["UNKNOWN", "SERVING", "NOT_SERVING", "SERVICE_UNKNOWN"];

export function createHealthClient(address: string, credentials: grpc.ChannelCredentials, options: grpc.ChannelOptions = {}): HealthClient {
  // proto-loader keys a service's methods by their proto names.
  const method = healthService.Check!;
  const client = new grpc.Client(address, credentials, options);
  return {
    check: (service, deadlineMs) =>
      new Promise((resolve, reject) => {
        client.makeUnaryRequest(
          method.path,
          method.requestSerialize,
          method.responseDeserialize,
          { service },
          new grpc.Metadata(),
          { deadline: new Date(Date.now() + deadlineMs) },
          (error, response?: CheckResponse) => {
            if (error?.code === grpc.status.UNIMPLEMENTED) return resolve("UNIMPLEMENTED");
            if (error) return reject(error);
            const status = response?.status;
            resolve(typeof status === "number" ? (STATES[status] ?? "UNKNOWN") : ((status as HealthState | undefined) ?? "UNKNOWN"));
          },
        );
      }),
    close: () => client.close(),
  };
}
