// The dead-letter CLI's surface for tests and tools: run it as a function, read its exit statuses
// and the replay marker's header names. The command itself is cli.ts.
export { runDeadLetterCli } from "./cli.ts";
export { EXIT_STATUS } from "./errors.ts";
export { REPLAY_ID_HEADER, REPLAY_OF_HEADER, REPLAYED_AT_HEADER } from "./letters.ts";
export type { Output } from "./output.ts";
