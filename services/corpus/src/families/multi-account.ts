import type { RenderContext } from "../context.ts";
import { depositAccounts, maskOther, otherLabel, otherLiability, productHeading } from "../accounts.ts";
import type { DepositAccount, OtherLiability } from "../accounts.ts";
import { addressLines, corePairs, distractorPairs } from "../blocks.ts";
import type { Pair } from "../blocks.ts";
import { round2 } from "../facts.ts";
import { addDays, formatDateNoYear, padLine } from "../format.ts";
import { productNoun } from "../vocab.ts";
import { ALL_TYPES } from "./types.ts";
import type { Family } from "./types.ts";

/*
 * Statements that cover several of the customer's accounts: checking, savings,
 * certificates and a second loan or card, each with its own number, balance, rate and
 * dates. Exactly one liability is the document's subject (the one the statement bills or
 * the page has open); every other account's figures are distractors.
 */

/** Distractors placed among the liability's figures, as banks print them. */
function mix(ctx: RenderContext, core: Pair[], extra: Pair[]): Pair[] {
  const out = core.slice();
  for (const p of extra) out.splice(ctx.rng.int(0, out.length), 0, p);
  return out;
}

/** Figures of the second liability, labelled so that none reads as a missing value of the subject. */
function otherFigures(ctx: RenderContext, o: OtherLiability): [string, string][] {
  const revolving = o.type === "credit_card" || o.type === "heloc";
  const rows: [string, string][] = [
    [
      otherLabel(ctx, "current_balance", o.type === "credit_card" ? ["New Balance", "Statement Balance"] : ["Principal Balance", "Outstanding Balance"], [
        "Balance",
        "Amount Owed",
        "Balance Owed",
      ]),
      ctx.m(o.balance),
    ],
    [otherLabel(ctx, "interest_rate", ["Interest Rate"], ["APR", "Rate", "Annual Percentage Rate"]), ctx.r(o.rate)],
    [
      otherLabel(ctx, "monthly_payment", revolving ? ["Minimum Payment Due"] : ["Monthly Payment", "Regular Payment"], [
        "Payment",
        "Amount Due",
        "Payment Amount",
      ]),
      ctx.m(o.payment),
    ],
    [otherLabel(ctx, "next_due_date", ["Next Payment Due", "Payment Due Date", "Due Date"], ["Payment Due", "Due", "Pay By"]), ctx.d(o.due)],
  ];
  if (o.limit !== null) rows.push([ctx.rng.pick(["Credit Limit", "Credit Line", "Line Amount"]), ctx.m(o.limit)]);
  return ctx.rng.sample(rows, ctx.rng.int(2, rows.length));
}

/** Beginning balance, credits, debits and ending balance of a deposit account that add up. */
function depositActivity(ctx: RenderContext, d: DepositAccount, w: number): string[] {
  const { rng } = ctx;
  let credits = round2(rng.float(100, 9000));
  let debits = round2(d.beginning + credits - d.balance);
  if (debits < 0) {
    credits = round2(credits - debits);
    debits = 0;
  }
  const lines = [
    padLine(rng.pick(["  Beginning Balance", "  Opening Balance", "  Previous Balance"]), ctx.m(d.beginning), w),
    padLine(rng.pick(["  Deposits and Credits", "  Deposits/Additions", "  + Credits"]), ctx.m(credits), w),
    padLine(rng.pick(["  Withdrawals and Debits", "  Checks/Withdrawals", "  - Debits"]), ctx.m(debits), w),
    padLine(rng.pick(["  Ending Balance", "  Closing Balance"]), ctx.m(d.balance), w),
  ];
  if (d.apy !== null && rng.chance(0.6))
    lines.push(padLine(rng.pick(["  Annual Percentage Yield Earned", "  APY Earned", "  Dividend Rate"]), ctx.r(d.apy), w));
  if (d.matures) lines.push(padLine("  Maturity Date", ctx.d(d.matures), w));
  return lines;
}

/**
 * Relationship statement: an account summary table listing every account with its number
 * and balance, deposit activity, then the billed liability's detail and a short block for
 * the other loan or card, which is billed separately.
 */
