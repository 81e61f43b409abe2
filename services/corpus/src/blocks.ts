import type { RecordField } from "@liability/domain";
import type { RenderContext } from "./context.ts";
import { formatDate, formatRate } from "./format.ts";
import { CARD_PRODUCTS } from "./names.ts";
import { productNoun, productTitle, vocab } from "./vocab.ts";

/*
 * Building blocks shared by layouts: the label/value pairs a statement carries (the
 * liability's own figures and the distractors that sit beside them), headers and
 * footers. Layout families decide how the pairs are arranged on the page.
 */

export interface Pair {
  label: string;
  value: string;
  /** Set when the pair states a record field. */
  field?: RecordField;
  section: "account" | "payment" | "balance" | "rate" | "other";
}

export interface CoreOptions {
  /** Probability that each optional field is printed. */
  p?: Partial<Record<RecordField, number>>;
  /** Print the mortgage payment breakdown (principal / interest / escrow). */
  breakdown?: boolean;
}

const DEFAULT_P: Partial<Record<RecordField, number>> = {
  account_last4: 0.93,
  as_of_date: 0.9,
  next_due_date: 0.93,
  monthly_payment: 0.93,
  current_balance: 0.95,
  interest_rate: 0.75,
  escrow_balance: 0.75,
};

/** The figures of a monthly statement for the liability, each printed with its probability. */
export function corePairs(ctx: RenderContext, opts: CoreOptions = {}): Pair[] {
  const { f, rng, type } = ctx;
  const p = { ...DEFAULT_P, ...opts.p };
  const out: Pair[] = [];
  const want = (k: RecordField) => ctx.show(p[k] ?? 0);

  if (want("account_last4")) out.push({ label: vocab.account(type, rng), value: ctx.account(), field: "account_last4", section: "account" });
  if (want("as_of_date")) {
    if (type === "credit_card" && f.card && rng.chance(0.25)) {
      // Only the billing period is printed; it closes on the statement date.
      out.push({
        label: rng.pick(["Billing Period", "Statement Period", "Billing Cycle"]),
        value: `${ctx.d(f.card.periodStart)} - ${ctx.date("as_of_date", f.asOf)}`,
        field: "as_of_date",
        section: "account",
      });
    } else out.push({ label: vocab.asOf(type, rng), value: ctx.date("as_of_date", f.asOf), field: "as_of_date", section: "account" });
  }
  if (want("next_due_date")) out.push({ label: vocab.due(rng), value: ctx.date("next_due_date", f.dueDate), field: "next_due_date", section: "payment" });

  if (want("monthly_payment")) {
    if (f.pastDue > 0) {
      const regular =
        type === "credit_card" || type === "heloc"
          ? vocab.payment(type, rng)
          : rng.pick(["Regular Monthly Payment", "Regular Payment", "Current Payment", "Monthly Payment", "Scheduled Payment"]);
      out.push({ label: regular, value: ctx.money("monthly_payment", f.payment), field: "monthly_payment", section: "payment" });
      out.push({ label: rng.pick(["Past Due Amount", "Amount Past Due", "Overdue Payment(s)", "Past Due"]), value: ctx.m(f.pastDue), section: "payment" });
      if (f.lateFee > 0) out.push({ label: rng.pick(["Late Charge", "Late Fee", "Late Charges Assessed"]), value: ctx.m(f.lateFee), section: "payment" });
      // Card minimums already include the past-due part, so cards show no separate total.
      if (type !== "credit_card") {
        out.push({ label: rng.pick(["Total Amount Due", "Total Due", "Amount Due Now"]), value: ctx.m(f.totalDue), section: "payment" });
      }
    } else {
      const label =
        type === "credit_card" || type === "heloc" ? vocab.payment(type, rng) : rng.pick([vocab.payment(type, rng), "Amount Due", "Current Amount Due"]);
      out.push({ label, value: ctx.money("monthly_payment", f.payment), field: "monthly_payment", section: "payment" });
    }
  }
  if (type === "mortgage" && (opts.breakdown ?? rng.chance(0.6))) {
    out.push({ label: "  Principal", value: ctx.m(f.principalPortion), section: "payment" });
    out.push({ label: "  Interest", value: ctx.m(f.interestPortion), section: "payment" });
    out.push({
      label: rng.pick(["  Escrow (taxes/insurance)", "  Escrow", "  Escrow Deposit", "  Taxes & Insurance"]),
      value: ctx.m(f.escrowPortion),
      section: "payment",
    });
  }
  if (want("current_balance"))
    out.push({ label: vocab.balance(type, rng), value: ctx.money("current_balance", f.balance), field: "current_balance", section: "balance" });
  if (want("interest_rate")) out.push({ label: vocab.rate(type, rng), value: ctx.rate(f.rate), field: "interest_rate", section: "rate" });
  if (type === "mortgage" && f.escrowBalance !== null && want("escrow_balance")) {
    out.push({ label: vocab.escrow(rng), value: ctx.money("escrow_balance", f.escrowBalance), field: "escrow_balance", section: "balance" });
  }
  return out;
}

