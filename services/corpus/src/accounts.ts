import type { LiabilityType, RecordField } from "@liability/domain";
import type { RenderContext } from "./context.ts";
import { round2 } from "./facts.ts";
import { addDays, addMonths } from "./format.ts";
import { ALL_TYPES } from "./families/types.ts";

/*
 * The customer's other accounts at the same institution: deposit accounts and a second
 * loan or card, each with its own number, balance, rate and dates. Multi-account layouts
 * print them beside the one liability the document is about; none of their figures is
 * ever a label. Drawn from the render stream, so the liability's own facts are untouched.
 */

export interface DepositAccount {
  name: string;
  number: string;
  balance: number;
  beginning: number;
  /** Annual percentage yield, for interest-bearing accounts. */
  apy: number | null;
  /** Maturity date, for certificates. */
  matures: string | null;
}

export interface OtherLiability {
  type: LiabilityType;
  name: string;
  number: string;
  balance: number;
  rate: number;
  payment: number;
  due: string;
  limit: number | null;
}

const DEPOSIT_NAMES = [
  ["Everyday Checking", false],
  ["Premier Checking", false],
  ["Interest Checking", true],
  ["Statement Savings", true],
  ["Money Market Savings", true],
  ["High Yield Savings", true],
  ["Share Savings", true],
  ["12-Month Certificate", true],
  ["Holiday Club Savings", true],
] as const;

/** A digit string of `len` (starting with `lead` when given) whose last four differ from every string in `avoid`. */
function freshNumber(ctx: RenderContext, len: number, avoid: readonly string[], lead?: string): string {
  for (;;) {
    const n = `${lead ?? String(ctx.rng.int(1, 9))}${ctx.rng.digits(len - 1)}`;
    if (!avoid.some((a) => a.slice(-4) === n.slice(-4))) return n;
  }
}

export function depositAccounts(ctx: RenderContext, count: number): DepositAccount[] {
  const { rng, f } = ctx;
  const used: string[] = [f.accountNumber];
  const out: DepositAccount[] = [];
  let payFromUsed = false;
  for (const [name, bearing] of rng.sample(DEPOSIT_NAMES, count)) {
    // The first checking account is the one the customer pays from, as elsewhere in the corpus.
    const payFrom = name.includes("Checking") && !payFromUsed && f.checkingLast4 !== f.accountNumber.slice(-4);
    const number = payFrom ? `${rng.int(1, 9)}${rng.digits(5)}${f.checkingLast4}` : freshNumber(ctx, 10, used);
    if (payFrom) payFromUsed = true;
    used.push(number);
    const balance = round2(rng.float(25, name.includes("Certificate") ? 50000 : 30000));
    out.push({
      name,
      number,
      balance,
      beginning: round2(balance * rng.float(0.6, 1.4)),
      apy: bearing ? rng.float(0.05, 4.9, 2) : null,
      matures: name.includes("Certificate") ? addMonths(f.asOf, rng.int(1, 11)) : null,
    });
  }
  return out;
}

const OTHER_NAMES: Record<LiabilityType, readonly string[]> = {
  mortgage: ["Home Mortgage", "Mortgage Loan", "First Mortgage"],
  heloc: ["Home Equity Line", "Equity Line of Credit", "HELOC"],
  auto_loan: ["Auto Loan", "Vehicle Loan", "New Car Loan"],
  credit_card: ["Visa Signature Card", "Rewards Visa", "Platinum Credit Card"],
  student_loan: ["Student Loan", "Education Refinance Loan"],
  personal_loan: ["Personal Loan", "Personal Line", "Installment Loan"],
};

/** A second liability of another type than the document's. */
export function otherLiability(ctx: RenderContext, avoid: readonly string[] = []): OtherLiability {
  const { rng, f } = ctx;
  const type = rng.pick(ALL_TYPES.filter((t) => t !== f.type && t !== "student_loan"));
  const range: Record<LiabilityType, [number, number, number, number]> = {
    // balance min, max, rate min, max
    mortgage: [60000, 650000, 2.75, 7.5],
    heloc: [4000, 150000, 7.25, 10.5],
    auto_loan: [2500, 60000, 1.9, 14.9],
    credit_card: [150, 14000, 15.99, 29.99],
    student_loan: [3000, 80000, 3.5, 8.5],
    personal_loan: [900, 30000, 7.99, 24.99],
  };
  const [bmin, bmax, rmin, rmax] = range[type];
  const balance = round2(rng.float(bmin, bmax));
  const rate = rng.float(rmin, rmax, 2);
  const share = { mortgage: 0.0068, heloc: 0.0075, auto_loan: 0.024, credit_card: 0.03, student_loan: 0.011, personal_loan: 0.035 }[type];
  let due = addDays(f.dueDate, rng.int(-12, 14));
  if (due === f.dueDate) due = addDays(due, 3);
  return {
    type,
    name: rng.pick(OTHER_NAMES[type]),
    number: freshNumber(ctx, type === "credit_card" ? 16 : 10, [f.accountNumber, ...avoid], type === "credit_card" ? "4" : undefined),
    balance,
    rate,
    payment: round2(Math.max(25, balance * share * rng.float(0.9, 1.1))),
    due,
    limit: type === "credit_card" || type === "heloc" ? Math.ceil((balance * rng.float(1.2, 3)) / 500) * 500 : null,
  };
}

/**
 * Words for a figure of another account. Where the document states no value for the
 * field, a label that unmistakably names the field ("Principal Balance 4,100.00") would
 * read as the missing value, so such a figure gets a plainer label.
 */
export function otherLabel(ctx: RenderContext, field: RecordField, strong: readonly string[], plain: readonly string[]): string {
  return ctx.rng.pick(ctx.isStated(field) && ctx.rng.chance(0.6) ? strong : plain);
}

/** The masked form a statement prints another account's number in. */
export function maskOther(ctx: RenderContext, number: string): string {
  const l4 = number.slice(-4);
  return ctx.rng.pick([`****${l4}`, `...${l4}`, `xxxx${l4}`, `*${l4}`, `XXXXXX${l4}`]);
}

/** Title-case product name of the document's liability, for headings. */
export function productHeading(type: LiabilityType, pick: <T>(xs: readonly T[]) => T): string {
  const options: Record<LiabilityType, readonly string[]> = {
    mortgage: ["Mortgage Loan", "Home Loan", "Residential Mortgage"],
    heloc: ["Home Equity Line of Credit", "HELOC", "Home Equity Line"],
    auto_loan: ["Auto Loan", "Vehicle Loan", "Car Loan"],
    credit_card: ["Credit Card", "Visa Credit Card", "Mastercard Credit Card"],
    student_loan: ["Student Loan", "Education Loan"],
    personal_loan: ["Personal Loan", "Personal Installment Loan"],
  };
  return pick(options[type]);
}
