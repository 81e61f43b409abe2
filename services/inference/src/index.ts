export * from "./config.ts";
export * from "./engine.ts";
export * from "./grammar.ts";
export * from "./model-files.ts";
export * from "./prompt.ts";
export * from "./scheduler.ts";
export * from "./server.ts";
export * from "./sidecar.ts";
