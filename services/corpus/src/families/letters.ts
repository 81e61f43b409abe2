import type { RenderContext } from "../context.ts";
import { addressLines, distractorPairs, footerLines, propertyLine } from "../blocks.ts";
import { addDays, addMonths, daysBetween, padLine } from "../format.ts";
import { round2 } from "../facts.ts";
import { productNoun, vocab } from "../vocab.ts";
import { wrap } from "./statements.ts";
import { ALL_TYPES, LOAN_TYPES } from "./types.ts";
import type { Family } from "./types.ts";

/*
 * Letters and notices: payoff quotes, escrow analyses, servicing notices and annual
 * summaries. Their traps are dates that are not the due date, totals that are not the
 * regular payment, and old figures printed next to new ones.
 */

function payoffItems(ctx: RenderContext, withRate: boolean): [string, string][] {
  const { f, rng } = ctx;
  const q = f.payoff;
  const days = daysBetween(q.interestFrom, q.goodThrough);
  const rows: [string, string][] = [];
  rows.push([
    rng.pick(["Unpaid Principal Balance", "Principal Balance", "Current Principal", "Outstanding Principal"]),
    ctx.money("current_balance", q.principal),
  ]);
  const rateText = withRate ? ` at ${ctx.rate(f.rate)}` : "";
  rows.push([`Interest from ${ctx.d(q.interestFrom)} to ${ctx.d(q.goodThrough)}${rateText} (${days} days)`, ctx.m(q.accruedInterest)]);
  for (const [label, amount] of q.fees) rows.push([label, ctx.m(amount)]);
  return rows;
}

function wireBlock(ctx: RenderContext): string[] {
  const { f, rng } = ctx;
  return [
    rng.pick(["Wire Instructions:", "WIRING INSTRUCTIONS", "Remit funds by wire to:"]),
    `  Bank: ${f.lender}`,
    `  ABA Routing No.: ${f.routing}`,
    `  ${rng.pick(["Account No.", "Credit Account", "Payoff Clearing Account"])}: ${rng.digits(rng.int(9, 12))}`,
    `  Reference: ${rng.pick(["Loan number and borrower name", "Payoff - include loan number", "Borrower name"])}`,
  ];
}

const payoffLetter: Family = {
  id: "payoff-letter-itemized",
  kind: "statement",
  category: "payoff_letter",
  types: LOAN_TYPES,
  split: "train",
  weight: 1.6,
  damage: 0.12,
  render(ctx) {
    const { f, rng } = ctx;
    const q = f.payoff;
    const w = rng.int(58, 72);
    const lines = [f.lender, `${rng.pick(["Payoff Department", "Loan Servicing", "Payoff Processing Center"])} · ${f.phone}`, ""];
    if (ctx.show(0.92)) lines.push(ctx.date("as_of_date", f.asOf), "");
    lines.push(...addressLines(ctx), "");
    lines.push(`RE: ${rng.pick(["Payoff Statement", "Payoff Quote", "Request for Payoff", "Loan Payoff Figures"])}`);
    if (ctx.show(0.95)) lines.push(`    ${vocab.account(f.type, rng)}: ${ctx.account()}`);
    const prop = propertyLine(ctx);
    if (prop) lines.push(`    ${prop}`);
    lines.push("");
    lines.push(
      ...wrap(
        `As requested, here are the figures to pay off your ${productNoun(f.type, rng)} in full. ${rng.pick(["These figures are", "This quote is", "The amount below is"])} good through ${ctx.date("payoff_good_through", q.goodThrough)}.`,
        76,
      ),
    );
    lines.push("");
    for (const [l, v] of payoffItems(ctx, ctx.show(0.6))) lines.push(padLine(l, v, w));
    lines.push(padLine(vocab.payoff(rng).toUpperCase(), ctx.money("payoff_amount", q.amount), w));
    lines.push("");
    lines.push(
      ...wrap(`If funds are received after ${ctx.d(q.goodThrough)}, add ${ctx.m(q.perDiem)} per day${rng.chance(0.5) ? " (per diem interest)" : ""}.`, 76),
    );
    if (f.escrowBalance !== null && ctx.show(0.5))
      lines.push(
        ...wrap(
          `Any balance remaining in your escrow account (currently ${ctx.money("escrow_balance", f.escrowBalance)}) will be refunded after the loan is paid in full.`,
          76,
        ),
      );
    if (ctx.show(0.3))
      lines.push(
        ...wrap(
          `Please continue to make your regular monthly payment of ${ctx.money("monthly_payment", f.payment)} until the payoff is received${ctx.show(0.5) ? `; the next one is due ${ctx.date("next_due_date", f.dueDate)}` : ""}.`,
          76,
        ),
      );
    if (rng.chance(0.6)) lines.push("", ...wireBlock(ctx));
    lines.push("", ...footerLines(ctx));
    return lines.join("\n");
  },
};

