import { createHash } from "node:crypto";
import type { DocumentKey } from "./ports.ts";

/**
 * Whether an accepted document is also sent to review as a shadow item (REVIEW_SHADOW_SHARE), so
 * that the error rate of accepted records is measured in production. Decided by a hash of the
 * document's key, not by chance: a redelivery, another worker or a replay makes the same choice.
 */
export function inShadowSample(key: DocumentKey, share: number): boolean {
  if (share <= 0) return false;
  if (share >= 1) return true;
  const digest = createHash("sha256").update(`${key.tenantId}\u0000${key.documentId}`).digest();
  // The first 32 bits, as a fraction in [0, 1): uniform over keys.
  return digest.readUInt32BE(0) / 2 ** 32 < share;
}
