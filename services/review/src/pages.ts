// The console's pages, rendered on the server. Values and document text go through html`` and
// are escaped; the only script is /static/console.js (keyboard shortcuts), allowed by the CSP.
import { RECORD_FIELDS } from "@liability/domain";
import type { LiabilityRecord, RecordField } from "@liability/domain";
import type { Reviewer } from "./auth.ts";
import { highlightedText } from "./highlight.ts";
import { html } from "./html.ts";
import type { Html } from "./html.ts";
import type { FieldCitations, FieldInput, FieldProblem, ReviewedRecordCheck } from "./review-rules.ts";
import type { QueueFilters, QueueView, ReviewItem } from "./store.ts";

function layout(title: string, body: Html, signedIn?: { reviewer: Reviewer; csrf: string }): string {
  return html`<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><title>${title} · review console</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<link rel="stylesheet" href="/static/console.css"></head>
<body>
<header><strong>Liability review</strong>${
    signedIn
      ? html`<a id="queue-link" href="/">Queue</a>
<span class="who">${signedIn.reviewer.username} · tenant <span data-tenant>${signedIn.reviewer.tenantId}</span></span>
<form method="post" action="/logout"><input type="hidden" name="_csrf" value="${signedIn.csrf}"><button>Sign out</button></form>`
      : ""
  }</header>
<main>${body}</main>
<script src="/static/console.js" defer></script>
</body></html>`.value;
}

export function loginPage(csrf: string, failed: boolean): string {
  return layout(
    "Sign in",
    html`<form class="login" method="post" action="/login">
<h1>Sign in</h1>
${failed ? html`<p class="problems" role="alert">Wrong user name or password.</p>` : ""}
<input type="hidden" name="_csrf" value="${csrf}">
<label>User name<input name="username" autocomplete="username" required autofocus></label>
<label>Password<input name="password" type="password" autocomplete="current-password" required></label>
<button class="primary">Sign in</button>
</form>`,
  );
}

function ageOf(createdAt: Date, now: Date): string {
  const minutes = Math.max(0, Math.round((now.getTime() - createdAt.getTime()) / 60_000));
  if (minutes < 60) return `${minutes} min`;
  if (minutes < 48 * 60) return `${Math.round(minutes / 60)} h`;
  return `${Math.round(minutes / 1440)} d`;
}

function percent(part: number, whole: number): string {
  return whole === 0 ? "–" : `${((100 * part) / whole).toFixed(1)}%`;
}

function filterLink(filters: QueueFilters, reason: string | undefined): string {
  const q = new URLSearchParams();
  if (reason) q.set("reason", reason);
  if (filters.kind) q.set("kind", filters.kind);
  if (filters.lender) q.set("lender", filters.lender);
  if (filters.minAgeHours !== undefined) q.set("min_age_hours", String(filters.minAgeHours));
  if (filters.shadow !== undefined) q.set("shadow", String(filters.shadow));
  const s = q.toString();
  return s === "" ? "/" : `/?${s}`;
}

