import type { RenderContext } from "../context.ts";
import { corePairs, distractorPairs, titleLines } from "../blocks.ts";
import { round2 } from "../facts.ts";
import { addDays, addMonths, daysBetween, MONTHS, padLine } from "../format.ts";
import { CARD_PRODUCTS } from "../names.ts";
import type { Rng } from "../rng.ts";
import { productTitle, vocab } from "../vocab.ts";
import { wrap } from "./statements.ts";
import { ALL_TYPES } from "./types.ts";
import type { Family } from "./types.ts";

/*
 * Statements dominated by tables of amounts: a transaction and fee ledger with many dated
 * rows, and a card statement with a balance for each kind of borrowing and an APR for each.
 * The liability's own figures sit in a summary elsewhere on the page.
 */

/** `total` split into `n` positive parts that add up to it exactly. */
function splitAmount(rng: Rng, total: number, n: number): number[] {
  const cents = Math.round(total * 100);
  const k = Math.max(1, Math.min(n, Math.floor(cents / 150)));
  const weights = Array.from({ length: k }, () => rng.float(0.2, 1, 3));
  const sum = weights.reduce((a, b) => a + b, 0);
  const parts = weights.map((w) => Math.max(1, Math.floor((cents * w) / sum)));
  parts[k - 1] = cents - parts.slice(0, k - 1).reduce((a, b) => a + b, 0);
  if (parts[k - 1]! <= 0) return [round2(total)];
  return parts.map((c) => c / 100);
}

const MERCHANTS = [
  "GROCERY OUTLET",
  "SHELL OIL",
  "AMZN MKTP US",
  "TARGET",
  "WALGREENS",
  "HOME DEPOT",
  "NETFLIX.COM",
  "UBER *TRIP",
  "CHIPOTLE",
  "COSTCO WHSE",
  "SOUTHWEST AIR",
  "MARRIOTT",
  "SPOTIFY",
  "LOWES",
  "CVS/PHARMACY",
  "STARBUCKS",
  "APPLE.COM/BILL",
  "DELTA AIR",
  "WHOLE FOODS",
  "BEST BUY",
  "PANERA BREAD",
  "EXXONMOBIL",
  "VERIZON WIRELESS",
  "PETSMART",
];

interface Row {
  date: string;
  desc: string;
  /** Positive: a charge that increases what is owed; negative: a payment or credit. */
  amount: number;
  kind: "purchase" | "payment" | "fee" | "interest" | "cash" | "escrow" | "advance";
}

function cardRows(ctx: RenderContext): Row[] {
  const { f, rng } = ctx;
  const c = f.card!;
  const within = () => addDays(c.periodStart, rng.int(1, Math.max(1, daysBetween(c.periodStart, f.asOf))));
  const rows: Row[] = [];
  if (c.purchases > 0) {
    for (const amount of splitAmount(rng, c.purchases, rng.int(5, 11))) {
      rows.push({
        date: within(),
        desc: `${rng.pick(MERCHANTS)} ${rng.pick([f.mailing.city.toUpperCase(), `800-555-${rng.digits(4)}`, "ONLINE", rng.digits(5)])}`,
        amount,
        kind: "purchase",
      });
    }
  }
  if (c.payments > 0) {
    for (const amount of splitAmount(rng, c.payments, rng.int(1, 2)))
      rows.push({
        date: within(),
        desc: rng.pick(["PAYMENT THANK YOU", "ONLINE PAYMENT - THANK YOU", "AUTOPAY PMT RECEIVED", "MOBILE PAYMENT"]),
        amount: -amount,
        kind: "payment",
      });
  }
  if (c.cashAdvances > 0)
    rows.push({
      date: within(),
      desc: rng.pick(["CASH ADVANCE ATM #", "ATM CASH WITHDRAWAL ", "CASH ADV BRANCH "]) + rng.digits(4),
      amount: c.cashAdvances,
      kind: "cash",
    });
  if (c.feesCharged > 0)
    rows.push({
      date: addDays(f.asOf, -rng.int(1, 12)),
      desc: rng.pick(["LATE FEE", "LATE PAYMENT FEE", "RETURNED PAYMENT FEE"]),
      amount: c.feesCharged,
      kind: "fee",
    });
  if (c.interestCharged > 0) {
    const cash = c.cashAdvances > 0 ? Math.min(c.interestCharged, round2(rng.float(0.5, 6))) : 0;
    rows.push({ date: f.asOf, desc: "INTEREST CHARGE ON PURCHASES", amount: round2(c.interestCharged - cash), kind: "interest" });
    if (cash > 0) rows.push({ date: f.asOf, desc: "INTEREST CHARGE ON CASH ADVANCES", amount: cash, kind: "interest" });
  }
  return rows;
}