const payoffTable: Family = {
  id: "payoff-quote-table",
  kind: "statement",
  category: "payoff_letter",
  types: LOAN_TYPES,
  split: "train",
  weight: 1.6,
  damage: 0.12,
  render(ctx) {
    const { f, rng } = ctx;
    const q = f.payoff;
    const lines = [`${f.lender.toUpperCase()}`, rng.pick(["PAYOFF QUOTE", "Payoff Statement", "Statement of Amount Required to Pay in Full"]), ""];
    const head: [string, string][] = [];
    if (ctx.show(0.9)) head.push([rng.pick(["Quote Date", "Date Prepared", "Date Issued", "As Of"]), ctx.date("as_of_date", f.asOf)]);
    head.push([vocab.goodThrough(rng), ctx.date("payoff_good_through", q.goodThrough)]);
    if (ctx.show(0.95)) head.push([vocab.account(f.type, rng), ctx.account()]);
    head.push(["Borrower", f.borrower]);
    head.push([rng.pick(["Loan Type", "Product"]), productNoun(f.type, rng)]);
    if (ctx.show(0.5)) head.push([vocab.rate(f.type, rng), ctx.rate(f.rate)]);
    const sep = rng.pick([" | ", "   ", "\t"]);
    if (rng.chance(0.5)) {
      lines.push(head.map(([k]) => k).join(sep), head.map(([, v]) => v).join(sep));
    } else for (const [k, v] of head) lines.push(`${k}: ${v}`);
    lines.push("", `${rng.pick(["Description", "Item"]) + sep}Amount`);
    for (const [l, v] of payoffItems(ctx, false)) lines.push(`${l}${sep}${v}`);
    lines.push(`${rng.pick(["Total", "TOTAL PAYOFF", "Total Amount Due"])}${sep}${ctx.money("payoff_amount", q.amount)}`);
    lines.push("", `${rng.pick(["Per Diem", "Daily Interest", "Per diem interest"])}: ${ctx.m(q.perDiem)}`);
    if (f.type === "auto_loan" && rng.chance(0.6))
      lines.push(`Title will be released to: ${f.borrower}. Vehicle: ${f.vehicle!.description}, VIN ${f.vehicle!.vin}`);
    for (const p of distractorPairs(ctx, 2)) lines.push(`${p.label.trim()}: ${p.value}`);
    lines.push("", ...footerLines(ctx));
    return lines.join("\n");
  },
};

/** Fax cover page plus an all-capitals payoff quote, as title companies receive them. */
const payoffFax: Family = {
  id: "payoff-fax-caps",
  kind: "statement",
  category: "payoff_letter",
  types: LOAN_TYPES,
  split: "test",
  weight: 1,
  damage: 0.35,
  prefs: { date: ["md-y2-slash", "mdy-slash", "ddmonyy", "mon-dd-yyyy-caps"], money: ["plain", "dollar", "plain-nocomma"] },
  render(ctx) {
    const { f, rng } = ctx;
    const q = f.payoff;
    const lines = [
      `FAX  ${rng.pick(["FROM", "SENT BY"])}: ${f.lender.toUpperCase()} PAYOFF DEPT   ${f.phone2}`,
      `TO: ${rng.pick(["ESCROW OFFICER", "TITLE DEPT", "CLOSING AGENT"])} - ${rng.pick(["SUMMIT TITLE & ESCROW", "KEYSTONE CLOSING SERVICES", "HARBOR ABSTRACT CO", "ACME SETTLEMENT"])}`,
      `PAGES: ${rng.int(2, 4)} (INCLUDING COVER)    CONFIRMATION: ${f.confirmation}`,
      "=".repeat(rng.int(40, 60)),
    ];
    if (ctx.show(0.9)) lines.push(`DATE PREPARED: ${ctx.date("as_of_date", f.asOf).toUpperCase()}`);
    lines.push(`BORROWER: ${f.borrower.toUpperCase()}`, `LOAN TYPE: ${productNoun(f.type, rng).toUpperCase()}`);
    if (ctx.show(0.95)) lines.push(`LOAN NO: ${ctx.account(rng.pick(["full-plain", "full-dashed"]))}`);
    lines.push(`${rng.pick(["PAYOFF GOOD THROUGH", "GOOD THRU", "QUOTE VALID THRU"])}: ${ctx.date("payoff_good_through", q.goodThrough).toUpperCase()}`, "");
    const w = rng.int(40, 56);
    for (const [l, v] of payoffItems(ctx, ctx.show(0.5))) lines.push(padLine(l.toUpperCase(), v.toUpperCase(), w));
    lines.push(padLine("TOTAL AMOUNT TO PAY IN FULL", ctx.money("payoff_amount", q.amount), w));
    lines.push(padLine("PER DIEM", ctx.m(q.perDiem), w));
    lines.push("", "FIGURES SUBJECT TO FINAL VERIFICATION BY NOTEHOLDER.", `FUNDS RECEIVED AFTER 2PM WILL BE PROCESSED NEXT BUSINESS DAY.`);
    return lines.join("\n");
  },
};

