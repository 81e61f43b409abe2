import type { RenderContext } from "../context.ts";
import { addressLines, corePairs, distractorPairs, footerLines, productSentence, propertyLine, titleLines } from "../blocks.ts";
import type { Pair } from "../blocks.ts";
import { formatDate, formatLedgerCredit, formatMoney, padLine } from "../format.ts";
import { round2 } from "../facts.ts";
import { productNoun, productTitle, vocab } from "../vocab.ts";
import { ALL_TYPES, LOAN_TYPES } from "./types.ts";
import type { Family } from "./types.ts";

/*
 * Monthly statements, one family per page structure. Each family still varies the
 * wording, field order, formats and which optional figures appear.
 */

function interleave(ctx: RenderContext, core: Pair[], extra: Pair[]): Pair[] {
  // Distractors go beside related figures, as banks print them, not in a block at the end.
  const out = core.slice();
  for (const pair of extra) out.splice(ctx.rng.int(0, out.length), 0, pair);
  return out;
}

const kvAligned: Family = {
  id: "stmt-kv-aligned",
  kind: "statement",
  category: "monthly_statement",
  types: ALL_TYPES,
  split: "train",
  weight: 1.2,
  damage: 0.12,
  render(ctx) {
    const { rng } = ctx;
    const width = rng.int(36, 52);
    const core = corePairs(ctx);
    const head = core.filter((p) => p.field === "account_last4" || p.field === "as_of_date");
    const body = interleave(
      ctx,
      core.filter((p) => !head.includes(p)),
      distractorPairs(ctx, 3),
    );
    const lines = [...titleLines(ctx), ...head.map((p) => `${p.label}: ${p.value}`)];
    const prop = propertyLine(ctx);
    if (prop && rng.chance(0.6)) lines.push(prop);
    lines.push("");
    for (const p of body) lines.push(padLine(p.label, p.value, width));
    lines.push("", ...footerLines(ctx));
    return lines.join("\n");
  },
};

const sectionsColon: Family = {
  id: "stmt-sections-colon",
  kind: "statement",
  category: "monthly_statement",
  types: ALL_TYPES,
  split: "train",
  weight: 1.2,
  damage: 0.12,
  render(ctx) {
    const { rng } = ctx;
    const caps = rng.chance(0.5);
    const h = (s: string) => (caps ? s.toUpperCase() : s);
    const pairs = interleave(ctx, corePairs(ctx), distractorPairs(ctx, 4));
    const sections: [string, Pair["section"][]][] = rng.shuffle([
      [rng.pick(["Account Information", "Account Summary", "Loan Information", "Your Account"]), ["account", "balance", "rate"]],
      [rng.pick(["Payment Information", "Explanation of Amount Due", "Amount Due", "Payment Details"]), ["payment"]],
    ]);
    const lines = [...titleLines(ctx)];
    if (rng.chance(0.6)) lines.push("", ...addressLines(ctx));
    const sep = rng.pick([": ", ":  ", " - ", "\t"]);
    for (const [name, secs] of sections) {
      const inSection = pairs.filter((p) => secs.includes(p.section) || (p.section === "other" && secs.includes("account")));
      if (inSection.length === 0) continue;
      lines.push("", h(name), ...(rng.chance(0.4) ? ["-".repeat(name.length)] : []));
      for (const p of inSection) lines.push(`${p.label.trim()}${sep}${p.value}`);
    }
    if (rng.chance(0.5)) lines.push("", productSentence(ctx));
    lines.push("", ...footerLines(ctx));
    return lines.join("\n");
  },
};

