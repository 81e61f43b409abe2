import { readFileSync } from "node:fs";
import cookie from "@fastify/cookie";
import formbody from "@fastify/formbody";
import type { Logger } from "@liability/platform";
import { RECORD_FIELDS } from "@liability/domain";
import type { RecordField } from "@liability/domain";
import Fastify from "fastify";
import type { FastifyBaseLogger, FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import type { Authenticator, Reviewer, Session, SessionCodec } from "./auth.ts";
import { planResolution } from "./decide.ts";
import type { ReviewAction } from "./decide.ts";
import { encodeReviewedEvent } from "./events.ts";
import { itemPage, loginPage, notFoundPage, queuePage } from "./pages.ts";
import { checkReviewedRecord } from "./review-rules.ts";
import type { FieldInput, Resolution } from "./review-rules.ts";
import type { OutboxEvent, QueueFilters, ReviewItem, ReviewStore } from "./store.ts";

export interface ReviewServerOptions {
  readonly store: ReviewStore;
  readonly authenticator: Authenticator;
  readonly sessions: SessionCodec;
  /** Topic of the LiabilityRecorded events written to the outbox. */
  readonly recordedTopic: string;
  /** Send cookies over HTTPS only (everywhere but a developer's machine). */
  readonly secureCookies: boolean;
  readonly logger: Logger;
  readonly now?: () => Date;
}

const SESSION_COOKIE = "lre_review_session";
const ASSETS = {
  "console.js": { type: "text/javascript; charset=utf-8", body: readFileSync(new URL("../public/console.js", import.meta.url)) },
  "console.css": { type: "text/css; charset=utf-8", body: readFileSync(new URL("../public/console.css", import.meta.url)) },
} as const;

declare module "fastify" {
  interface FastifyRequest {
    reviewSession: Session;
  }
}

/** A valid item id (review_queue.id is a bigint); anything else is "not found" without a query. */
const ITEM_ID = /^[1-9][0-9]{0,17}$/;

/**
 * The review console: server-rendered pages for people and a JSON API (same session, same CSRF
 * rule) for tools and tests. Every request past sign-in runs as the session's reviewer, whose
 * tenant the store passes to PostgreSQL's row-level security; no route takes a tenant from the request.
 */
export async function buildReviewServer(o: ReviewServerOptions): Promise<FastifyInstance> {
  const now = o.now ?? (() => new Date());
  // Fastify's request log names method, URL (item ids, never text) and status: nothing from a body.
  const app = Fastify({ loggerInstance: o.logger as FastifyBaseLogger, trustProxy: false, bodyLimit: 64 * 1024 });
  await app.register(cookie);
  await app.register(formbody);
  app.decorateRequest("reviewSession", null as unknown as Session);

  const setSession = (reply: FastifyReply, session: Session) => {
    reply.setCookie(SESSION_COOKIE, o.sessions.encode(session), {
      path: "/",
      httpOnly: true,
      sameSite: "strict",
      secure: o.secureCookies,
      expires: new Date(session.expiresAtMs),
    });
  };

  app.addHook("onRequest", async (request, reply) => {
    const existing = o.sessions.decode(request.cookies[SESSION_COOKIE], now().getTime());
    request.reviewSession = existing ?? o.sessions.issue(null, now().getTime());
    if (!existing) setSession(reply, request.reviewSession);
    reply.headers({
      "content-security-policy":
        "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
      "x-content-type-options": "nosniff",
      "referrer-policy": "no-referrer",
      // Pages hold document text: no cache may keep them.
      "cache-control": "no-store",
    });
  });

  // CSRF: every POST carries the session's token, in the form (_csrf) or the x-csrf-token header.
  app.addHook("preHandler", async (request, reply) => {
    if (request.method !== "POST") return;
    const body = request.body as Record<string, unknown> | undefined;
    const token = request.headers["x-csrf-token"] ?? body?._csrf;
    if (!o.sessions.checkCsrf(request.reviewSession, token)) {
      request.log.warn({ route: request.routeOptions.url }, "CSRF token missing or wrong");
      return reply.code(403).type("text/plain").send("CSRF token missing or wrong; reload the page");
    }
  });

  const csrf = (request: FastifyRequest) => o.sessions.csrfToken(request.reviewSession);

  /** The signed-in reviewer; otherwise the reply is a redirect to sign in (pages) or 401 (API), and null. */
  const reviewerOf = (request: FastifyRequest, reply: FastifyReply): Reviewer | null => {
    const reviewer = request.reviewSession.reviewer;
    if (reviewer) return reviewer;
    if (request.url.startsWith("/api/")) reply.code(401).send({ error: "sign in first" });
    else reply.redirect("/login", 303);
    return null;
  };

  app.get("/static/:name", async (request, reply) => {
    const asset = ASSETS[(request.params as { name: string }).name as keyof typeof ASSETS];
    if (!asset) return reply.code(404).send();
    return reply.header("cache-control", "public, max-age=300").type(asset.type).send(asset.body);
  });

  app.get("/healthz", async (_request, reply) => {
    const up = await o.store.ping();
    return reply.code(up ? 200 : 503).send({ database: up ? "up" : "down" });
  });

  app.get("/login", async (request, reply) => reply.type("text/html").send(loginPage(csrf(request), false)));

  app.post("/login", async (request, reply) => {
    const body = request.body as Record<string, unknown>;
    const reviewer = await o.authenticator.authenticate(String(body.username ?? ""), String(body.password ?? ""));
    if (!reviewer) {
      request.log.info("sign-in refused");
      return reply
        .code(401)
        .type("text/html")
        .send(loginPage(csrf(request), true));
    }
    // A new nonce (and so a new CSRF token) for the signed-in session.
    setSession(reply, o.sessions.issue(reviewer, now().getTime()));
    request.log.info({ reviewer: reviewer.username, tenant: reviewer.tenantId }, "signed in");
    return reply.redirect("/", 303);
  });

  app.post("/logout", async (_request, reply) => {
    setSession(reply, o.sessions.issue(null, now().getTime()));
    return reply.redirect("/login", 303);
  });

  app.get("/", async (request, reply) => {
    const reviewer = reviewerOf(request, reply);
    if (!reviewer) return reply;
    const filters = queueFilters(request.query as Record<string, string | undefined>);
    const view = await o.store.queue(reviewer, filters);
    return reply.type("text/html").send(queuePage(view, filters, reviewer, csrf(request), now()));
  });

  app.get("/api/queue", async (request, reply) => {
    const reviewer = reviewerOf(request, reply);
    if (!reviewer) return reply;
    return o.store.queue(reviewer, queueFilters(request.query as Record<string, string | undefined>));
  });

  const loadItem = async (reviewer: Reviewer, id: string): Promise<ReviewItem | null> => (ITEM_ID.test(id) ? o.store.item(reviewer, id) : null);

  app.get("/items/:id", async (request, reply) => {
    const reviewer = reviewerOf(request, reply);
    if (!reviewer) return reply;
    const item = await loadItem(reviewer, (request.params as { id: string }).id);
    if (!item)
      return reply
        .code(404)
        .type("text/html")
        .send(notFoundPage(reviewer, csrf(request)));
    return reply.type("text/html").send(itemPage({ item, check: checkOf(item), reviewer, csrf: csrf(request) }));
  });

  app.get("/api/items/:id", async (request, reply) => {
    const reviewer = reviewerOf(request, reply);
    if (!reviewer) return reply;
    const item = await loadItem(reviewer, (request.params as { id: string }).id);
    if (!item) return reply.code(404).send({ error: "no such item" });
    return { item, citations: checkOf(item)?.citations ?? {} };
  });

  const event =
    (reviewer: Reviewer) =>
    (item: ReviewItem, resolution: Resolution, reviewedAt: Date): OutboxEvent => ({
      topic: o.recordedTopic,
      payload: encodeReviewedEvent({
        documentId: item.documentId,
        tenantId: item.tenantId,
        resolution,
        reviewer: reviewer.username,
        reviewedAtMs: reviewedAt.getTime(),
        modelId: item.modelId ?? "",
        modelVersion: item.modelVersion ?? "",
        promptVersion: item.promptVersion ?? "",
        confidence: item.confidence,
        reviewReasons: item.reasons.map((r) => r.code),
      }),
      headers: {
        "content-type": "application/x-protobuf",
        "document-id": item.documentId,
        "record-status": resolution.decision === "reject" ? "rejected" : "accepted",
        "review-decision": resolution.decision,
      },
    });

  /** Runs an action as one transaction; logs who did what to which item, never a value. */
  const act = async (reviewer: Reviewer, id: string, action: ReviewAction) => {
    if (!ITEM_ID.test(id)) return { kind: "not_found" } as const;
    const result = await o.store.resolve(reviewer, id, (item) => planResolution(item, action), event(reviewer));
    if (result.kind === "resolved") {
      o.logger.info(
        { itemId: id, reviewer: reviewer.username, decision: result.resolution.decision, correctedFields: result.resolution.corrected_fields },
        "review item resolved",
      );
    }
    return result;
  };

  app.post("/items/:id/:decision", async (request, reply) => {
    const reviewer = reviewerOf(request, reply);
    if (!reviewer) return reply;
    const { id, decision } = request.params as { id: string; decision: string };
    const body = request.body as Record<string, unknown>;
    const action = formAction(decision, body);
    if (!action) return reply.code(404).send();
    const result = await act(reviewer, id, action);
    if (result.kind === "not_found")
      return reply
        .code(404)
        .type("text/html")
        .send(notFoundPage(reviewer, csrf(request)));
    if (result.kind === "refused") {
      const item = await loadItem(reviewer, id);
      if (!item)
        return reply
          .code(404)
          .type("text/html")
          .send(notFoundPage(reviewer, csrf(request)));
      const typed = action.decision === "correct" ? action.fields : undefined;
      return reply
        .code(422)
        .type("text/html")
        .send(itemPage({ item, check: checkOf(item), reviewer, csrf: csrf(request), refused: { problems: result.problems, ...(typed ? { typed } : {}) } }));
    }
    // Resolved (now or by someone else before): show the item, with its resolution.
    return reply.redirect(`/items/${id}`, 303);
  });

  app.post("/api/items/:id/resolve", async (request, reply) => {
    const reviewer = reviewerOf(request, reply);
    if (!reviewer) return reply;
    const action = apiAction(request.body);
    if (!action) return reply.code(400).send({ error: 'expected {"decision": "accept" | "reject"} or {"decision": "correct", "fields": {…}}' });
    const result = await act(reviewer, (request.params as { id: string }).id, action);
    const status = { resolved: 200, refused: 422, not_found: 404, already_resolved: 409 }[result.kind];
    return reply.code(status).send(result);
  });

  return app;
}

/** The record shown on an item page (the reviewer's once resolved) against the text, for citations and warnings. */
function checkOf(item: ReviewItem) {
  const record = item.resolution ? item.resolution.record : item.record;
  return record && item.text !== null ? checkReviewedRecord(item.text, record, item.receivedAt) : null;
}

function queueFilters(q: Record<string, string | undefined>): QueueFilters {
  const text = (v: string | undefined) => (v && v.trim() !== "" ? v.trim().slice(0, 100) : undefined);
  const hours = text(q.min_age_hours);
  return {
    reason: text(q.reason),
    kind: q.kind === "statement" || q.kind === "call_transcript" ? q.kind : undefined,
    lender: text(q.lender),
    minAgeHours: hours !== undefined && Number.isFinite(Number(hours)) ? Number(hours) : undefined,
    shadow: q.shadow === "true" ? true : q.shadow === "false" ? false : undefined,
  };
}

function formAction(decision: string, body: Record<string, unknown>): ReviewAction | null {
  if (decision === "accept" || decision === "reject") return { decision };
  if (decision !== "correct") return null;
  const fields: Partial<Record<RecordField, FieldInput>> = {};
  for (const f of RECORD_FIELDS) fields[f] = { value: String(body[`value.${f}`] ?? ""), notInDocument: body[`null.${f}`] !== undefined };
  return { decision, fields };
}

/**
 * {"decision": "correct", "fields": {"current_balance": "1234.50", "escrow_balance": null}}: null
 * marks "not in the document"; a field left out keeps the model's value.
 */
function apiAction(body: unknown): ReviewAction | null {
  if (typeof body !== "object" || body === null) return null;
  const { decision, fields } = body as { decision?: unknown; fields?: unknown };
  if (decision === "accept" || decision === "reject") return { decision };
  if (decision !== "correct" || typeof fields !== "object" || fields === null) return null;
  const given = fields as Record<string, unknown>;
  const inputs: Partial<Record<RecordField, FieldInput>> = {};
  for (const f of RECORD_FIELDS) {
    const v = given[f];
    if (v !== undefined) inputs[f] = v === null ? { value: "", notInDocument: true } : { value: String(v), notInDocument: false };
  }
  return { decision, fields: inputs };
}
