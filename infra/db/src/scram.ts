import { createHash, createHmac, pbkdf2Sync, randomBytes } from "node:crypto";

/**
 * The SCRAM-SHA-256 verifier PostgreSQL stores for a password (RFC 5802 / RFC 7677), computed on
 * the client. `ALTER ROLE … PASSWORD '<verifier>'` then never carries the password itself, so it
 * cannot surface in the server log (which records the text of failed or slow statements).
 * PostgreSQL applies SASLprep to the password; for ASCII passwords that is the identity, and
 * non-ASCII ones are refused here rather than risking a verifier the server would not match.
 */
export function scramSha256Verifier(password: string, iterations = 4096): string {
  if (!/^[\x20-\x7e]+$/.test(password)) {
    throw new Error("database passwords must be printable ASCII");
  }
  const salt = randomBytes(16);
  const salted = pbkdf2Sync(password, salt, iterations, 32, "sha256");
  const clientKey = createHmac("sha256", salted).update("Client Key").digest();
  const storedKey = createHash("sha256").update(clientKey).digest();
  const serverKey = createHmac("sha256", salted).update("Server Key").digest();
  return `SCRAM-SHA-256$${iterations}:${salt.toString("base64")}$${storedKey.toString("base64")}:${serverKey.toString("base64")}`;
}

// Used by infra/local/postgres.sh: reads the password from the environment (never argv) and
// prints the verifier.
if (import.meta.main) {
  const password = process.env.SCRAM_PASSWORD;
  if (!password) {
    console.error("SCRAM_PASSWORD is not set");
    process.exit(2);
  }
  process.stdout.write(scramSha256Verifier(password));
}