export function queuePage(view: QueueView, filters: QueueFilters, reviewer: Reviewer, csrf: string, now: Date): string {
  const total = view.reasonCounts.reduce((n, c) => Math.max(n, c.count), 0);
  return layout(
    "Queue",
    html`<h1>Open items <span class="muted">(${view.entries.length} shown, oldest first)</span></h1>
<p class="muted" data-shadow-rate>Shadow sample of accepted records: ${view.shadow.reviewed} reviewed, ${view.shadow.wrong} corrected or rejected
 — measured error rate of accepted records ${percent(view.shadow.wrong, view.shadow.reviewed)}.</p>
<div class="counts">
<a class="chip${filters.reason ? "" : " on"}" href="${filterLink(filters, undefined)}">all reasons</a>
${view.reasonCounts.map(
  (c) =>
    html`<a class="chip${filters.reason === c.rule ? " on" : ""}" href="${filterLink(filters, c.rule)}" data-reason-count="${c.rule}">${c.rule} <b>${c.count}</b></a>`,
)}
</div>
<form class="filters" method="get" action="/">
${filters.reason ? html`<input type="hidden" name="reason" value="${filters.reason}">` : ""}
<label>Kind<select name="kind"><option value="">any</option>
${["statement", "call_transcript"].map((k) => html`<option value="${k}"${filters.kind === k ? html` selected` : ""}>${k}</option>`)}</select></label>
<label>Lender<input type="text" name="lender" value="${filters.lender ?? ""}"></label>
<label>Waiting at least (hours)<input type="text" name="min_age_hours" value="${filters.minAgeHours ?? ""}" size="4"></label>
<label>Items<select name="shadow"><option value="">all</option>
<option value="false"${filters.shadow === false ? html` selected` : ""}>flagged by validation</option>
<option value="true"${filters.shadow === true ? html` selected` : ""}>shadow sample</option></select></label>
<button>Filter</button>
</form>
<table>
<thead><tr><th>Document</th><th>Kind</th><th>Lender (model)</th><th>Reasons</th><th>Waiting</th></tr></thead>
<tbody>
${view.entries.map(
  (e) => html`<tr id="row-${e.id}" data-queue-row>
<td><a href="/items/${e.id}">${e.documentId}</a>${e.shadow ? html` <span class="chip">shadow</span>` : ""}</td>
<td>${e.kind ?? "?"}</td><td>${e.lender ?? "—"}</td>
<td class="code">${e.reasons.map((r) => r.code).join(", ") || (e.shadow ? "sampled from accepted" : "")}</td>
<td>${ageOf(e.createdAt, now)}</td></tr>`,
)}
</tbody></table>
${view.entries.length === 0 ? html`<p class="muted">Nothing waiting${total > 0 ? " for these filters" : ""}.</p>` : ""}
<p class="muted"><kbd>j</kbd>/<kbd>k</kbd> move, <kbd>Enter</kbd> opens.</p>`,
    { reviewer, csrf },
  );
}

function display(value: unknown): string {
  return value === null || value === undefined ? "not in the document" : String(value);
}

function problemList(problems: readonly FieldProblem[], className: string, title: string): Html | string {
  if (problems.length === 0) return "";
  return html`<div class="${className}" role="alert"><strong>${title}</strong><ul>${problems.map((p) => html`<li>${p.message}</li>`)}</ul></div>`;
}

function fieldRows(record: LiabilityRecord | null, citations: FieldCitations, confidence: Readonly<Record<string, number>> | null): Html {
  return html`${RECORD_FIELDS.map(
    (f) => html`<tr data-field-row="${f}"><th>${f}</th><td data-value="${f}">${record ? display(record[f]) : "—"}</td>
<td>${citations[f]?.length ? html`<span class="chip" data-cited="${f}">${citations[f]!.length} cited</span>` : html`<span class="muted">no citation</span>`}</td>
<td>${confidence?.[f] !== undefined ? confidence[f]!.toFixed(2) : ""}</td></tr>`,
  )}`;
}

function correctionForm(item: ReviewItem, csrf: string, typed: Readonly<Partial<Record<RecordField, FieldInput>>> | undefined): Html {
  const shownValue = (f: RecordField): string => {
    if (typed) return typed[f]?.value ?? "";
    const v = item.record?.[f];
    return v === null || v === undefined ? "" : String(v);
  };
  const notInDocument = (f: RecordField): boolean => (typed ? typed[f]?.notInDocument === true : item.record !== null && item.record[f] === null);
  return html`<form id="correct-form" method="post" action="/items/${item.id}/correct">
<input type="hidden" name="_csrf" value="${csrf}">
<table><thead><tr><th>Field</th><th>Value</th><th>Not in the document</th></tr></thead><tbody>
${RECORD_FIELDS.map(
  (f) => html`<tr><th><label for="value-${f}">${f}</label></th>
<td><input type="text" id="value-${f}" name="value.${f}" value="${shownValue(f)}"></td>
<td>${f === "liability_type" || f === "lender_name" ? "" : html`<input type="checkbox" name="null.${f}" aria-label="${f} not in the document"${notInDocument(f) ? html` checked` : ""}>`}</td></tr>`,
)}
</tbody></table>
<div class="actions"><button class="primary" id="save-correction">Save correction</button></div>
</form>`;
}

