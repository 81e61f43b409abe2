export { kafkaBrokers, createTestTopics, testKafka, uniqueName } from "./kafka.ts";
export type { TestTopicOptions, TestTopics } from "./kafka.ts";
export { createTestDatabase } from "./postgres.ts";
export type { TestDatabase } from "./postgres.ts";
export { ensureStack } from "./stack.ts";
export { harnessConfig } from "./config.ts";
export type { HarnessConfig } from "./config.ts";