function loanRows(ctx: RenderContext): Row[] {
  const { f, rng } = ctx;
  const rows: Row[] = [];
  const months = rng.int(2, 3);
  const start = addMonths(f.asOf, -months);
  for (let k = 0; k < months; k++) {
    const date = addMonths(f.lastPaymentDate, -k);
    if (date <= start) break;
    rows.push({
      date,
      desc: rng.pick(["PAYMENT RECEIVED", "ACH PAYMENT - THANK YOU", "ONLINE PMT", "AUTOPAY DEBIT"]),
      amount: -(k === 0 ? f.lastPaymentAmount : f.payment),
      kind: "payment",
    });
  }
  const feeOptions: [string, number][] = [
    ["LATE CHARGE ASSESSED", f.lateFee > 0 ? f.lateFee : rng.pick([15, 25, 35, 39])],
    ["PAY-BY-PHONE FEE", rng.pick([5, 9.95, 12, 15])],
    ["RETURNED PAYMENT FEE", rng.pick([25, 29, 35])],
    ["STATEMENT COPY FEE", rng.pick([5, 10])],
  ];
  if (f.type === "mortgage") feeOptions.push(["PROPERTY INSPECTION FEE", rng.pick([15, 20, 30])], ["BPO/VALUATION FEE", rng.pick([95, 125])]);
  if (f.type === "auto_loan") feeOptions.push(["GAP/TITLE FEE", rng.pick([15, 33, 75])]);
  for (const [desc, amount] of rng.sample(feeOptions, rng.int(1, 3))) {
    const date = addDays(f.asOf, -rng.int(2, 55));
    rows.push({ date, desc, amount, kind: "fee" });
    if (rng.chance(0.4))
      rows.push({
        date: addDays(date, rng.int(1, 9)),
        desc: `${desc.replace(/ ASSESSED$/, "")} ${rng.pick(["WAIVED", "PAID", "REVERSED"])}`,
        amount: -amount,
        kind: "fee",
      });
  }
  if (f.type === "mortgage" && f.escrow) {
    rows.push({
      date: addDays(f.asOf, -rng.int(3, 50)),
      desc: `ESCROW DISB - ${rng.pick(["COUNTY TAX", "PROPERTY TAX", "TAX INSTALLMENT"])}`,
      amount: round2(f.escrow.taxesAnnual / 2),
      kind: "escrow",
    });
    if (rng.chance(0.5))
      rows.push({ date: addDays(f.asOf, -rng.int(3, 50)), desc: "ESCROW DISB - HAZARD INS", amount: f.escrow.insuranceAnnual, kind: "escrow" });
  }
  if (f.type === "heloc") {
    for (const amount of splitAmount(rng, round2(rng.float(200, 6000)), rng.int(1, 3)))
      rows.push({
        date: addDays(f.asOf, -rng.int(2, 55)),
        desc: rng.pick(["ADVANCE - ONLINE TRANSFER", `CREDIT LINE CHECK #${rng.int(1001, 1099)}`, "DRAW - BRANCH"]),
        amount,
        kind: "advance",
      });
    rows.push({ date: f.asOf, desc: "FINANCE CHARGE", amount: f.interestPortion, kind: "interest" });
  }
  return rows;
}

/**
 * Ledger statement: an account summary box and a long table of dated transactions and
 * fees (with period and year-to-date totals, and for amortising loans the paid-last-month
 * / paid-year-to-date breakdown). Only the summary states the liability's figures.
 */
