// One review console over a real pipeline: the FakeInferenceSidecar answers scripted documents,
// the real worker writes them (review items with their texts, a shadow-sampled accepted record)
// to a private schema, and the console runs in this process as lre_reviewer with two local users
// of two tenants. Shared by the HTTP and the browser tests.
import { randomBytes } from "node:crypto";
import type { AddressInfo } from "node:net";
import { canonicalRecordJson } from "@liability/domain";
import { createLogger } from "@liability/platform";
import { buildReviewServer, hashPassword, LocalPasswordAuthenticator, ReviewStore, SessionCodec } from "@liability/review";
import { FakeInferenceSidecarProcess } from "@liability/test-support";
import type { Worker } from "@liability/worker";
import type { FastifyInstance } from "fastify";
import { count, encodeEvent, exampleLabels, examples, produce, query, startWorker, waitFor, workerTestContext } from "../../worker/support/env.ts";
import type { TestDocument, WorkerTestContext } from "../../worker/support/env.ts";

export const USERS = {
  ana: { username: "ana", password: "ana-password-1", tenant: "tenant-a" },
  bo: { username: "bo", password: "bo-password-1", tenant: "tenant-b" },
} as const;

const [mortgage, autoCall, card] = [examples[0]!, examples[1]!, examples[2]!];

/**
 * Texts of their own (the examples are in the held-out dev set, which the dataset builder drops),
 * each a labelled example with one line added.
 */
const own = (text: string, tag: string) => `${text}Reference: ${tag}\n`;

/** The documents and how the model (scripted) reads them. */
export const DOCS = {
  /** The model misreads the balance (241,905.12 for 214,905.12): ungrounded, to review. */
  hallucinated: { id: "a-hallucinated", tenantId: USERS.ana.tenant, kind: mortgage.kind, text: own(mortgage.text, "RV-A1") },
  /** The model reads a monthly payment the card statement does not state: to review (for the browser test). */
  cardPayment: { id: "a-card", tenantId: USERS.ana.tenant, kind: card.kind, text: own(card.text, "RV-A2") },
  /** Read right: accepted, and sampled into review as a shadow item (REVIEW_SHADOW_SHARE=1). */
  accepted: { id: "a-accepted", tenantId: USERS.ana.tenant, kind: autoCall.kind, text: own(autoCall.text, "RV-A3") },
  /** Another tenant's review item. */
  otherTenant: { id: "b-hallucinated", tenantId: USERS.bo.tenant, kind: mortgage.kind, text: own(mortgage.text, "RV-B1") },
} satisfies Record<string, TestDocument>;

export const MISREAD_BALANCE = 241905.12;
export const TRUE_BALANCE = mortgage.expected!.current_balance!;
export const MISREAD_CARD_PAYMENT = 64;
export const TRUE_CARD_PAYMENT = card.expected!.monthly_payment!;

export interface ConsoleFixture {
  readonly ctx: WorkerTestContext;
  readonly baseUrl: string;
  /** The review item id of a document (any tenant), read as the schema owner. */
  itemId(doc: TestDocument): Promise<string>;
  cleanup(): Promise<void>;
}