/** Numbers that sit beside the real figures and must not be taken for them. */
export function distractorPairs(ctx: RenderContext, max = 4): Pair[] {
  const { f, rng, type } = ctx;
  const all: Pair[] = [];
  const o = (label: string, value: string, section: Pair["section"] = "other") => all.push({ label, value, section });
  switch (type) {
    case "mortgage":
      o(rng.pick(["Original Principal", "Original Loan Amount", "Original Balance"]), ctx.m(f.originalPrincipal), "balance");
      o("Maturity Date", ctx.d(f.maturityDate));
      o(rng.pick(["Interest Paid Year-to-Date", "YTD Interest Paid", "Interest Paid This Year"]), ctx.m(f.ytdInterest));
      if (f.escrow) o(rng.pick(["Escrow Shortage", "Escrow Shortage Amount"]), ctx.m(f.escrow.shortage));
      o(rng.pick(["Unapplied Funds", "Suspense Balance", "Partial Payment (Unapplied)"]), ctx.m(rng.chance(0.7) ? 0 : Math.round(rng.next() * 30000) / 100));
      o("Prepayment Penalty", rng.pick(["No", "None", "Yes - see note"]));
      break;
    case "heloc":
      o(rng.pick(["Credit Limit", "Credit Line", "Total Credit Line"]), ctx.m(f.heloc!.creditLimit), "balance");
      o(rng.pick(["Available Credit", "Available Line", "Credit Available"]), ctx.m(f.heloc!.available), "balance");
      o(rng.pick(["Prime Rate", "Index (Prime)", "Index Rate"]), formatRate(f.heloc!.prime, ctx.styles.rate), "rate");
      o("Margin", `${f.heloc!.margin >= 0 ? "+" : ""}${formatRate(f.heloc!.margin, ctx.styles.rate)}`, "rate");
      o(rng.pick(["Draw Period Ends", "End of Draw Period"]), ctx.d(f.heloc!.drawEnds));
      o(rng.pick(["Interest Paid Year-to-Date", "YTD Interest"]), ctx.m(f.ytdInterest));
      break;
    case "credit_card":
      o("Previous Balance", ctx.m(f.card!.previousBalance), "balance");
      o(rng.pick(["Credit Limit", "Credit Line", "Total Credit Limit"]), ctx.m(f.card!.creditLimit), "balance");
      o(rng.pick(["Available Credit", "Available Credit Line"]), ctx.m(f.card!.availableCredit), "balance");
      o(rng.pick(["Cash Advance APR", "Cash APR", "APR for Cash Advances"]), formatRate(f.card!.cashAdvanceApr, ctx.styles.rate), "rate");
      if (f.card!.promoApr !== null)
        o(
          rng.pick(["Balance Transfer APR (promotional)", "Promotional APR", "Intro Balance Transfer APR"]),
          `${formatRate(f.card!.promoApr, ctx.styles.rate)} until ${ctx.d(f.card!.promoEnds)}`,
          "rate",
        );
      o(rng.pick(["Cash Advance Limit", "Cash Credit Line"]), ctx.m(Math.round(f.card!.creditLimit * 0.3)), "balance");
      break;
    case "auto_loan":
      o(rng.pick(["Amount Financed", "Original Amount Financed", "Original Loan Amount"]), ctx.m(f.originalPrincipal), "balance");
      o("Vehicle", f.vehicle!.description);
      o("VIN", f.vehicle!.vin);
      o("Maturity Date", ctx.d(f.maturityDate));
      o(rng.pick(["Payments Remaining", "Remaining Payments"]), String(f.termMonths - f.paymentsMade));
      o(rng.pick(["Interest Paid YTD", "Interest Paid Year-to-Date"]), ctx.m(f.ytdInterest));
      break;
    case "student_loan":
      o("School", f.school!);
      o(rng.pick(["Original Principal Disbursed", "Original Loan Amount", "Amount Disbursed"]), ctx.m(f.originalPrincipal), "balance");
      if (f.unpaidInterest > 0) o(rng.pick(["Unpaid Accrued Interest", "Outstanding Interest", "Accrued Interest"]), ctx.m(f.unpaidInterest), "balance");
      o("Repayment Plan", rng.pick(["Standard", "Graduated", "Extended", "Income-Based"]));
      o(rng.pick(["Interest Paid This Year", "Interest Paid YTD"]), ctx.m(f.ytdInterest));
      break;
    case "personal_loan":
      o(rng.pick(["Original Loan Amount", "Amount Financed", "Original Principal"]), ctx.m(f.originalPrincipal), "balance");
      o("Maturity Date", ctx.d(f.maturityDate));
      o(rng.pick(["Payments Made", "Payments Made to Date"]), `${f.paymentsMade} of ${f.termMonths}`);
      o(rng.pick(["Interest Paid YTD", "Interest Paid Year-to-Date"]), ctx.m(f.ytdInterest));
      break;
  }
  o(rng.pick(["Last Payment Received", "Last Payment Date", "Date of Last Payment"]), ctx.d(f.lastPaymentDate));
  o(rng.pick(["Last Payment Amount", "Amount of Last Payment"]), ctx.m(f.lastPaymentAmount));
  return rng.sample(all, rng.int(Math.min(1, max), max));
}

