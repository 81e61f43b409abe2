import { createHmac, randomBytes, timingSafeEqual } from "node:crypto";
import type { LocalUser } from "./config.ts";
import { verifyPassword } from "./passwords.ts";

/** Who is signed in: the login name and the one tenant whose items they may see and change. */
export interface Reviewer {
  readonly username: string;
  readonly tenantId: string;
}

/**
 * How a reviewer proves who they are. The local login checks a password; an OIDC provider would
 * be another implementation (its callback route turns the ID token's subject and tenant claim
 * into a Reviewer), and everything after sign-in (session, CSRF, tenant) stays the same.
 */
export interface Authenticator {
  /** The reviewer these credentials belong to, or null; never says which part was wrong. */
  authenticate(username: string, password: string): Promise<Reviewer | null>;
}

/** Users and scrypt hashes from REVIEW_LOCAL_USERS. */
export class LocalPasswordAuthenticator implements Authenticator {
  readonly #users: ReadonlyMap<string, LocalUser>;
  /** Checked for unknown names too, so that the answer takes as long whether the user exists or not. */
  readonly #decoyHash: string;

  constructor(users: readonly LocalUser[], decoyHash: string) {
    this.#users = new Map(users.map((u) => [u.username, u]));
    this.#decoyHash = decoyHash;
  }

  async authenticate(username: string, password: string): Promise<Reviewer | null> {
    const user = this.#users.get(username);
    const ok = await verifyPassword(password, user?.password_hash ?? this.#decoyHash);
    return ok && user ? { username: user.username, tenantId: user.tenant } : null;
  }
}

/**
 * What the session cookie holds. Every visitor has one (with a nonce) before signing in, so that
 * the login form carries a CSRF token too; signing in issues a new nonce (no session fixation).
 */
export interface Session {
  readonly nonce: string;
  readonly reviewer: Reviewer | null;
  /** Milliseconds since the epoch after which the cookie is refused. */
  readonly expiresAtMs: number;
}

/**
 * Stateless sessions: the cookie is the session, HMAC-SHA256-signed with the session secret, so
 * nothing is stored server-side and any replica can check it. Expiry is inside the signed part.
 */
export class SessionCodec {
  readonly #secret: string;
  readonly #ttlMs: number;

  constructor(secret: string, ttlMs: number) {
    this.#secret = secret;
    this.#ttlMs = ttlMs;
  }

  issue(reviewer: Reviewer | null, nowMs: number): Session {
    return { nonce: randomBytes(16).toString("base64url"), reviewer, expiresAtMs: nowMs + this.#ttlMs };
  }

  encode(session: Session): string {
    const body = Buffer.from(JSON.stringify(session)).toString("base64url");
    return `${body}.${this.#mac(`session:${body}`)}`;
  }

  /** The session in a cookie value, or null when it is missing, forged or expired. */
  decode(cookie: string | undefined, nowMs: number): Session | null {
    if (!cookie) return null;
    const [body, mac] = cookie.split(".");
    if (!body || !mac || !equal(mac, this.#mac(`session:${body}`))) return null;
    try {
      const session = JSON.parse(Buffer.from(body, "base64url").toString("utf8")) as Session;
      return typeof session.nonce === "string" && typeof session.expiresAtMs === "number" && session.expiresAtMs > nowMs ? session : null;
    } catch {
      return null;
    }
  }

  /** The token every form of this session carries (synchronizer token, derived rather than stored). */
  csrfToken(session: Session): string {
    return this.#mac(`csrf:${session.nonce}`);
  }

  checkCsrf(session: Session, token: unknown): boolean {
    return typeof token === "string" && equal(token, this.csrfToken(session));
  }

  #mac(what: string): string {
    return createHmac("sha256", this.#secret).update(what).digest("base64url");
  }
}

function equal(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}