const payoffShort: Family = {
  id: "payoff-kv-short",
  kind: "statement",
  category: "payoff_letter",
  types: LOAN_TYPES,
  split: "validation",
  weight: 1,
  damage: 0.1,
  render(ctx) {
    const { f, rng } = ctx;
    const q = f.payoff;
    const lines = [`${f.lender} — ${rng.pick(["Payoff Quote", "10-Day Payoff", "Payoff Letter"])}`];
    if (ctx.show(0.9)) lines.push(`${rng.pick(["Issued", "Date"])}: ${ctx.date("as_of_date", f.asOf)}`);
    if (ctx.show(0.95)) lines.push(`${vocab.account(f.type, rng)}: ${ctx.account()}`);
    lines.push(`${vocab.payoff(rng)}: ${ctx.money("payoff_amount", q.amount)}`);
    lines.push(`${vocab.goodThrough(rng)}: ${ctx.date("payoff_good_through", q.goodThrough)}`);
    if (ctx.show(0.6)) lines.push(`${rng.pick(["Principal", "Principal balance"])}: ${ctx.money("current_balance", q.principal)}`);
    lines.push(`${rng.pick(["Per diem", "Daily interest"])}: ${ctx.m(q.perDiem)}`);
    if (ctx.show(0.4)) lines.push(`${vocab.rate(f.type, rng)}: ${ctx.rate(f.rate)}`);
    lines.push(`Make checks payable to ${f.lender}. ${productNoun(f.type, rng)} payoff.`);
    return lines.join("\n");
  },
};

// ---------------------------------------------------------------- escrow analyses (mortgage only)

function escrowHeader(ctx: RenderContext): string[] {
  const { f, rng } = ctx;
  const lines = [
    f.lender,
    rng.pick(["Annual Escrow Account Disclosure Statement", "Escrow Account Analysis", "ESCROW ANALYSIS STATEMENT", "Annual Escrow Review"]),
  ];
  if (ctx.show(0.9)) lines.push(`${rng.pick(["Analysis Date", "Statement Date", "Date"])}: ${ctx.date("as_of_date", f.asOf)}`);
  if (ctx.show(0.95)) lines.push(`${rng.pick(["Loan Number", "Loan #", "Account Number"])}: ${ctx.account()}`);
  if (rng.chance(0.6)) lines.push(`Property: ${f.property.line1}, ${f.property.city}, ${f.property.state}`);
  return lines;
}

