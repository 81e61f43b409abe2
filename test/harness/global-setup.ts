// node --test --test-global-setup=test/harness/global-setup.ts …
// Brings the local stack up once per test run (or reuses it when it is already up). The stack is
// left running afterwards: starting Kafka costs tens of seconds, and other runs share it.
import { ensureStack } from "./stack.ts";

export async function globalSetup(): Promise<void> {
  // Runs up.sh even when the ports answer, so that topics and migrations are current.
  await ensureStack({ force: true });
}

export async function globalTeardown(): Promise<void> {}