const transactionLedger: Family = {
  id: "stmt-transaction-ledger",
  kind: "statement",
  category: "monthly_statement",
  types: ALL_TYPES,
  split: "train",
  weight: 1.1,
  damage: 0.12,
  addedIn: 2,
  render(ctx) {
    const { f, rng } = ctx;
    const w = rng.int(40, 50);
    const head = [...titleLines(ctx)];
    const ids: string[] = [];
    if (ctx.show(0.93)) ids.push(`${vocab.account(f.type, rng)}: ${ctx.account()}`);
    if (ctx.show(0.9)) ids.push(`${vocab.asOf(f.type, rng)}: ${ctx.date("as_of_date", f.asOf)}`);
    head.push(ids.join(rng.pick(["    ", "  |  "])));

    const summary = [
      rng.pick(["ACCOUNT SUMMARY", "Summary", "Your Account at a Glance"]),
      ...corePairs(ctx, { breakdown: false, p: { account_last4: 0, as_of_date: 0 } }).map((p) => padLine(p.label.trim(), p.value, w)),
    ];
    for (const p of distractorPairs(ctx, 1)) summary.push(padLine(p.label.trim(), p.value, w));

    const rows = (f.card ? cardRows(ctx) : loanRows(ctx)).sort((a, b) => a.date.localeCompare(b.date));
    // One date style and one way of marking credits per document, as a statement printer has.
    const shortStyle = f.card !== null && rng.chance(0.6) ? rng.int(0, 2) : -1;
    const short = (iso: string) => {
      const [m, d] = [Number(iso.slice(5, 7)), Number(iso.slice(8, 10))];
      return shortStyle === 0 ? `${iso.slice(5, 7)}/${iso.slice(8, 10)}` : shortStyle === 1 ? `${m}/${d}` : `${MONTHS[m - 1]!.slice(0, 3)} ${d}`;
    };
    const credit = rng.int(0, 2);
    const dateWidth = Math.max(...rows.map((r) => (shortStyle >= 0 ? short(r.date) : ctx.d(r.date)).length));
    const dt = (iso: string) => (shortStyle >= 0 ? short(iso) : ctx.d(iso)).padEnd(dateWidth);
    const amt = (v: number) => (v < 0 ? [`-${ctx.m(-v)}`, `${ctx.m(-v)} CR`, `(${ctx.m(-v)})`][credit]! : ctx.m(v));
    const dw = Math.max(...rows.map((r) => r.desc.length)) + 2;
    const table = ["", rng.pick(["TRANSACTIONS", "Account Activity", "Transaction Detail", "ACTIVITY SINCE LAST STATEMENT"])];
    const withPost = shortStyle >= 0 && rng.chance(0.5);
    table.push(
      `${(withPost ? "Trans" : rng.pick(["Date", "Posted"])).padEnd(dateWidth)}${withPost ? `  ${"Post".padEnd(dateWidth)}` : ""}  ${"Description".padEnd(dw)}Amount`,
    );
    for (const r of rows) {
      const post = withPost ? `  ${dt(addDays(r.date, rng.int(0, 2)))}` : "";
      table.push(`${dt(r.date)}${post}  ${r.desc.padEnd(dw)}${amt(r.amount)}`);
    }
    const fees = round2(rows.filter((r) => r.kind === "fee" && r.amount > 0).reduce((s, r) => s + r.amount, 0));
    const interest = round2(rows.filter((r) => r.kind === "interest").reduce((s, r) => s + r.amount, 0));
    const month = Number(f.asOf.slice(5, 7));
    const totals = ["", padLine(rng.pick(["Total fees for this period", "Fees charged this period", "TOTAL FEES THIS PERIOD"]), ctx.m(fees), w)];
    if (f.card || f.type === "heloc") totals.push(padLine(rng.pick(["Total interest for this period", "Interest charged this period"]), ctx.m(interest), w));
    if (rng.chance(0.7)) {
      const year = f.asOf.slice(0, 4);
      totals.push(`${year} ${rng.pick(["Totals Year-to-Date", "year-to-date totals"])}`);
      totals.push(padLine(`  Total fees charged in ${year}`, ctx.m(round2(fees + rng.int(0, month - 1) * rng.pick([0, 5, 15, 35]))), w));
      const ytdInterest = f.card ? round2(interest * month * rng.float(0.8, 1.1)) : round2(f.interestPortion * month * rng.float(0.97, 1.02));
      totals.push(padLine(`  Total interest charged in ${year}`, ctx.m(ytdInterest), w));
    }
    if (!f.card && f.type !== "heloc" && rng.chance(0.5)) {
      // Paid last month / paid year to date, as mortgage and installment statements print it.
      const cols = [rng.pick(["Paid Last Month", "Last Payment"]), rng.pick(["Paid Year to Date", "Year to Date"])];
      const parts: [string, number][] = [
        ["Principal", f.principalPortion],
        ["Interest", f.interestPortion],
      ];
      if (f.escrowPortion) parts.push(["Escrow (Taxes & Insurance)", f.escrowPortion]);
      parts.push(["Fees", 0]);
      const lw = 28;
      totals.push("", `${"Past Payments Breakdown".padEnd(lw)}${cols[0]!.padStart(16)}${cols[1]!.padStart(20)}`);
      let lastTotal = 0;
      let ytdTotal = 0;
      for (const [label, v] of parts) {
        const ytd = round2(v * month * rng.float(0.98, 1.02) + (label === "Fees" ? fees : 0));
        lastTotal = round2(lastTotal + v);
        ytdTotal = round2(ytdTotal + ytd);
        totals.push(`${label.padEnd(lw)}${ctx.m(v).padStart(16)}${ctx.m(ytd).padStart(20)}`);
      }
      totals.push(`${"Total".padEnd(lw)}${ctx.m(lastTotal).padStart(16)}${ctx.m(ytdTotal).padStart(20)}`);
    }
    const body = rng.chance(0.6) ? ["", ...summary, ...table, ...totals] : [...table, ...totals, "", ...summary];
    return [
      ...head,
      ...body,
      "",
      rng.pick([`Questions? Call ${f.phone}.`, `Customer Service ${f.phone}`, `${f.lender}, P.O. Box ${rng.int(1000, 99999)}`]),
    ].join("\n");
  },
};