const escrowTable: Family = {
  id: "escrow-analysis-table",
  kind: "statement",
  category: "escrow_analysis",
  types: ["mortgage"],
  split: "train",
  weight: 3.5,
  damage: 0.12,
  render(ctx) {
    const { f, rng } = ctx;
    const e = f.escrow!;
    const w = rng.int(44, 58);
    const lines = [...escrowHeader(ctx), ""];
    lines.push(
      padLine(rng.pick(["Current Escrow Balance", "Escrow Balance as of Analysis", "Actual Escrow Balance"]), ctx.money("escrow_balance", f.escrowBalance!), w),
    );
    lines.push("", rng.pick(["Anticipated Disbursements", "Projected Annual Disbursements"]));
    lines.push(padLine(`  ${e.taxAuthority}`, ctx.m(e.taxesAnnual), w));
    lines.push(padLine(`  ${e.insurer}`, ctx.m(e.insuranceAnnual), w));
    lines.push(padLine("  Total", ctx.m(round2(e.taxesAnnual + e.insuranceAnnual)), w));
    lines.push("");
    lines.push(padLine(rng.pick(["Required Minimum Balance (cushion)", "Allowable Cushion"]), ctx.m(e.cushion), w));
    lines.push(padLine("Projected Low Point", ctx.m(e.projectedLow), w));
    lines.push(padLine(e.shortage > 0 ? "Escrow Shortage" : "Escrow Surplus", ctx.m(e.shortage), w));
    lines.push("", rng.pick(["New Payment Calculation", "YOUR NEW PAYMENT"]));
    lines.push(padLine("  Principal & Interest", ctx.m(round2(f.payment - e.monthly)), w));
    lines.push(padLine("  Escrow Payment", ctx.m(e.monthly), w));
    lines.push(padLine(rng.pick(["New Monthly Payment", "New Total Payment"]), ctx.money("monthly_payment", f.payment), w));
    lines.push(padLine(rng.pick(["Previous Monthly Payment", "Prior Payment"]), ctx.m(e.oldPayment), w));
    if (ctx.show(0.7)) lines.push(`Your new payment is effective with the payment due ${ctx.date("next_due_date", f.dueDate)}.`);
    if (ctx.show(0.3)) lines.push(padLine(vocab.balance("mortgage", rng), ctx.money("current_balance", f.balance), w));
    lines.push("", ...footerLines(ctx));
    return lines.join("\n");
  },
};

const escrowLetter: Family = {
  id: "escrow-analysis-letter",
  kind: "statement",
  category: "escrow_analysis",
  types: ["mortgage"],
  split: "test",
  weight: 3.5,
  damage: 0.1,
  render(ctx) {
    const { f, rng } = ctx;
    const e = f.escrow!;
    const lines = [...escrowHeader(ctx), "", `Dear ${f.borrower},`, ""];
    const s: string[] = [];
    s.push(
      `Each year we review your escrow account to make sure there is enough to pay your property taxes to ${e.taxAuthority} and your homeowners insurance with ${e.insurer}.`,
    );
    s.push(
      `Your escrow account balance is ${ctx.money("escrow_balance", f.escrowBalance!)}, and we expect to pay ${ctx.m(round2(e.taxesAnnual + e.insuranceAnnual))} over the next twelve months.`,
    );
    if (e.shortage > 0)
      s.push(
        `Because the projected low point of ${ctx.m(e.projectedLow)} is below the required cushion of ${ctx.m(e.cushion)}, your account has a shortage of ${ctx.m(e.shortage)}.`,
      );
    else s.push(`Your account is projected to stay above the required cushion of ${ctx.m(e.cushion)}.`);
    s.push(
      `Your monthly payment changes from ${ctx.m(e.oldPayment)} to ${ctx.money("monthly_payment", f.payment)}${ctx.show(0.7) ? `, starting with the payment due ${ctx.date("next_due_date", f.dueDate)}` : ""}.`,
    );
    if (ctx.show(0.4)) s.push(`Your principal balance is ${ctx.money("current_balance", f.balance)} and your interest rate remains ${ctx.rate(f.rate)}.`);
    lines.push(...wrap(s.join(" "), rng.int(66, 88)), "", ...footerLines(ctx));
    return lines.join("\n");
  },
};

/** Month-by-month projection: many balances, only the starting one is today's escrow balance. */
const escrowProjection: Family = {
  id: "escrow-projection-history",
  kind: "statement",
  category: "escrow_analysis",
  types: ["mortgage"],
  split: "validation",
  weight: 3.5,
  damage: 0.12,
  prefs: { money: ["plain", "dollar", "plain-nocomma"] },
  render(ctx) {
    const { f, rng } = ctx;
    const e = f.escrow!;
    const lines = [...escrowHeader(ctx), "", "Projected Escrow Activity for the Coming Year"];
    lines.push(["Month", "Pmt to Escrow", "Disbursement", "Description", "Projected Bal"].join("  "));
    let bal = f.escrowBalance!;
    lines.push(`${rng.pick(["Starting Balance", "Beginning Escrow Balance", "Escrow Balance Today"])}${" ".repeat(34)}${ctx.money("escrow_balance", bal)}`);
    const taxMonth = rng.int(1, 5);
    const insMonth = rng.int(6, 11);
    let month = f.dueDate;
    const rows = rng.int(5, 7);
    for (let i = 0; i < rows; i++) {
      let out = 0;
      let desc = "";
      if (i === taxMonth) {
        out = round2(e.taxesAnnual / 2);
        desc = "County Tax";
      }
      if (i === insMonth % rows) {
        out = e.insuranceAnnual;
        desc = "Hazard Ins";
      }
      bal = round2(bal + e.monthly - out);
      lines.push(
        [ctx.d(month).padEnd(12), ctx.m(e.monthly).padStart(10), (out ? ctx.m(out) : "").padStart(12), desc.padEnd(11), ctx.m(bal).padStart(12)].join("  "),
      );
      month = addMonths(month, 1);
    }
    lines.push("...", "");
    lines.push(
      `New monthly payment: ${ctx.money("monthly_payment", f.payment)} (escrow portion ${ctx.m(e.monthly)}); previous payment ${ctx.m(e.oldPayment)}.`,
    );
    if (ctx.show(0.6)) lines.push(`Next payment due: ${ctx.date("next_due_date", f.dueDate)}`);
    lines.push(...footerLines(ctx));
    return lines.join("\n");
  },
};

