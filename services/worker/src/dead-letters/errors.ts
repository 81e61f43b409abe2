/**
 * The one error type of the dead-letter CLI: a code that says what went wrong and decides the exit
 * status, so that a script (or a person at 3 a.m.) can tell a typo from an outage.
 */
export type DeadLetterErrorCode =
  /** Bad arguments or configuration: fix the command line or the environment. */
  | "usage"
  /** A topic, partition or offset that does not exist. */
  | "topic_missing"
  | "not_found"
  /** Kafka or PostgreSQL did not answer: try again once it is back; nothing was half done. */
  | "kafka_unavailable"
  | "database_unavailable"
  /** The login may not use the replay ledger. */
  | "permission_denied"
  /** Some letters were not replayed: already replayed (without --force), or another topic's. */
  | "refused"
  /** A send failed mid-run: the letters it names may or may not have been published. */
  | "send_failed";

/** Exit status per code; 1 stays for the unexpected (a bug). */
export const EXIT_STATUS: Readonly<Record<DeadLetterErrorCode, number>> = {
  usage: 2,
  topic_missing: 3,
  not_found: 3,
  refused: 4,
  kafka_unavailable: 5,
  database_unavailable: 5,
  send_failed: 6,
  permission_denied: 7,
};

export class DeadLetterCliError extends Error {
  readonly code: DeadLetterErrorCode;

  constructor(code: DeadLetterErrorCode, message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = "DeadLetterCliError";
    this.code = code;
  }

  get exitStatus(): number {
    return EXIT_STATUS[this.code];
  }
}
