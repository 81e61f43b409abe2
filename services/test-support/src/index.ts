export { FakeInferenceSidecar } from "./fake-inference-sidecar.ts";
export type { FakeInferenceSidecarOptions, FakeInferenceSidecarStats, RequestLogEntry, ScriptedAnswer } from "./fake-inference-sidecar.ts";
export { FAKE_INFERENCE_SIDECAR_MAIN, FakeInferenceSidecarProcess } from "./fake-inference-sidecar-process.ts";
export type { FakeInferenceSidecarProcessOptions } from "./fake-inference-sidecar-process.ts";
export type { LabelledText } from "./labels.ts";
export { latencySpecSchema } from "./latency.ts";