// ---------------------------------------------------------------- servicing notices

function noticeHead(ctx: RenderContext, title: string, dated: string = ctx.f.asOf): string[] {
  const { f, rng } = ctx;
  const lines = [rng.chance(0.5) ? f.lender.toUpperCase() : f.lender, title];
  if (ctx.show(0.9)) lines.push(`${rng.pick(["Date", "Notice Date", "Date of Notice", ""])}${rng.pick([": ", " "])}${ctx.date("as_of_date", dated)}`.trim());
  lines.push("", ...addressLines(ctx), "");
  if (ctx.show(0.93)) lines.push(`${vocab.account(f.type, rng)}: ${ctx.account()}`);
  return lines;
}

const pastDueNotice: Family = {
  id: "notice-past-due",
  kind: "statement",
  category: "servicing_notice",
  types: ALL_TYPES,
  split: "train",
  weight: 1,
  damage: 0.1,
  render(ctx) {
    const { f, rng } = ctx;
    const pastDue = f.pastDue > 0 ? f.pastDue : f.payment;
    const lateFee = f.lateFee > 0 ? f.lateFee : round2(Math.max(15, f.payment * 0.05));
    const missedDue = addMonths(f.dueDate, -1);
    const lines = noticeHead(ctx, rng.pick(["NOTICE OF PAST DUE PAYMENT", "Payment Reminder", "Your account is past due", "DELINQUENCY NOTICE"]));
    const s: string[] = [];
    s.push(`We have not received the payment of ${ctx.m(pastDue)} that was due on ${ctx.d(missedDue)} for your ${productNoun(f.type, rng)}.`);
    s.push(`A late charge of ${ctx.m(lateFee)} has been assessed.`);
    s.push(
      `To bring your account current, please pay ${ctx.m(round2(pastDue + lateFee))} ${rng.pick(["as soon as possible", "immediately", "within 10 days"])}.`,
    );
    if (ctx.show(0.8)) {
      const pay = f.type === "credit_card" || f.type === "heloc" ? "minimum payment" : "regular monthly payment";
      s.push(
        `Your next ${pay} of ${ctx.money("monthly_payment", f.payment)} is due ${ctx.show(0.9) ? `on ${ctx.date("next_due_date", f.dueDate)}` : "as scheduled"}.`,
      );
    }
    if (ctx.show(0.5)) s.push(`Your ${f.type === "credit_card" ? "current balance" : "principal balance"} is ${ctx.money("current_balance", f.balance)}.`);
    lines.push(...wrap(s.join(" "), rng.int(64, 88)));
    lines.push("", `If you have already sent your payment, please disregard this notice. Call ${f.phone} to discuss payment options.`);
    return lines.join("\n");
  },
};