/**
 * Card statement with a balance for each kind of borrowing (purchases, promotional balance
 * transfers, cash advances), an APR for each, a penalty APR, and the minimum-payment
 * warning table. The new balance, the purchase APR and the minimum payment are the record.
 */
const cardBalanceSegments: Family = {
  id: "card-balance-segments",
  kind: "statement",
  category: "monthly_statement",
  types: ["credit_card"],
  split: "train",
  weight: 2.2,
  damage: 0.12,
  addedIn: 2,
  render(ctx) {
    const { f, rng } = ctx;
    const c = f.card!;
    const w = rng.int(36, 44);
    let cash = c.cashAdvances > 0 ? round2(c.cashAdvances + (rng.chance(0.3) ? rng.float(0, 300) : 0)) : rng.chance(0.2) ? round2(rng.float(20, 400)) : 0;
    let bt = c.promoApr !== null ? round2(rng.float(0.2, 0.7) * Math.max(0, f.balance - cash)) : 0;
    let purchases = round2(f.balance - cash - bt);
    if (purchases < 0) {
      cash = 0;
      bt = 0;
      purchases = f.balance;
    }
    const cashInt = Math.min(c.interestCharged, round2(((cash * c.cashAdvanceApr) / 1200) * rng.float(0.3, 1)));
    const btInt = c.promoApr ? Math.min(round2(c.interestCharged - cashInt), round2((bt * c.promoApr) / 1200)) : 0;
    const purchInt = round2(c.interestCharged - cashInt - btInt);
    const adb = (v: number) => (v > 0 ? round2(v * rng.float(0.85, 1.08)) : 0);
    const penalty = rng.pick([29.99, 29.24, 28.99]);

    const lines = [`${f.lender}  ${rng.pick(CARD_PRODUCTS)}`, productTitle("credit_card", rng)];
    const idLine: string[] = [];
    if (ctx.show(0.95)) idLine.push(`${rng.pick(["Account Number", "Account ending in", "Card"])} ${ctx.account()}`);
    idLine.push(`${rng.pick(["Statement Closing Date", "Closing Date", "Statement Date"])} ${ctx.date("as_of_date", f.asOf)}`);
    lines.push(idLine.join("    "), `Days in Billing Cycle: ${daysBetween(c.periodStart, f.asOf) + 1}`, "");

    // Account summary: the activity adds up to the new balance.
    const summary: [string, string][] = [
      ["Previous Balance", ctx.m(c.previousBalance)],
      ["Payments", `- ${ctx.m(c.payments)}`],
    ];
    summary.push(["Purchases", `+ ${ctx.m(c.purchases)}`], ["Balance Transfers", `+ ${ctx.m(0)}`], ["Cash Advances", `+ ${ctx.m(c.cashAdvances)}`]);
    summary.push(["Fees Charged", `+ ${ctx.m(c.feesCharged)}`], ["Interest Charged", `+ ${ctx.m(c.interestCharged)}`]);
    const other = round2(f.balance - (c.previousBalance - c.payments + c.purchases + c.cashAdvances + c.feesCharged + c.interestCharged));
    if (Math.abs(other) >= 0.01) summary.push([other > 0 ? "Other Debits" : "Other Credits", `${other > 0 ? "+" : "-"} ${ctx.m(Math.abs(other))}`]);
    summary.push([rng.pick(["New Balance", "New Balance Total"]), ctx.money("current_balance", f.balance)]);
    lines.push(rng.pick(["ACCOUNT SUMMARY", "Account Summary"]), ...summary.map(([l, v]) => padLine(l, v, w)));
    lines.push(padLine(rng.pick(["Credit Limit", "Total Credit Line"]), ctx.m(c.creditLimit), w));
    lines.push(padLine(rng.pick(["Available Credit", "Available Credit Line"]), ctx.m(c.availableCredit), w));
    if (rng.chance(0.5)) lines.push(padLine(rng.pick(["Cash Access Line", "Cash Advance Limit"]), ctx.m(Math.round(c.creditLimit * 0.25)), w));

    lines.push("", rng.pick(["PAYMENT INFORMATION", "Payment Information"]));
    lines.push(padLine(rng.pick(["Statement Balance", "New Balance"]), ctx.m(f.balance), w));
    if (ctx.show(0.95)) lines.push(padLine(vocab.payment("credit_card", rng), ctx.money("monthly_payment", f.payment), w));
    if (ctx.show(0.95)) lines.push(padLine("Payment Due Date", ctx.date("next_due_date", f.dueDate), w));
    lines.push(
      ...wrap(
        `Late Payment Warning: if we do not receive your minimum payment by the due date, you may pay a late fee of up to ${ctx.m(41)} and a Penalty APR of ${ctx.r(penalty)}.`,
        78,
      ),
    );

    if (ctx.isStated("monthly_payment") && rng.chance(0.4) && f.balance > 300) {
      const three = round2((f.balance * (f.rate / 1200)) / (1 - (1 + f.rate / 1200) ** -36));
      lines.push("", "Minimum Payment Warning    pay off in    estimated total");
      lines.push(`Only the minimum payment   ${String(rng.int(4, 24)).padStart(2)} years      ${ctx.m(round2(f.balance * rng.float(1.4, 2.6)))}`);
      lines.push(`${`${ctx.m(three)} a month`.padEnd(27)} 3 years      ${ctx.m(round2(three * 36))}`);
    }

    lines.push("", rng.pick(["INTEREST CHARGE CALCULATION", "Interest Charge Calculation"]));
    if (rng.chance(0.4)) lines.push("Your Annual Percentage Rate (APR) is the annual interest rate on your account.");
    const tw = [20, 16, 16];
    lines.push(`${"Type of Balance".padEnd(tw[0]!)}${"APR".padEnd(tw[1]!)}${rng.pick(["Avg Daily Bal", "Bal Subj to Int"]).padEnd(tw[2]!)}Interest Charge`);
    const v = rng.chance(0.6) ? " (v)" : "";
    const rows: [string, string, string, string][] = [
      [rng.pick(["Purchases", "Standard Purchases"]), `${ctx.rate(f.rate)}${v}`, ctx.m(adb(purchases)), ctx.m(purchInt)],
    ];
    if (c.promoApr !== null)
      rows.push([rng.pick(["Balance Transfers", "Promo Balance Transfer"]), `${ctx.r(c.promoApr)}${rng.pick([" (p)", ""])}`, ctx.m(adb(bt)), ctx.m(btInt)]);
    rows.push(["Cash Advances", `${ctx.r(c.cashAdvanceApr)}${v}`, ctx.m(adb(cash)), ctx.m(cashInt)]);
    for (const r of rows) lines.push(`${r[0].padEnd(tw[0]!)}${r[1].padEnd(tw[1]!)}${r[2].padEnd(tw[2]!)}${r[3]}`);
    if (c.promoApr !== null) lines.push(`(p) Promotional APR ends ${ctx.d(c.promoEnds)}.`);
    if (v) lines.push("(v) = Variable Rate");

    lines.push(rng.pick(["BALANCE SUMMARY", "Your balances by type"]));
    for (const [l, amount] of [
      ["Purchase Balance", purchases],
      ["Balance Transfer Balance", bt],
      ["Cash Advance Balance", cash],
    ] as const) {
      if (amount > 0 || l === "Purchase Balance") lines.push(padLine(`  ${l}`, ctx.m(amount), w));
    }
    lines.push("", `${rng.pick(["Customer Service", "Questions?"])} ${f.phone}    ${rng.pick(["Report lost/stolen card", "Pay by phone"])} ${f.phone2}`);
    return lines.join("\n");
  },
};

export const ledgerFamilies: Family[] = [transactionLedger, cardBalanceSegments];