const multiAccountSummary: Family = {
  id: "stmt-multi-account-summary",
  kind: "statement",
  category: "monthly_statement",
  types: ALL_TYPES,
  split: "train",
  weight: 1.1,
  damage: 0.12,
  addedIn: 2,
  render(ctx) {
    const { f, rng } = ctx;
    const w = rng.int(46, 58);
    const heading = productHeading(f.type, (xs) => rng.pick(xs));
    const acct = ctx.account(rng.pick(["stars", "x-run", "dots", "hash-last4", "star-single"] as const));

    const lines = [
      rng.chance(0.5) ? f.lender.toUpperCase() : f.lender,
      rng.pick(["Relationship Summary Statement", "Your Combined Statement", "Household Account Statement", "Total Relationship Statement"]),
    ];
    if (ctx.show(0.9)) {
      if (rng.chance(0.5))
        lines.push(
          `${rng.pick(["Statement Period", "For the period"])}: ${ctx.d(addDays(f.asOf, -rng.int(27, 30)))} ${rng.pick(["-", "to", "through"])} ${ctx.date("as_of_date", f.asOf)}`,
        );
      else lines.push(`${rng.pick(["Statement Date", "Statement Closing Date"])}: ${ctx.date("as_of_date", f.asOf)}`);
    }
    lines.push(
      `${rng.pick(["Customer", "Primary Owner", "Prepared for"])}: ${f.borrower}${rng.chance(0.5) ? `    Customer ID ${rng.digits(rng.int(6, 8))}` : ""}`,
    );
    if (rng.chance(0.5)) lines.push("", ...addressLines(ctx));

    // The subject's detail is rendered first, so that the other loan's labels know which fields it states.
    const detail = mix(ctx, corePairs(ctx, { p: { account_last4: 0, as_of_date: 0, current_balance: 1 } }), distractorPairs(ctx, 2));
    const deposits = depositAccounts(ctx, rng.int(1, 3));
    const other = otherLiability(
      ctx,
      deposits.map((d) => d.number),
    );

    const masks = new Map([...deposits.map((d) => d.number), other.number].map((n) => [n, maskOther(ctx, n)]));
    const rows: [string, string, string][] = deposits.map((d) => [d.name, masks.get(d.number)!, ctx.m(d.balance)]);
    const loanRows: [string, string, string][] = [
      [heading, acct, ctx.m(f.balance)],
      [other.name, masks.get(other.number)!, ctx.m(other.balance)],
    ];
    rows.push(...(rng.chance(0.5) ? loanRows : loanRows.reverse()));
    const nw = Math.max(...rows.map((r) => r[0].length)) + 2;
    const aw = Math.max(8, ...rows.map((r) => r[1].length + 2));
    lines.push("", rng.pick(["ACCOUNT SUMMARY", "Summary of Your Accounts", "Your Relationship at a Glance"]));
    lines.push(`${"Account".padEnd(nw)}${"Number".padEnd(aw)}${rng.pick(["Balance", "Ending Balance", "Balance/Amount Owed"])}`);
    for (const [n, a, b] of rows) lines.push(`${n.padEnd(nw)}${a.padEnd(aw)}${b}`);
    if (rng.chance(0.7)) {
      lines.push(padLine(rng.pick(["Total Deposits", "Total Deposit Balances"]), ctx.m(round2(deposits.reduce((s, d) => s + d.balance, 0))), nw + aw + 12));
      lines.push(
        padLine(rng.pick(["Total Loans and Lines", "Total Borrowing", "Total Credit Balances"]), ctx.m(round2(f.balance + other.balance)), nw + aw + 12),
      );
    }

    const depositBlocks = deposits.slice(0, rng.int(0, 1)).flatMap((d) => ["", `${d.name} ${masks.get(d.number)}`, ...depositActivity(ctx, d, w)]);
    const subjectBlock = [
      "",
      `${rng.pick(["LOAN DETAIL", "Account Detail", "Billing Detail", "Payment Due For"])}: ${heading} ${acct}`,
      rng.pick([
        `The amount due on this statement is for your ${productNoun(f.type, rng)} ending ${f.accountNumber.slice(-4)}.`,
        "This is the account billed on this statement.",
        `Details for your ${productNoun(f.type, rng)} are below.`,
      ]),
      ...detail.map((p) => padLine(`  ${p.label.trim()}`, p.value, w)),
    ];
    const otherBlock = rng.chance(0.7)
      ? [
          "",
          `${other.name} ${masks.get(other.number)} - ${rng.pick(["billed separately", "see separate statement", "AutoPay active", "statement mailed separately"])}`,
          ...otherFigures(ctx, other).map(([l, v]) => padLine(`  ${l}`, v, w)),
        ]
      : [];
    lines.push(...depositBlocks);
    if (rng.chance(0.6)) lines.push(...subjectBlock, ...otherBlock);
    else lines.push(...otherBlock, ...subjectBlock);
    lines.push(
      "",
      rng.pick([
        `Questions about any account? Call ${f.phone}.`,
        `${f.lender} · ${f.phone} · Member FDIC`,
        "Deposit products are insured up to applicable limits. Loan products are not deposits.",
      ]),
    );
    return lines.join("\n");
  },
};

/**
 * Online-banking accounts page saved as text: every account as a tile with its balance,
 * the one account the customer opened expanded with its details and recent activity.
 */