const welcomeLetter: Family = {
  id: "notice-welcome",
  kind: "statement",
  category: "servicing_notice",
  types: ["mortgage", "auto_loan", "student_loan", "personal_loan"],
  split: "train",
  weight: 1,
  damage: 0.08,
  render(ctx) {
    const { f, rng } = ctx;
    // A new loan, written days after closing: nothing repaid yet, so the balance is the
    // amount financed and the first payment is the next one due.
    const closed = addDays(f.asOf, -rng.int(3, 12));
    const lines = noticeHead(ctx, rng.pick([`Welcome to ${f.lender}`, "Welcome Letter", "Your new loan"]));
    lines.push("", `Thank you for choosing ${f.lender} for your ${productNoun(f.type, rng)}. Here are the key details:`, "");
    const w = rng.int(36, 50);
    lines.push(padLine(rng.pick(["Loan Amount", "Amount Financed", "Principal Amount"]), ctx.money("current_balance", f.originalPrincipal), w));
    if (ctx.show(0.9)) lines.push(padLine(vocab.rate(f.type, rng), ctx.rate(f.rate), w));
    lines.push(padLine("Term", `${f.termMonths} months`, w));
    const first = f.dueDate;
    if (ctx.show(0.95))
      lines.push(
        padLine(
          rng.pick(["Monthly Payment", "Payment Amount", f.type === "heloc" ? "Minimum Payment" : "Installment"]),
          ctx.money("monthly_payment", f.payment),
          w,
        ),
      );
    if (ctx.show(0.9))
      lines.push(padLine(rng.pick(["First Payment Due", "First Payment Date", "Your first payment is due"]), ctx.date("next_due_date", first), w));
    lines.push(padLine("Maturity Date", ctx.d(addMonths(first, f.termMonths - 1)), w));
    lines.push(padLine(rng.pick(["Loan Date", "Origination Date", "Note Date"]), ctx.d(closed), w));
    if (f.type === "auto_loan") lines.push(padLine("Dealer", f.vehicle!.dealer, w));
    lines.push("", ...footerLines(ctx));
    return lines.join("\n");
  },
};

const rateChange: Family = {
  id: "notice-rate-change",
  kind: "statement",
  category: "servicing_notice",
  types: ["mortgage", "heloc", "credit_card", "personal_loan", "student_loan"],
  split: "validation",
  weight: 1,
  damage: 0.08,
  render(ctx) {
    const { f, rng } = ctx;
    // The change already took effect, so the new rate is the current one.
    const oldRate = Number(Math.max(0.5, f.rate + rng.pick([-1, -0.5, -0.25, 0.25, 0.5, 0.75])).toFixed(3));
    const effective = addDays(f.asOf, -rng.int(1, 20));
    const lines = noticeHead(ctx, rng.pick(["Interest Rate Change Notice", "Notice of Rate Adjustment", "Important: Your rate has changed"]));
    const s: string[] = [];
    s.push(`Effective ${ctx.d(effective)}, the interest rate on your ${productNoun(f.type, rng)} changed from ${ctx.r(oldRate)} to ${ctx.rate(f.rate)}.`);
    if (f.heloc) s.push(`The new rate equals the Prime Rate of ${ctx.r(f.heloc.prime)} plus a margin of ${ctx.r(f.heloc.margin)}.`);
    if (ctx.show(0.85)) {
      const due = ctx.show(0.9) ? ` beginning with the payment due ${ctx.date("next_due_date", f.dueDate)}` : "";
      s.push(
        `Your ${f.type === "credit_card" || f.type === "heloc" ? "minimum payment" : "monthly payment"} will be ${ctx.money("monthly_payment", f.payment)}${due}.`,
      );
    }
    if (ctx.show(0.6))
      s.push(`Your ${f.type === "credit_card" ? "current balance" : "principal balance"} as of this notice is ${ctx.money("current_balance", f.balance)}.`);
    lines.push(...wrap(s.join(" "), rng.int(64, 86)), "", ...footerLines(ctx));
    return lines.join("\n");
  },
};

const autopayNotice: Family = {
  id: "notice-autopay",
  kind: "statement",
  category: "servicing_notice",
  types: ALL_TYPES,
  split: "test",
  weight: 1,
  damage: 0.05,
  render(ctx) {
    const { f, rng } = ctx;
    const lines = noticeHead(ctx, rng.pick(["AutoPay Enrollment Confirmation", "Automatic Payment Confirmation", "You're enrolled in AutoPay"]));
    const amountText = f.type === "credit_card" ? rng.pick(["minimum payment due", "statement minimum"]) : "regular monthly payment";
    lines.push(
      "",
      ...wrap(
        `Thank you for enrolling your ${productNoun(f.type, rng)} in automatic payments. We will draft your ${amountText} from the account below each month.`,
        78,
      ),
      "",
    );
    lines.push(`Draft from: ${rng.pick(["Checking", "Savings"])} account ending ${f.checkingLast4}`);
    lines.push(`Routing number: ${f.routing}`);
    lines.push(`Confirmation number: ${f.confirmation}`);
    if (ctx.show(0.9)) lines.push(`${rng.pick(["Payment amount", "Draft amount", "Amount"])}: ${ctx.money("monthly_payment", f.payment)}`);
    if (ctx.show(0.9)) lines.push(`${rng.pick(["First draft date", "Next draft date", "Next payment date"])}: ${ctx.date("next_due_date", f.dueDate)}`);
    if (ctx.show(0.4)) lines.push(`${vocab.balance(f.type, rng)}: ${ctx.money("current_balance", f.balance)}`);
    lines.push("", `To change or cancel AutoPay, call ${f.phone} at least 3 business days before the draft date.`);
    return lines.join("\n");
  },
};