/** Two columns printed side by side, as a PDF-to-text tool keeps them when layout is preserved. */
const sideBySide: Family = {
  id: "stmt-side-by-side",
  kind: "statement",
  category: "monthly_statement",
  types: ALL_TYPES,
  split: "train",
  weight: 1.2,
  damage: 0.15,
  render(ctx) {
    const { rng } = ctx;
    const pairs = interleave(ctx, corePairs(ctx), distractorPairs(ctx, 4));
    const left = pairs.filter((p) => p.section !== "payment");
    const right = pairs.filter((p) => p.section === "payment");
    const lw = rng.int(34, 42);
    const rw = rng.int(30, 40);
    const lines = [...titleLines(ctx), ""];
    const lt = rng.pick(
      ctx.type === "credit_card" ? ["ACCOUNT SUMMARY", "Account Summary", "Your Card"] : ["ACCOUNT SUMMARY", "Account Summary", "LOAN DETAILS", "Your Loan"],
    );
    const rt = rng.pick(["PAYMENT INFORMATION", "Payment Due", "AMOUNT DUE", "Payment Summary"]);
    lines.push(`${lt.padEnd(lw)}${" ".repeat(rng.int(2, 6))}${rt}`);
    const n = Math.max(left.length, right.length);
    for (let i = 0; i < n; i++) {
      const l = left[i] ? padLine(left[i]!.label, left[i]!.value, lw) : " ".repeat(lw);
      const r = right[i] ? padLine(right[i]!.label, right[i]!.value, rw) : "";
      lines.push(`${l}${" ".repeat(rng.int(2, 6))}${r}`.trimEnd());
    }
    lines.push("", ...footerLines(ctx));
    return lines.join("\n");
  },
};

/**
 * The same two-column page flattened without layout: one column's lines come after
 * the other's, or lines alternate between columns, and some labels lose their values
 * to the next line.
 */
const twoColFlattened: Family = {
  id: "stmt-two-col-flattened",
  kind: "statement",
  category: "monthly_statement",
  types: ALL_TYPES,
  split: "train",
  weight: 1.2,
  damage: 0.2,
  render(ctx) {
    const { rng } = ctx;
    const pairs = interleave(ctx, corePairs(ctx), distractorPairs(ctx, 4));
    const left = pairs.filter((p) => p.section !== "payment");
    const right = pairs.filter((p) => p.section === "payment");
    const asLines = (ps: Pair[]) => ps.flatMap((p) => (rng.chance(0.35) ? [p.label.trim(), p.value] : [`${p.label.trim()} ${p.value}`]));
    const l = asLines(left);
    const r = asLines(right);
    const [title, sub] = titleLines(ctx);
    const out: string[] = [];
    const mode = rng.int(0, 2);
    if (mode === 0) out.push(...r, title!, ...l, sub!);
    else if (mode === 1) {
      out.push(sub!, title!);
      for (let i = 0; i < Math.max(l.length, r.length); i++) {
        if (l[i]) out.push(l[i]!);
        if (r[i]) out.push(r[i]!);
      }
    } else out.push(title!, ...r, ...addressLines(ctx), sub!, ...l);
    out.push(...footerLines(ctx));
    return out.join("\n");
  },
};

