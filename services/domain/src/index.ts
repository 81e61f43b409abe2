export * from "./record.ts";
export * from "./scoring.ts";
export * from "./validation/index.ts";