const paymentReceived: Family = {
  id: "notice-payment-received",
  kind: "statement",
  category: "servicing_notice",
  types: ALL_TYPES,
  split: "train",
  weight: 0.9,
  damage: 0.05,
  render(ctx) {
    const { f, rng } = ctx;
    const lines = noticeHead(ctx, rng.pick(["Payment Confirmation", "We received your payment", "Payment Receipt"]));
    const s: string[] = [];
    s.push(
      `We received your payment of ${ctx.m(f.lastPaymentAmount)} on ${ctx.d(f.lastPaymentDate)} for your ${productNoun(f.type, rng)}. Confirmation ${f.confirmation}.`,
    );
    if (ctx.show(0.8))
      s.push(`After this payment, your ${f.type === "credit_card" ? "balance" : "principal balance"} is ${ctx.money("current_balance", f.balance)}.`);
    if (ctx.show(0.85))
      s.push(
        `Your next ${f.type === "credit_card" || f.type === "heloc" ? "minimum payment" : "payment"} of ${ctx.money("monthly_payment", f.payment)} is due ${ctx.date("next_due_date", f.dueDate)}.`,
      );
    if (ctx.show(0.4)) s.push(`Interest rate: ${ctx.rate(f.rate)}.`);
    lines.push(...wrap(s.join(" "), rng.int(60, 84)), "", ...footerLines(ctx));
    return lines.join("\n");
  },
};

// ---------------------------------------------------------------- annual summaries

function yearEnd(ctx: RenderContext): { date: string; year: number } {
  const year = Number(ctx.f.asOf.slice(0, 4)) - 1;
  return { date: `${year}-12-31`, year };
}

const annualTable: Family = {
  id: "annual-year-end",
  kind: "statement",
  category: "annual_summary",
  types: ALL_TYPES,
  split: "train",
  weight: 1,
  damage: 0.1,
  render(ctx) {
    const { f, rng } = ctx;
    const { date, year } = yearEnd(ctx);
    const w = rng.int(40, 56);
    const lines = [
      f.lender,
      rng.pick([`${year} Year-End Statement`, `Annual Account Summary ${year}`, `${year} Annual Loan Statement`, `Tax Year ${year} Summary`]),
      "",
    ];
    if (ctx.show(0.95)) lines.push(`${vocab.account(f.type, rng)}: ${ctx.account()}`);
    lines.push(`${productNoun(f.type, rng)} — ${f.borrower}`, "");
    const bal = f.type === "credit_card" ? "Balance as of" : rng.pick(["Principal Balance as of", "Outstanding Principal at"]);
    // The year-end figures are quoted as of 31 December.
    lines.push(padLine(`${bal} ${ctx.date("as_of_date", date)}`, ctx.money("current_balance", f.balance), w));
    lines.push(padLine(`Interest Paid in ${year}`, ctx.m(f.type === "credit_card" ? round2(f.card!.interestCharged * 11) : f.ytdInterest), w));
    if (f.type !== "credit_card" && f.type !== "heloc") lines.push(padLine(`Principal Paid in ${year}`, ctx.m(f.ytdPrincipal), w));
    if (f.escrow) {
      lines.push(padLine(`Property Taxes Paid in ${year}`, ctx.m(f.escrow.taxesAnnual), w));
      lines.push(padLine("Hazard Insurance Paid", ctx.m(f.escrow.insuranceAnnual), w));
      if (ctx.show(0.7)) lines.push(padLine(`Escrow Balance as of ${ctx.d(date)}`, ctx.money("escrow_balance", f.escrowBalance!), w));
    }
    if (f.card) lines.push(padLine(`Fees Charged in ${year}`, ctx.m(round2(f.card.feesCharged * 2)), w));
    if (ctx.show(0.6)) lines.push(padLine(vocab.rate(f.type, rng), ctx.rate(f.rate), w));
    if (ctx.show(0.3)) lines.push(padLine(`Next Payment Due ${ctx.date("next_due_date", f.dueDate)}`, ctx.money("monthly_payment", f.payment), w));
    lines.push(
      "",
      rng.pick(["Keep this statement for your tax records.", "This is not a bill.", "Amounts shown may be reported to the IRS on Form 1098."]),
      ...footerLines(ctx),
    );
    return lines.join("\n");
  },
};

