// Generated code lives in ../gen (reproducible with `npm run generate -w proto`);
// this module is the package's one public entry point.
export * from "../gen/liability/record/v1/record_pb.js";
export * from "../gen/liability/inference/v1/inference_pb.js";
export * from "../gen/liability/events/v1/events_pb.js";
export { DEFAULT_TOPICS, kindFromProto, kindToProto, recordFromProto, recordToProto } from "./codec.ts";