/** Mainframe-era printout: capitals, dotted leaders, ledger amounts without $, credits marked. */
const legacyCaps: Family = {
  id: "stmt-legacy-caps",
  kind: "statement",
  category: "monthly_statement",
  types: ALL_TYPES,
  split: "train",
  weight: 1.1,
  damage: 0.3,
  prefs: {
    date: ["md-y2-slash", "ddmonyy", "mdy-slash", "mon-dd-yyyy-caps", "dd-mon-yyyy"],
    money: ["plain", "plain-nocomma"],
    rate: ["pct3", "pct4", "pct"],
    mask: ["full-plain", "full-dashed", "x-run"],
  },
  render(ctx) {
    const { rng, f } = ctx;
    const pairs = interleave(ctx, corePairs(ctx), distractorPairs(ctx, 4));
    const lw = rng.int(16, 24);
    const leader = rng.pick([".", " ", "_"]);
    const lines = [
      `${`${rng.pick(["***", "==", ""])} ${f.lender.toUpperCase()} ${rng.pick(["***", "==", ""])}`.trim()}${" ".repeat(rng.int(4, 12))}PAGE 001`,
      `${productTitle(f.type, rng).toUpperCase()}${" ".repeat(rng.int(3, 10))}${rng.pick(["FORM 2201", "RPT LN-114", "CYCLE 07", ""])}`.trimEnd(),
      "-".repeat(rng.int(40, 64)),
    ];
    for (const p of pairs) {
      const label = p.label
        .trim()
        .toUpperCase()
        .replace(/[^A-Z0-9 #/&]/g, "")
        .replace(/PAYMENT/g, rng.chance(0.5) ? "PMT" : "PAYMENT")
        .replace(/BALANCE/g, rng.chance(0.5) ? "BAL" : "BALANCE");
      lines.push(`${label.padEnd(lw, leader)}: ${p.value.toUpperCase()}`);
    }
    if (f.type === "credit_card" && f.card && f.card.payments > 0 && rng.chance(0.6)) {
      lines.push(`${"PAYMENTS/CREDITS".padEnd(lw, leader)}: ${formatLedgerCredit(f.card.payments, rng)}`);
    }
    lines.push("-".repeat(rng.int(40, 64)), rng.pick([`INQUIRIES CALL ${f.phone}`, `END OF STATEMENT`, `*** RETAIN FOR YOUR RECORDS ***`]));
    return lines.join("\n");
  },
};

/** Loan payment history with a running principal balance; the last row is the current balance. */
const loanHistory: Family = {
  id: "stmt-loan-history",
  kind: "statement",
  category: "monthly_statement",
  types: LOAN_TYPES,
  split: "train",
  weight: 1.1,
  damage: 0.15,
  prefs: { money: ["plain", "plain-nocomma", "dollar"], date: ["mdy-slash", "md-y2-slash", "mdy-slash-short", "iso", "abbr"] },
  render(ctx) {
    const { rng, f } = ctx;
    const r = f.rate / 1200;
    const pi = round2(f.payment - f.escrowPortion);
    const n = rng.int(2, 4);
    // Walk back from today's balance so each row's principal reduces the balance shown.
    const rows: { date: string; total: number; principal: number; interest: number; escrow: number; after: number }[] = [];
    let after = f.balance;
    let date = f.lastPaymentDate;
    for (let i = 0; i < n; i++) {
      const interest = f.type === "heloc" ? f.payment : round2(((after + pi) / (1 + r)) * r);
      const principal = f.type === "heloc" ? 0 : round2(pi - interest);
      rows.unshift({ date, total: f.type === "heloc" ? f.payment : f.payment, principal, interest, escrow: f.escrowPortion, after });
      after = round2(after + principal);
      date = formatIsoMonthBack(date);
    }
    const showEscrow = f.type === "mortgage";
    const lines = [...titleLines(ctx)];
    const acct = ctx.show(0.93) ? ctx.account() : null;
    if (acct) lines.push(`${vocab.account(f.type, rng)}: ${acct}`);
    if (ctx.show(0.85)) lines.push(`${vocab.asOf(f.type, rng)}: ${ctx.date("as_of_date", f.asOf)}`);
    lines.push("", rng.pick(["Recent Transactions", "Transaction History", "Account Activity", "PAYMENT HISTORY"]));
    const cols = [
      "Date",
      "Description",
      "Amount",
      "Principal",
      "Interest",
      ...(showEscrow ? ["Escrow"] : []),
      rng.pick(["Principal Balance", "Balance", "Loan Balance"]),
    ];
    lines.push(cols.join(rng.pick(["  ", " | ", "\t"])));
    for (const row of rows) {
      const cells = [
        ctx.d(row.date),
        rng.pick(["Payment", "PAYMENT RECEIVED", "Regular Pmt", "ACH Payment"]),
        ctx.m(row.total),
        ctx.m(row.principal),
        ctx.m(row.interest),
        ...(showEscrow ? [ctx.m(row.escrow)] : []),
        ctx.m(row.after),
      ];
      lines.push(cells.join("  "));
    }
    // The running balance on the last row is the current principal balance.
    ctx.state("current_balance", f.balance);
    if (rng.chance(0.5))
      lines.push(`${rng.pick(["Ending Principal Balance", "Principal Balance after last payment", "Current Principal"])}: ${ctx.m(f.balance)}`);
    lines.push("");
    if (ctx.show(0.92)) lines.push(`${vocab.payment(f.type, rng)}: ${ctx.money("monthly_payment", f.payment)}`);
    if (ctx.show(0.92)) lines.push(`${vocab.due(rng)}: ${ctx.date("next_due_date", f.dueDate)}`);
    if (ctx.show(0.7)) lines.push(`${vocab.rate(f.type, rng)}: ${ctx.rate(f.rate)}`);
    if (f.escrowBalance !== null && ctx.show(0.7)) lines.push(`${vocab.escrow(rng)}: ${ctx.money("escrow_balance", f.escrowBalance)}`);
    lines.push("", ...footerLines(ctx));
    return lines.join("\n");
  },
};

function formatIsoMonthBack(iso: string): string {
  const d = new Date(`${iso}T00:00:00Z`);
  d.setUTCMonth(d.getUTCMonth() - 1);
  return d.toISOString().slice(0, 10);
}

/** Card statement in the familiar summary-box shape, with the interest-charge table. */
const cardSummary: Family = {
  id: "stmt-card-summary",
  kind: "statement",
  category: "monthly_statement",
  types: ["credit_card"],
  split: "train",
  weight: 3,
  damage: 0.12,
  render(ctx) {
    const { rng, f } = ctx;
    const c = f.card!;
    const w = rng.int(30, 40);
    const lines: string[] = [];
    const top = `${f.lender.toUpperCase()}  ${rng.pick(["VISA PLATINUM", "REWARDS MASTERCARD", "CASH BACK CARD", "SIGNATURE VISA", ""])}`.trim();
    lines.push(top);
    const acctForms: [string, "card-groups" | "stars" | "x-run" | "full-plain"][] = [
      ["Account ending in", "full-plain"],
      ["Account Number:", "card-groups"],
      ["Acct", "stars"],
      ["Account #", "x-run"],
    ];
    const [acctLabel, acctMask] = rng.pick(acctForms);
    const acct = ctx.show(0.95) ? `${acctLabel} ${acctMask === "full-plain" ? ctx.account("full-plain").slice(-4) : ctx.account(acctMask)}` : "";
    const close = ctx.show(0.92) ? `${rng.pick(["Closing Date", "Statement Closing Date", "Billing Cycle Closing"])} ${ctx.date("as_of_date", f.asOf)}` : "";
    if (acct || close) lines.push(`${acct}${" ".repeat(rng.int(4, 18))}${close}`.trim());
    if (rng.chance(0.5)) lines.push(`Billing Period: ${ctx.d(c.periodStart)} - ${ctx.d(f.asOf)}`);
    lines.push("");
    lines.push(padLine("Previous Balance", ctx.m(c.previousBalance), w));
    lines.push(padLine(rng.pick(["Payments", "Payments & Credits", "Payments/Credits"]), `-${ctx.m(c.payments)}`, w));
    lines.push(padLine("Purchases", `+${ctx.m(c.purchases)}`, w));
    if (c.cashAdvances > 0) lines.push(padLine("Cash Advances", `+${ctx.m(c.cashAdvances)}`, w));
    if (c.feesCharged > 0) lines.push(padLine("Fees Charged", `+${ctx.m(c.feesCharged)}`, w));
    lines.push(padLine("Interest Charged", `+${ctx.m(c.interestCharged)}`, w));
    if (ctx.show(0.95)) lines.push(padLine(rng.pick(["New Balance", "New Balance Total", "Statement Balance"]), ctx.money("current_balance", f.balance), w));
    lines.push("");
    if (ctx.show(0.95)) lines.push(padLine(vocab.payment("credit_card", rng), ctx.money("monthly_payment", f.payment), w));
    if (f.pastDue > 0 && rng.chance(0.6)) lines.push(padLine("Past Due Amount", ctx.m(f.pastDue), w));
    if (ctx.show(0.95)) lines.push(padLine(vocab.due(rng), ctx.date("next_due_date", f.dueDate), w));
    lines.push(padLine("Credit Limit", ctx.m(c.creditLimit), w));
    if (rng.chance(0.6)) lines.push(padLine("Available Credit", ctx.m(c.availableCredit), w));
    lines.push("");
    if (rng.chance(0.4)) {
      lines.push("Minimum Payment Warning: If you make only the minimum payment each period, you will pay more in");
      lines.push(`interest and it will take you longer to pay off your balance. For example: ${rng.int(3, 30)} years.`);
      lines.push("");
    }
    const rateRows: [string, string][] = [];
    if (ctx.show(0.88)) rateRows.push([rng.pick(["Purchase APR", "Purchases", "Standard Purchase APR"]), ctx.rate(f.rate)]);
    rateRows.push([rng.pick(["Cash Advance APR", "Cash Advances"]), ctx.r(c.cashAdvanceApr)]);
    if (c.promoApr !== null)
      rateRows.push([
        rng.pick(["Balance Transfers (promo)", "Promotional BT APR", "Intro APR - Balance Transfers"]),
        `${ctx.r(c.promoApr)} ${rng.pick(["until", "expires"])} ${ctx.d(c.promoEnds)}`,
      ]);
    if (rng.chance(0.5)) {
      lines.push(rng.pick(["Interest Charge Calculation", "INTEREST CHARGES"]));
      lines.push(`Type of Balance${" ".repeat(8)}APR`);
    }
    for (const [l, v] of rng.shuffle(rateRows)) lines.push(padLine(l, v, w));
    lines.push("", ...footerLines(ctx));
    return lines.join("\n");
  },
};

/** Web page saved as text: headings, bullets and dashes. */
const bulletsHtml: Family = {
  id: "stmt-web-bullets",
  kind: "statement",
  category: "monthly_statement",
  types: ALL_TYPES,
  split: "train",
  weight: 1,
  damage: 0.05,
  render(ctx) {
    const { rng, f } = ctx;
    const bullet = rng.pick(["• ", "- ", "* ", "· ", "> "]);
    const dash = rng.pick([" — ", ": ", " ... ", " | "]);
    const pairs = interleave(ctx, corePairs(ctx), distractorPairs(ctx, 3));
    const lines = [
      rng.pick(["Skip to main content", "Menu  Accounts  Transfers  Help", "Sign out"]),
      f.lender,
      `${rng.pick(["My Accounts", "Account Details", "Overview"])} › ${productNoun(f.type, rng)}`,
      "",
      rng.pick(["## Summary", "Summary", "ACCOUNT OVERVIEW", "Details"]),
    ];
    for (const p of pairs) lines.push(`${bullet}${p.label.trim()}${dash}${p.value}`);
    lines.push("", rng.pick(["Make a payment", "Set up AutoPay", "View statements"]), `© ${f.asOf.slice(0, 4)} ${f.lender}. All rights reserved.`);
    return lines.join("\n");
  },
};

/** Online-banking export: one header row, one data row. */
const csvExport: Family = {
  id: "stmt-csv-export",
  kind: "statement",
  category: "monthly_statement",
  types: ALL_TYPES,
  split: "train",
  weight: 0.8,
  damage: 0,
  prefs: { money: ["plain", "plain-nocomma", "dollar"], date: ["mdy-slash", "iso", "mdy-slash-short"] },
  render(ctx) {
    const { rng, f } = ctx;
    const cols: [string, string][] = [
      ["Institution", f.lender],
      ["Product", productNoun(f.type, rng)],
    ];
    const pairs = interleave(ctx, corePairs(ctx, { breakdown: false, p: { as_of_date: 0.8 } }), distractorPairs(ctx, 3));
    for (const p of pairs) cols.push([p.label.trim(), p.value]);
    const delim = rng.pick([",", ";", "\t", "|"]);
    // Comma-delimited exports quote every field, as spreadsheet tools do; otherwise "2024-11-01,994.80" is ambiguous.
    const q = (s: string) => (delim === "," ? `"${s.replace(/"/g, '""')}"` : s);
    const lines = [rng.pick([`${f.lender} - Account Details Export`, "Exported account data", "account_details.csv"])];
    if (rng.chance(0.5)) {
      lines.push(cols.map(([k]) => q(k)).join(delim), cols.map(([, v]) => q(v)).join(delim));
    } else {
      lines.push(`Field${delim}Value`, ...cols.map(([k, v]) => `${q(k)}${delim}${q(v)}`));
    }
    return lines.join("\n");
  },
};

/** A statement written as a short letter. */
const proseSummary: Family = {
  id: "stmt-prose-letter",
  kind: "statement",
  category: "monthly_statement",
  types: ALL_TYPES,
  split: "train",
  weight: 1,
  damage: 0.08,
  render(ctx) {
    const { rng, f } = ctx;
    const noun = productNoun(f.type, rng);
    const lines = [f.lender, ...(rng.chance(0.5) ? addressLines(ctx) : [])];
    const dated = ctx.show(0.85);
    if (dated) lines.push("", ctx.date("as_of_date", f.asOf));
    lines.push("", `Dear ${f.borrower.split(" ")[0]},`, "");
    const s: string[] = [];
    const acct = ctx.show(0.9) ? ` (${rng.pick(["account", "loan", "account number"])} ${ctx.account()})` : "";
    s.push(`Here is ${dated ? "the" : "your"} ${rng.pick(["monthly summary", "statement summary", "account update"])} for your ${noun}${acct}.`);
    if (ctx.show(0.95))
      s.push(
        rng.pick([
          `Your ${f.type === "credit_card" ? "statement balance" : "principal balance"} is ${ctx.money("current_balance", f.balance)}.`,
          `The ${f.type === "credit_card" ? "new balance" : "outstanding principal"} on the account is ${ctx.money("current_balance", f.balance)}${dated ? " as of the date of this letter" : ""}.`,
        ]),
      );
    if (ctx.show(0.9)) {
      const what =
        f.type === "credit_card" || f.type === "heloc" ? "minimum payment" : rng.pick(["regular monthly payment", "monthly payment", "scheduled payment"]);
      const due = ctx.show(0.9) ? ` is due on ${ctx.date("next_due_date", f.dueDate)}` : " will be drafted as usual";
      s.push(`Your ${what} of ${ctx.money("monthly_payment", f.payment)}${due}.`);
      if (f.pastDue > 0)
        s.push(`Our records also show ${ctx.m(f.pastDue)} past due; including late charges, ${ctx.m(f.totalDue)} is needed to bring the account current.`);
    }
    if (ctx.show(0.7)) s.push(`The ${f.type === "credit_card" ? "APR for purchases" : "interest rate"} on your account is ${ctx.rate(f.rate)}.`);
    if (f.escrowBalance !== null && ctx.show(0.6)) s.push(`Your escrow account holds ${ctx.money("escrow_balance", f.escrowBalance)} for taxes and insurance.`);
    const d = distractorPairs(ctx, 2);
    for (const p of d) s.push(`${p.label.trim()}: ${p.value}.`);
    lines.push(...wrap(s.join(" "), rng.int(64, 90)));
    lines.push(
      "",
      rng.pick(["Sincerely,", "Thank you,", "Regards,"]),
      `${f.lender} ${rng.pick(["Customer Care", "Loan Servicing", "Member Services"])}`,
      ...footerLines(ctx),
    );
    return lines.join("\n");
  },
};

export function wrap(text: string, width: number): string[] {
  const out: string[] = [];
  let line = "";
  for (const word of text.split(/\s+/)) {
    if (line && line.length + 1 + word.length > width) {
      out.push(line);
      line = word;
    } else line = line ? `${line} ${word}` : word;
  }
  if (line) out.push(line);
  return out;
}

/** Phone-app screenshot run through OCR: each label and value on its own line. */
const mobileNarrow: Family = {
  id: "stmt-mobile-narrow",
  kind: "statement",
  category: "monthly_statement",
  types: ALL_TYPES,
  split: "validation",
  weight: 1,
  damage: 0.2,
  prefs: { date: ["abbr", "long", "mdy-slash", "abbr-dot"], mask: ["dots", "star-single", "stars"] },
  render(ctx) {
    const { rng, f } = ctx;
    const lines = [`${rng.pick(["9:41", "10:02 AM", "4:17"])}  ${rng.pick(["LTE", "5G", "Wi-Fi"])}  ${rng.int(12, 99)}%`, "<", f.lender];
    if (ctx.show(0.9)) lines.push(`${productNoun(f.type, rng)} ${ctx.account(rng.pick(["dots", "star-single", "stars"]))}`);
    else lines.push(productNoun(f.type, rng));
    const pairs = interleave(ctx, corePairs(ctx, { breakdown: false, p: { account_last4: 0 } }), distractorPairs(ctx, 2));
    for (const p of pairs) {
      lines.push(p.label.trim());
      lines.push(p.value);
    }
    lines.push(rng.pick(["Pay now", "Make a payment >", "Activity   Statements   Pay"]));
    return lines.join("\n");
  },
};

/** E-mail telling the customer a statement is ready, with the key figures inline. */
const ebillEmail: Family = {
  id: "stmt-ebill-email",
  kind: "statement",
  category: "monthly_statement",
  types: ALL_TYPES,
  split: "validation",
  weight: 1,
  damage: 0,
  render(ctx) {
    const { rng, f } = ctx;
    const noun = productNoun(f.type, rng);
    const lines = [
      `From: ${f.lender} <${rng.pick(["alerts", "noreply", "statements"])}@${f.lender
        .toLowerCase()
        .replace(/[^a-z]/g, "")
        .slice(0, 14)}.example>`,
      `Subject: ${rng.pick(["Your statement is ready", `Your ${noun} statement is available`, "New eStatement available"])}`,
      "",
      `Hi ${f.borrower.split(" ")[0]},`,
      "",
    ];
    const acct = ctx.show(0.9) ? ` ending in ${ctx.account("full-plain").slice(-4)}` : "";
    const when = ctx.show(0.8) ? ` dated ${ctx.date("as_of_date", f.asOf)}` : "";
    lines.push(...wrap(`Your latest statement${when} for your ${noun}${acct} is now available online.`, 76));
    lines.push("");
    if (ctx.show(0.95))
      lines.push(
        `${f.type === "credit_card" ? rng.pick(["Statement balance", "New balance"]) : rng.pick(["Principal balance", "Current principal", "Balance"])}: ${ctx.money("current_balance", f.balance)}`,
      );
    if (ctx.show(0.95)) {
      const due = ctx.show(0.95) ? ` due ${ctx.date("next_due_date", f.dueDate)}` : "";
      lines.push(`${f.type === "credit_card" || f.type === "heloc" ? "Minimum payment" : "Payment amount"}: ${ctx.money("monthly_payment", f.payment)}${due}`);
    }
    if (ctx.show(0.5)) lines.push(`${vocab.rate(f.type, rng)}: ${ctx.rate(f.rate)}`);
    if (f.escrowBalance !== null && ctx.show(0.4)) lines.push(`Escrow balance: ${ctx.money("escrow_balance", f.escrowBalance)}`);
    for (const p of distractorPairs(ctx, 2)) lines.push(`${p.label.trim()}: ${p.value}`);
    lines.push(
      "",
      `This is an automated message from ${f.lender}. Please do not reply.`,
      rng.pick([`Questions? ${f.phone}`, "Manage your alert preferences in online banking."]),
    );
    return lines.join("\n");
  },
};

/** A table saved as Markdown or text grid (pipes and dashes). */
const pipeTable: Family = {
  id: "stmt-pipe-table",
  kind: "statement",
  category: "monthly_statement",
  types: ALL_TYPES,
  split: "test",
  weight: 1,
  damage: 0.1,
  render(ctx) {
    const { rng, f } = ctx;
    const pairs = interleave(ctx, corePairs(ctx), distractorPairs(ctx, 4));
    const lines = [`# ${f.lender}`, `**${productTitle(f.type, rng)}**`, ""];
    const lw = Math.max(...pairs.map((p) => p.label.trim().length), 4);
    const vw = Math.max(...pairs.map((p) => p.value.length), 5);
    if (rng.chance(0.5)) {
      lines.push(`| ${"Item".padEnd(lw)} | ${"Value".padEnd(vw)} |`, `|${"-".repeat(lw + 2)}|${"-".repeat(vw + 2)}|`);
      for (const p of pairs) lines.push(`| ${p.label.trim().padEnd(lw)} | ${p.value.padEnd(vw)} |`);
    } else {
      const border = `+${"-".repeat(lw + 2)}+${"-".repeat(vw + 2)}+`;
      lines.push(border);
      for (const p of pairs) lines.push(`| ${p.label.trim().padEnd(lw)} | ${p.value.padStart(vw)} |`, border);
    }
    lines.push("", ...footerLines(ctx));
    return lines.join("\n");
  },
};

/** Statement with the tear-off payment coupon and its scan line at the bottom. */
const coupon: Family = {
  id: "stmt-with-coupon",
  kind: "statement",
  category: "monthly_statement",
  types: ALL_TYPES,
  split: "test",
  weight: 1,
  damage: 0.15,
  render(ctx) {
    const { rng, f } = ctx;
    const w = rng.int(38, 50);
    const lines = [...titleLines(ctx)];
    const core = corePairs(ctx);
    for (const p of interleave(ctx, core, distractorPairs(ctx, 3))) lines.push(padLine(p.label.trim(), p.value, w));
    lines.push(
      "",
      rng.pick([
        "- - - - - - - - - - - - - - - - - - - - detach here - - - - - - - - - -",
        "✂-------------------------------------------------",
        "PLEASE DETACH AND RETURN THIS PORTION WITH YOUR PAYMENT",
      ]),
    );
    lines.push(f.lender.toUpperCase());
    lines.push(`${rng.pick(["Account Number", "Acct #", "Loan No."])} ${formatAccountFull(f.accountNumber)}`);
    ctx.state("account_last4", f.accountNumber.slice(-4));
    // The coupon's amount is the regular payment unless something is past due; a total
    // that includes arrears is never the only payment figure, so it cannot be mistaken for one.
    const amountDue = f.pastDue > 0 && f.type !== "credit_card" ? f.totalDue : f.payment;
    if (amountDue === f.payment) ctx.state("monthly_payment", f.payment);
    if (amountDue === f.payment || ctx.isStated("monthly_payment")) {
      lines.push(`${rng.pick(["AMOUNT DUE", "Total Amount Due", "Payment Due"])}  ${formatMoney(amountDue, "dollar")}`);
    }
    if (ctx.isStated("next_due_date")) lines.push(`DUE DATE  ${formatDate(f.dueDate, "mdy-slash")}`);
    lines.push(`AMOUNT ENCLOSED  $__________`, "", ...addressLines(ctx));
    lines.push("", `${f.accountNumber}${rng.digits(2)} ${String(Math.round(amountDue * 100)).padStart(9, "0")} ${rng.digits(1)}`);
    return lines.join("\n");
  },
};

function formatAccountFull(n: string): string {
  return n;
}

/**
 * PDF table extracted without layout: all labels in a block, then all values in the
 * same order. The reader must pair them up by position.
 */
const labelsThenValues: Family = {
  id: "stmt-labels-then-values",
  kind: "statement",
  category: "monthly_statement",
  types: ALL_TYPES,
  split: "test",
  weight: 1,
  damage: 0.1,
  render(ctx) {
    const { rng } = ctx;
    const pairs = corePairs(ctx, { breakdown: false });
    const extra = distractorPairs(ctx, 2);
    const [title, sub] = titleLines(ctx);
    const block = interleave(ctx, pairs, extra);
    const lines = [title!, sub!, "", ...block.map((p) => p.label.trim()), "", ...block.map((p) => p.value), "", ...footerLines(ctx)];
    if (rng.chance(0.3)) lines.splice(3, 0, productSentence(ctx));
    return lines.join("\n");
  },
};

/**
 * Combined relationship statement: deposit accounts with their own balances, rates and
 * masked numbers printed above the one liability, which is the only thing to extract.
 */
const relationship: Family = {
  id: "stmt-relationship-combined",
  kind: "statement",
  category: "monthly_statement",
  types: ALL_TYPES,
  split: "train",
  weight: 1.1,
  damage: 0.12,
  render(ctx) {
    const { rng, f } = ctx;
    const w = rng.int(40, 54);
    const lines = [f.lender, rng.pick(["Relationship Statement", "Combined Statement", "Your Accounts at a Glance", "Consolidated Account Summary"])];
    if (ctx.show(0.85)) lines.push(`${rng.pick(["Statement Date", "Statement Closing Date", "As of"])}: ${ctx.date("as_of_date", f.asOf)}`);
    lines.push("", ...addressLines(ctx), "");
    const deposits = rng.int(1, 3);
    for (let i = 0; i < deposits; i++) {
      const name = rng.pick(["Everyday Checking", "Premier Checking", "Statement Savings", "Money Market", "Share Savings", "12-Month CD"]);
      const bal = Math.round(rng.float(50, 60000) * 100) / 100;
      lines.push(`${name} ${rng.pick(["****", "xxxx", "...", "ending "])}${i === 0 ? f.checkingLast4 : rng.digits(4)}`);
      if (rng.chance(0.6)) lines.push(padLine("  Beginning Balance", ctx.m(Math.round(bal * rng.float(0.7, 1.3) * 100) / 100), w));
      lines.push(padLine(rng.pick(["  Ending Balance", "  Available Balance", "  Ledger Balance"]), ctx.m(bal), w));
      if (/Savings|Market|CD/.test(name))
        lines.push(padLine(rng.pick(["  Annual Percentage Yield Earned", "  APY", "  Dividend Rate"]), ctx.r(rng.float(0.05, 4.8, 2)), w));
      lines.push("");
    }
    const acct = ctx.show(0.9) ? ` ${ctx.account(rng.pick(["stars", "x-run", "dots", "ending-in"]))}` : "";
    lines.push(`${productTitle(f.type, rng).replace(/ ?Statement/i, "") || productNoun(f.type, rng)}${acct}`);
    for (const p of interleave(ctx, corePairs(ctx, { p: { account_last4: 0, as_of_date: 0 } }), distractorPairs(ctx, 2))) {
      lines.push(padLine(`  ${p.label.trim()}`, p.value, w));
    }
    lines.push("", ...footerLines(ctx));
    return lines.join("\n");
  },
};

export const statementFamilies: Family[] = [
  relationship,
  kvAligned,
  sectionsColon,
  sideBySide,
  twoColFlattened,
  legacyCaps,
  loanHistory,
  cardSummary,
  bulletsHtml,
  csvExport,
  proseSummary,
  mobileNarrow,
  ebillEmail,
  pipeTable,
  coupon,
  labelsThenValues,
];
