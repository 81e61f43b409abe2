// `node services/review/src/main.ts`: the review console (configuration from the environment, see src/config.ts).
import { randomBytes } from "node:crypto";
import { createLogger, postgresPoolConfig } from "@liability/platform";
import { LocalPasswordAuthenticator, SessionCodec } from "./auth.ts";
import { loadReviewConfig } from "./config.ts";
import { hashPassword } from "./passwords.ts";
import { buildReviewServer } from "./server.ts";
import { ReviewStore } from "./store.ts";

const PRUNE_INTERVAL_MS = 3_600_000;

async function main(): Promise<void> {
  const config = loadReviewConfig(process.env, () => randomBytes(32).toString("base64url"));
  const logger = createLogger({ service: "review-console", level: config.LOG_LEVEL });
  const store = new ReviewStore(postgresPoolConfig(config.database, "review-console"), config.DATABASE_SCHEMA);
  const authenticator = new LocalPasswordAuthenticator(config.REVIEW_LOCAL_USERS, await hashPassword(randomBytes(16).toString("hex")));
  const app = await buildReviewServer({
    store,
    authenticator,
    sessions: new SessionCodec(config.sessionSecret, config.REVIEW_SESSION_TTL_MINUTES * 60_000),
    recordedTopic: config.KAFKA_TOPIC_LIABILITY_RECORDED,
    secureCookies: config.secureCookies,
    logger,
  });
  const prune = async () => {
    try {
      const pruned = await store.pruneDocuments(config.REVIEW_DOCUMENT_RETENTION_DAYS);
      if (pruned > 0) logger.info({ pruned }, "deleted review document texts past their retention");
    } catch (error) {
      logger.warn({ err: error }, "could not prune review document texts; retrying at the next interval");
    }
  };
  const timer = setInterval(prune, PRUNE_INTERVAL_MS);
  await prune();
  const address = await app.listen({ host: config.REVIEW_HOST, port: config.REVIEW_PORT });
  logger.info({ address, users: config.REVIEW_LOCAL_USERS.length }, "review console listening");
  const stop = async () => {
    clearInterval(timer);
    await app.close();
    await store.end();
  };
  process.once("SIGTERM", () => void stop());
  process.once("SIGINT", () => void stop());
}

main().catch((error: unknown) => {
  console.error(`[review] ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
});
