export * from "./record.ts";
export * from "./scoring.ts";