const onlineAccountsOverview: Family = {
  id: "stmt-online-accounts-overview",
  kind: "statement",
  category: "monthly_statement",
  types: ALL_TYPES,
  split: "test",
  weight: 1,
  damage: 0.05,
  addedIn: 2,
  prefs: { date: ["abbr", "mdy-slash", "long", "abbr-dot", "mdy-slash-short"], money: ["dollar", "dollar"] },
  render(ctx) {
    const { f, rng } = ctx;
    const heading = productHeading(f.type, (xs) => rng.pick(xs));
    const acct = ctx.account(rng.pick(["dots", "star-single", "stars"] as const));
    const ind = rng.pick(["  ", "    ", "   | "]);
    const lines = [
      `${f.lender} ${rng.pick(["| Online Banking", "- Accounts", "Digital Banking"])}`,
      `${rng.pick(["Welcome back", "Hello", "Good morning"])}, ${f.borrower.split(" ")[0]}    ${rng.pick(["Last sign-in", "Last login"])} ${ctx.d(addDays(f.asOf, -rng.int(1, 9)))} ${rng.int(1, 12)}:${String(rng.int(0, 59)).padStart(2, "0")} ${rng.pick(["AM", "PM"])}`,
      rng.pick(["[Accounts]  Transfers  Bill Pay  Statements  Help", "Accounts | Pay & Transfer | Documents | Sign out", "Home > Accounts"]),
      "",
    ];
    if (ctx.show(0.8)) lines.push(`${rng.pick(["Balances as of", "Information as of", "Balances current as of"])} ${ctx.date("as_of_date", f.asOf)}`, "");

    // The open account first: its figures decide how the other tiles may be labelled.
    const tileBalance = ctx.money("current_balance", f.balance);
    const pairs = mix(
      ctx,
      corePairs(ctx, { breakdown: rng.chance(0.4), p: { account_last4: 0, as_of_date: 0, current_balance: 0.5 } }),
      distractorPairs(ctx, 2),
    );
    const recent: string[] = [];
    if (rng.chance(0.7)) {
      recent.push(`${ind}${rng.pick(["Recent activity", "Recent transactions", "Activity"])}`);
      recent.push(
        `${ind}  ${ctx.d(f.lastPaymentDate)}  ${rng.pick(["Payment - thank you", "Online payment", "AutoPay payment"])}  -${ctx.m(f.lastPaymentAmount)}`,
      );
      if (f.card)
        for (const t of f.transactions.filter((t) => t.amount > 0).slice(0, rng.int(1, 3)))
          recent.push(`${ind}  ${ctx.d(t.date)}  ${t.description}  ${ctx.m(t.amount)}`);
    }
    const deposits = depositAccounts(ctx, rng.int(1, 3));
    const other = otherLiability(
      ctx,
      deposits.map((d) => d.number),
    );

    lines.push(rng.pick(["CHECKING & SAVINGS", "Bank accounts", "Deposit accounts"]));
    for (const d of deposits) {
      lines.push(`${ind}${d.name} ${maskOther(ctx, d.number)}`);
      lines.push(
        `${ind}${rng.pick(["Available balance", "Available", "Current"])} ${ctx.m(d.balance)}${d.apy !== null && rng.chance(0.4) ? `   APY ${ctx.r(d.apy)}` : ""}`,
      );
    }
    lines.push("", rng.pick(["LOANS & CREDIT", "Borrowing", "Loans and credit cards"]));
    const otherTile = [
      `${ind}${other.name} ${maskOther(ctx, other.number)}    ${ctx.m(other.balance)}`,
      rng.chance(0.5)
        ? `${ind}${rng.pick(["Payment", "Next payment"])} ${ctx.m(other.payment)} due ${formatDateNoYear(other.due, rng)}`
        : `${ind}${otherLabel(ctx, "monthly_payment", ["Minimum payment due", "Monthly payment"], ["Payment", "Amount due"])} ${ctx.m(other.payment)} · ${otherLabel(ctx, "next_due_date", ["Due date"], ["Due", "Pay by"])} ${ctx.d(other.due)}`,
    ];
    const openTile = [
      `${rng.pick(["v ", "▼ ", "[-] "])}${heading} ${acct}    ${tileBalance}    ${rng.pick(["(selected)", "(open)", ""])}`.trimEnd(),
      ...pairs.map((p) => `${ind}${p.label.trim()}${rng.pick(["  ", ": ", "   "])}${p.value}`),
      ...recent,
    ];
    if (rng.chance(0.5)) lines.push(...otherTile, ...openTile);
    else lines.push(...openTile, ...otherTile);
    lines.push("", rng.pick(["[Make a payment]  [Transfer]  [Statements]", "Pay  ·  Transfer  ·  Documents", "Make a payment >"]));
    lines.push(`© ${f.asOf.slice(0, 4)} ${f.lender}. ${rng.pick(["Member FDIC.", "Equal Housing Lender.", "All rights reserved."])}`);
    return lines.join("\n");
  },
};

export const multiAccountFamilies: Family[] = [multiAccountSummary, onlineAccountsOverview];