/** The document title: lender, product, sometimes the card product name. */
export function titleLines(ctx: RenderContext): string[] {
  const { f, rng } = ctx;
  const title = productTitle(f.type, rng);
  if (f.type === "credit_card" && rng.chance(0.5)) return [`${f.lender}  ${rng.pick(CARD_PRODUCTS)}`, title];
  return rng.chance(0.5) ? [f.lender.toUpperCase(), title] : [f.lender, title];
}

export function addressLines(ctx: RenderContext): string[] {
  const { f, rng } = ctx;
  const a = f.mailing;
  const lines = [f.coBorrower && rng.chance(0.5) ? `${f.borrower} & ${f.coBorrower}` : f.borrower, a.line1, `${a.city}, ${a.state} ${a.zip}`];
  return rng.chance(0.5) ? lines.map((l) => l.toUpperCase()) : lines;
}

export function propertyLine(ctx: RenderContext): string | null {
  const { f, rng } = ctx;
  if (f.type === "mortgage" || f.type === "heloc")
    return `${rng.pick(["Property", "Property Address", "Collateral"])}: ${f.property.line1}, ${f.property.city}`;
  if (f.type === "auto_loan") return `${rng.pick(["Vehicle", "Collateral"])}: ${f.vehicle!.description}`;
  return null;
}

const BOILERPLATE = [
  "IMPORTANT NOTICE: We may report information about your account to credit bureaus. Late payments, missed payments, or other defaults on your account may be reflected in your credit report.",
  "Billing Rights Summary: If you think there is an error on your statement, write to us within 60 days after we sent you the first statement on which the error appeared. Do not call to report an error.",
  "Partial payments are not applied to your loan but held in a separate account until you pay the rest of the payment; then we apply the funds.",
  "If you are a servicemember or the dependent of a servicemember, you may be entitled to certain protections under the Servicemembers Civil Relief Act.",
  "Housing counselors: for a list of homeownership counselors or counseling organizations in your area, contact the U.S. Department of Housing and Urban Development.",
  "Payments made by check authorize us to convert your check into an electronic funds transfer. Funds may be withdrawn from your account the same day we receive your payment.",
  "This communication is from a debt collector. If you are in bankruptcy or have received a discharge of this debt, this statement is for informational purposes only.",
  "Interest is calculated on the daily principal balance using a 365-day year. Payments are applied first to interest, then to principal, then to escrow and fees.",
];

/** A paragraph of the legal text that fills real statements; sometimes none. */
export function boilerplate(ctx: RenderContext, p = 0.35): string[] {
  if (!ctx.rng.chance(p)) return [];
  const para = ctx.rng.pick(BOILERPLATE);
  const out: string[] = [];
  let line = "";
  for (const w of para.split(" ")) {
    if (line && line.length + w.length + 1 > 84) {
      out.push(line);
      line = w;
    } else line = line ? `${line} ${w}` : w;
  }
  if (line) out.push(line);
  return ["", ...out];
}

export function footerLines(ctx: RenderContext): string[] {
  const { f, rng } = ctx;
  const out: string[] = [];
  const opts = [
    () => `Questions? Call ${f.phone} (Mon-Fri 8am-6pm).`,
    () => `Customer Service: ${f.phone}   Hearing impaired: ${f.phone2}`,
    () => `NMLS ID #${f.nmls}`,
    () => `Pay by phone: ${f.phone2}. A convenience fee may apply.`,
    () => `${f.lender} is a debt collector. Any information obtained will be used for that purpose.`,
    () => rng.pick(["Member FDIC. Equal Housing Lender.", "Federally insured by NCUA.", "Equal Credit Opportunity Lender."]),
    () => `Mail payments to: ${f.lender}, P.O. Box ${rng.int(1000, 99999)}, ${f.property.city}, ${f.property.state} ${f.property.zip}`,
    () => `Payments received after 5:00 p.m. ET are credited the next business day.`,
    () => `If you are experiencing financial difficulty, call ${f.phone2} to discuss options.`,
  ];
  for (const make of rng.sample(opts, rng.int(1, 3))) out.push(make());
  return [...out, ...boilerplate(ctx)];
}

/** A sentence naming the product, so the liability type is readable from prose layouts. */
export function productSentence(ctx: RenderContext): string {
  return `This statement is for your ${productNoun(ctx.type, ctx.rng)} with ${ctx.f.lender}.`;
}

export function formatDateAlt(ctx: RenderContext, iso: string): string {
  return formatDate(iso, ctx.styles.date);
}
