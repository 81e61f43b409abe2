export { loadInferenceConfig } from "./config.ts";
export { LlamaEngine } from "./engine.ts";
export { MAX_COMPLETION_TOKENS } from "./grammar.ts";
export { PromptBuilder, loadPromptArtifact } from "./prompt.ts";
export { engineOptions } from "./sidecar.ts";