export async function startConsoleFixture(): Promise<ConsoleFixture> {
  const ctx = await workerTestContext();
  const answer = (expected: object) => ({ output: canonicalRecordJson(expected as never) });
  const sidecar = await FakeInferenceSidecarProcess.start({
    labels: exampleLabels,
    answers: {
      [DOCS.hallucinated.id]: answer({ ...mortgage.expected!, current_balance: MISREAD_BALANCE }),
      [DOCS.otherTenant.id]: answer({ ...mortgage.expected!, current_balance: MISREAD_BALANCE }),
      [DOCS.cardPayment.id]: answer({ ...card.expected!, monthly_payment: MISREAD_CARD_PAYMENT }),
      [DOCS.accepted.id]: answer(autoCall.expected!),
    },
  });
  let worker: Worker | undefined;
  let app: FastifyInstance | undefined;
  let store: ReviewStore | undefined;
  const cleanup = async () => {
    await app?.close();
    await store?.end();
    await worker?.stop();
    await sidecar.stop();
    await ctx.cleanup();
  };
  try {
    const docs = Object.values(DOCS);
    await produce(
      ctx.topics.documents,
      docs.map((d) => encodeEvent(d)),
    );
    worker = await startWorker(ctx.config({ INFERENCE_ADDRESS: sidecar.address, REVIEW_SHADOW_SHARE: "1" }));
    await waitFor("every document recorded", async () => (await count(ctx.db.adminUrl, "liability_records")) === docs.length);
    await waitFor("every review item queued", async () => (await count(ctx.db.adminUrl, "review_queue")) === docs.length);

    store = new ReviewStore({ connectionString: await ctx.db.reviewerUrl(), max: 4 }, ctx.db.schema);
    const users = await Promise.all(
      Object.values(USERS).map(async (u) => ({ username: u.username, tenant: u.tenant, password_hash: await hashPassword(u.password) })),
    );
    app = await buildReviewServer({
      store,
      authenticator: new LocalPasswordAuthenticator(users, await hashPassword(randomBytes(8).toString("hex"))),
      sessions: new SessionCodec(randomBytes(32).toString("base64url"), 3_600_000),
      recordedTopic: ctx.topics.recorded,
      secureCookies: false,
      logger: createLogger({ service: "review-test", level: (process.env.LRE_TEST_LOG_LEVEL as "silent" | undefined) ?? "silent" }),
    });
    await app.listen({ host: "127.0.0.1", port: 0 });
    const { port } = app.server.address() as AddressInfo;
    return {
      ctx,
      baseUrl: `http://127.0.0.1:${port}`,
      itemId: async (doc) => {
        const rows = await query<{ id: string }>(ctx.db.adminUrl, "SELECT id::text FROM review_queue WHERE tenant_id = $1 AND document_id = $2", [
          doc.tenantId,
          doc.id,
        ]);
        return rows[0]!.id;
      },
      cleanup,
    };
  } catch (error) {
    await cleanup();
    throw error;
  }
}

/** A signed-in reviewer over plain HTTP: the session cookie and the CSRF token of the pages. */
export class ConsoleSession {
  readonly baseUrl: string;
  cookie = "";
  csrf = "";

  private constructor(baseUrl: string) {
    this.baseUrl = baseUrl;
  }

  static async anonymous(baseUrl: string): Promise<ConsoleSession> {
    const s = new ConsoleSession(baseUrl);
    await s.#keep(await s.raw("GET", "/login"));
    return s;
  }

  static async signIn(baseUrl: string, user: { username: string; password: string }): Promise<ConsoleSession> {
    const s = await ConsoleSession.anonymous(baseUrl);
    const login = await s.form("/login", { username: user.username, password: user.password });
    if (login.status !== 303) throw new Error(`sign-in answered ${login.status}`);
    // Signing in issues a new session, so the token comes from a page of it.
    await s.#keep(await s.raw("GET", "/"));
    return s;
  }

  async #keep(response: Response): Promise<string> {
    const body = await response.text();
    const token = /name="_csrf" value="([^"]+)"/.exec(body)?.[1];
    if (token) this.csrf = token;
    return body;
  }

  async raw(method: string, path: string, init: { body?: string; headers?: Record<string, string> } = {}): Promise<Response> {
    const response = await fetch(`${this.baseUrl}${path}`, {
      method,
      redirect: "manual",
      headers: { ...(this.cookie ? { cookie: this.cookie } : {}), ...init.headers },
      ...(init.body !== undefined ? { body: init.body } : {}),
    });
    const set = response.headers.get("set-cookie");
    if (set) this.cookie = set.split(";")[0]!;
    return response;
  }

  /** A page's HTML (and keeps its CSRF token). */
  async page(path: string): Promise<{ status: number; body: string }> {
    const response = await this.raw("GET", path);
    return { status: response.status, body: await this.#keep(response) };
  }

  form(path: string, fields: Record<string, string>, csrf: string | null = this.csrf): Promise<Response> {
    const body = new URLSearchParams({ ...fields, ...(csrf === null ? {} : { _csrf: csrf }) }).toString();
    return this.raw("POST", path, { body, headers: { "content-type": "application/x-www-form-urlencoded" } });
  }

  async getJson(path: string): Promise<{ status: number; body: unknown }> {
    const response = await this.raw("GET", path);
    return { status: response.status, body: await response.json() };
  }

  async postJson(path: string, payload: unknown, csrf: string | null = this.csrf): Promise<{ status: number; body: unknown }> {
    const response = await this.raw("POST", path, {
      body: JSON.stringify(payload),
      headers: { "content-type": "application/json", ...(csrf === null ? {} : { "x-csrf-token": csrf }) },
    });
    const text = await response.text();
    return { status: response.status, body: text === "" ? null : text.startsWith("{") ? JSON.parse(text) : text };
  }
}
