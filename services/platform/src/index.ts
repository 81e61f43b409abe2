export * from "./config.ts";
export * from "./logger.ts";
export * from "./telemetry.ts";
export * from "./grpc.ts";
export * from "./health-client.ts";
export * from "./kafka-config.ts";
export * from "./postgres-config.ts";
export { startOpsServer } from "./ops-server.ts";
export type { HealthReport, OpsServer, OpsServerOptions } from "./ops-server.ts";