const annualProse: Family = {
  id: "annual-summary-prose",
  kind: "statement",
  category: "annual_summary",
  types: ALL_TYPES,
  split: "test",
  weight: 1,
  damage: 0.05,
  render(ctx) {
    const { f, rng } = ctx;
    const { date, year } = yearEnd(ctx);
    const lines = [f.lender, `Your ${year} year in review`, ""];
    const s: string[] = [];
    const acct = ctx.show(0.85) ? ` (${rng.pick(["account", "loan"])} ${ctx.account(rng.pick(["ending-in", "dots", "stars"]))})` : "";
    s.push(`Thank you for another year with us. Here is a look back at your ${productNoun(f.type, rng)}${acct}.`);
    s.push(
      `On ${ctx.date("as_of_date", date)}, your ${f.type === "credit_card" ? "balance" : "remaining principal"} was ${ctx.money("current_balance", f.balance)}.`,
    );
    if (f.type !== "credit_card")
      s.push(`During ${year} you paid ${ctx.m(f.ytdInterest)} in interest${f.ytdPrincipal ? ` and reduced your principal by ${ctx.m(f.ytdPrincipal)}` : ""}.`);
    if (ctx.show(0.5)) s.push(`Your rate is ${ctx.rate(f.rate)}.`);
    if (f.escrow && ctx.show(0.5))
      s.push(
        `We paid ${ctx.m(f.escrow.taxesAnnual)} in property taxes from escrow, leaving ${ctx.money("escrow_balance", f.escrowBalance!)} in the account at year end.`,
      );
    if (ctx.show(0.3)) s.push(`Your next payment of ${ctx.money("monthly_payment", f.payment)} is due ${ctx.date("next_due_date", f.dueDate)}.`);
    lines.push(...wrap(s.join(" "), rng.int(64, 84)), "", ...footerLines(ctx));
    return lines.join("\n");
  },
};

const annualCaps: Family = {
  id: "annual-caps-ledger",
  kind: "statement",
  category: "annual_summary",
  types: ALL_TYPES,
  split: "validation",
  weight: 1,
  damage: 0.3,
  prefs: { date: ["md-y2-slash", "mdy-slash", "ddmonyy"], money: ["plain", "plain-nocomma"], mask: ["full-plain", "x-run"] },
  render(ctx) {
    const { f, rng } = ctx;
    const { date, year } = yearEnd(ctx);
    const lines = [`${f.lender.toUpperCase()}      YEAR END SUMMARY ${year}`, `${productNoun(f.type, rng).toUpperCase()}`];
    if (ctx.show(0.9)) lines.push(`ACCOUNT ${ctx.account()}`);
    lines.push(`${"AS OF".padEnd(22, ".")} ${ctx.date("as_of_date", date).toUpperCase()}`);
    lines.push(`${"ENDING BALANCE".padEnd(22, ".")} ${ctx.money("current_balance", f.balance)}`);
    lines.push(`${"INTEREST PAID".padEnd(22, ".")} ${ctx.m(f.type === "credit_card" ? round2(f.card!.interestCharged * 12) : f.ytdInterest)}`);
    if (f.escrowBalance !== null && ctx.show(0.6)) lines.push(`${"ESCROW BAL".padEnd(22, ".")} ${ctx.money("escrow_balance", f.escrowBalance)}`);
    if (ctx.show(0.5)) lines.push(`${"RATE".padEnd(22, ".")} ${ctx.rate(f.rate)}`);
    lines.push(`${"BEGINNING BALANCE".padEnd(22, ".")} ${ctx.m(round2(f.balance + (f.ytdPrincipal || rng.float(100, 3000))))}`);
    lines.push("*** THIS IS NOT A BILL ***");
    return lines.join("\n");
  },
};

export const letterFamilies: Family[] = [
  payoffLetter,
  payoffTable,
  payoffFax,
  payoffShort,
  escrowTable,
  escrowLetter,
  escrowProjection,
  pastDueNotice,
  welcomeLetter,
  rateChange,
  autopayNotice,
  paymentReceived,
  annualTable,
  annualProse,
  annualCaps,
];