export interface ItemPageInput {
  readonly item: ReviewItem;
  /** The record shown (the model's, or the reviewer's once resolved) checked against the text; null without record or text. */
  readonly check: ReviewedRecordCheck | null;
  readonly reviewer: Reviewer;
  readonly csrf: string;
  /** Why the last action was refused, and what was typed, to show again. */
  readonly refused?: { readonly problems: readonly FieldProblem[]; readonly typed?: Readonly<Partial<Record<RecordField, FieldInput>>> };
}

export function itemPage(input: ItemPageInput): string {
  const { item, check, csrf } = input;
  const open = item.status === "pending" || item.status === "in_review";
  const shown = item.resolution ? item.resolution.record : item.record;
  const citations = check?.citations ?? {};
  return layout(
    item.documentId,
    html`<div data-item="${item.id}">
<h1>${item.documentId} <span class="muted">${item.kind ?? ""} · ${item.status}${item.shadow ? " · shadow sample" : ""}</span></h1>
<p class="muted">model ${item.modelId ?? "?"} ${item.modelVersion ?? ""} · prompt ${item.promptVersion ?? "?"} · lowest confidence ${item.confidence?.toFixed(2) ?? "n/a"}
${item.previousId ? html` · <a id="previous-item" href="/items/${item.previousId}">previous (k)</a>` : ""}
${item.nextId ? html` · <a id="next-item" href="/items/${item.nextId}">next (j)</a>` : ""}</p>
${problemList(input.refused?.problems ?? [], "problems", "Not saved:")}
<div class="item">
<section><h2>Document</h2>
${item.text === null ? html`<p class="muted">The text is no longer kept (retention).</p>` : html`<div class="document" data-document>${highlightedText(item.text, citations)}</div>`}
</section>
<section>
<h2>Why it is here</h2>
<ul class="reasons">${item.reasons.map((r) => html`<li><span class="code">${r.code}</span> — ${r.message}</li>`)}
${item.shadow ? html`<li>Accepted by validation; sampled for review to measure the accepted error rate.</li>` : ""}</ul>
${check ? problemList([...check.blocking, ...check.warnings], "warnings", "What the rules say about the values shown:") : ""}
<h2>${item.resolution ? `Resolved: ${item.resolution.decision} by ${item.reviewer ?? "?"}` : "Extracted values"}</h2>
<table><thead><tr><th>Field</th><th>Value</th><th>Citation</th><th>Confidence</th></tr></thead>
<tbody>${fieldRows(shown, citations, item.fieldConfidence)}</tbody></table>
${
  item.resolution?.corrected_fields.length
    ? html`<p>Corrected: <span class="code" data-corrected>${item.resolution.corrected_fields.join(", ")}</span> (was: ${item.resolution.corrected_fields.map((f) => `${f} ${display(item.resolution!.previous?.[f])}`).join("; ")})</p>`
    : ""
}
${
  open
    ? html`<div class="actions">
<form id="accept-form" method="post" action="/items/${item.id}/accept"><input type="hidden" name="_csrf" value="${csrf}"><button class="primary"${item.record ? "" : html` disabled`}>Accept as is (a)</button></form>
<form id="reject-form" method="post" action="/items/${item.id}/reject"><input type="hidden" name="_csrf" value="${csrf}"><button>Reject document (r)</button></form>
</div>
<h2>Correct (e)</h2>
${correctionForm(item, csrf, input.refused?.typed)}`
    : ""
}
${item.rawModelOutput ? html`<details><summary>Raw model output</summary><pre class="code">${item.rawModelOutput}</pre></details>` : ""}
</section></div></div>`,
    { reviewer: input.reviewer, csrf },
  );
}

export function notFoundPage(reviewer: Reviewer, csrf: string): string {
  return layout("Not found", html`<h1>No such item</h1><p>It does not exist, or it is not your tenant's.</p>`, { reviewer, csrf });
}
