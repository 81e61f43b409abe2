import type { LiabilityType } from "@liability/domain";
import { addDays, addMonths, daysBetween, isoFromParts } from "./format.ts";
import { address, dealerName, insurerName, lenderName, personName, schoolName, countyName } from "./names.ts";
import type { Address } from "./names.ts";
import type { Rng } from "./rng.ts";

/*
 * The true state of one liability, with everything a document about it might also
 * mention (distractors). Amounts are computed so that what a document shows adds up:
 * payment parts sum to the payment, card activity sums to the new balance, payoff is
 * principal plus accrued per-diem interest plus fees.
 */

export function round2(n: number): number {
  return Math.round(n * 100 + Number.EPSILON * 100) / 100;
}

export interface PayoffQuote {
  amount: number;
  goodThrough: string;
  principal: number;
  accruedInterest: number;
  interestFrom: string;
  perDiem: number;
  fees: [string, number][];
}

export interface CardActivity {
  previousBalance: number;
  payments: number;
  purchases: number;
  cashAdvances: number;
  interestCharged: number;
  feesCharged: number;
  creditLimit: number;
  availableCredit: number;
  cashAdvanceApr: number;
  promoApr: number | null;
  promoEnds: string;
  periodStart: string;
}

export interface EscrowDetail {
  monthly: number;
  taxesAnnual: number;
  insuranceAnnual: number;
  shortage: number;
  cushion: number;
  projectedLow: number;
  oldPayment: number;
  insurer: string;
  taxAuthority: string;
}

export interface Transaction {
  date: string;
  description: string;
  amount: number; // positive = charge / increases balance; negative = payment / credit
}

export interface Facts {
  type: LiabilityType;
  lender: string;
  accountNumber: string;
  borrower: string;
  coBorrower: string | null;
  property: Address;
  mailing: Address;
  asOf: string;
  dueDate: string;
  balance: number;
  rate: number;
  payment: number;
  principalPortion: number;
  interestPortion: number;
  escrowPortion: number;
  escrowBalance: number | null;
  originalPrincipal: number;
  originationDate: string;
  maturityDate: string;
  termMonths: number;
  paymentsMade: number;
  pastDue: number;
  lateFee: number;
  totalDue: number;
  lastPaymentDate: string;
  lastPaymentAmount: number;
  ytdInterest: number;
  ytdPrincipal: number;
  payoff: PayoffQuote;
  card: CardActivity | null;
  heloc: { creditLimit: number; available: number; prime: number; margin: number; drawEnds: string } | null;
  escrow: EscrowDetail | null;
  vehicle: { description: string; vin: string; dealer: string } | null;
  school: string | null;
  unpaidInterest: number;
  transactions: Transaction[];
  phone: string;
  phone2: string;
  routing: string;
  checkingLast4: string;
  ssnLast4: string;
  dob: string;
  confirmation: string;
  nmls: string;
}

function phone(rng: Rng): string {
  return rng.pick([
    `1-800-555-${rng.digits(4)}`,
    `(888) 555-${rng.digits(4)}`,
    `877.555.${rng.digits(4)}`,
    `1 (866) 555-${rng.digits(4)}`,
    `800-555-${rng.digits(4)}`,
  ]);
}

function accountNumber(type: LiabilityType, rng: Rng): string {
  if (type === "credit_card") return `4${rng.digits(15)}`;
  const len = rng.pick([8, 9, 10, 10, 12, 13, 16]);
  return `${rng.int(1, 9)}${rng.digits(len - 1)}`;
}

/** Standard amortised payment, to the cent. */
function amortisedPayment(principal: number, annualRate: number, months: number): number {
  const r = annualRate / 1200;
  if (r === 0) return round2(principal / months);
  return round2((principal * r) / (1 - (1 + r) ** -months));
}

/** Balance after `k` scheduled payments, cent-rounded month by month like a servicer's ledger. */
function balanceAfter(
  principal: number,
  annualRate: number,
  payment: number,
  k: number,
): { balance: number; lastInterest: number; interestYtd: number; principalYtd: number } {
  let b = principal;
  let lastInterest = 0;
  let interestYtd = 0;
  let principalYtd = 0;
  for (let i = 0; i < k; i++) {
    const interest = round2((b * annualRate) / 1200);
    const toPrincipal = round2(payment - interest);
    b = round2(b - toPrincipal);
    lastInterest = interest;
    // the trailing twelve months stand in for "year to date"
    if (i >= k - 12) {
      interestYtd = round2(interestYtd + interest);
      principalYtd = round2(principalYtd + toPrincipal);
    }
  }
  return { balance: Math.max(b, 0), lastInterest, interestYtd, principalYtd };
}

function pickRate(type: LiabilityType, rng: Rng): number {
  switch (type) {
    case "mortgage":
      return rng.chance(0.7) ? rng.int(20, 64) * 0.125 : rng.float(2.5, 8.2, rng.pick([2, 3]));
    case "heloc":
      return 0; // set from prime + margin
    case "auto_loan":
      return rng.chance(0.15) ? rng.pick([0, 0.9, 1.9, 2.9]) : rng.float(2.49, 17.99, rng.pick([2, 2, 3]));
    case "credit_card":
      return rng.float(14.24, 29.99, 2);
    case "student_loan":
      return rng.chance(0.5) ? rng.pick([2.75, 3.73, 4.53, 4.99, 5.05, 5.28, 5.5, 6.54, 6.8, 7.05, 7.54, 8.05]) : rng.float(3.2, 12.5, rng.pick([2, 3]));
    case "personal_loan":
      return rng.float(6.99, 35.99, 2);
  }
}

export function makeFacts(type: LiabilityType, rng: Rng): Facts {
  const lender = lenderName(type, rng);
  const year = rng.int(2024, 2027);
  const month = rng.int(1, 12);
  const borrower = personName(rng);
  const property = address(rng);
  const mailing = rng.chance(0.8) ? property : address(rng);

  // Due dates: mortgages on the 1st (sometimes 15th); others any day up to 28.
  const dueDay = type === "mortgage" ? (rng.chance(0.85) ? 1 : 15) : rng.int(1, 28);
  const dueDate = isoFromParts(year, month, dueDay);
  const asOf = addDays(dueDate, -rng.int(type === "credit_card" ? 21 : 10, type === "credit_card" ? 28 : 25));

  let rate = pickRate(type, rng);
  let heloc: Facts["heloc"] = null;
  if (type === "heloc") {
    const prime = rng.pick([7.5, 7.75, 8.0, 8.25, 8.5]);
    const margin = rng.pick([-0.25, 0, 0.25, 0.5, 0.75, 1, 1.125, 1.5, 2]);
    rate = Number((prime + margin).toFixed(3));
    const creditLimit = rng.int(5, 60) * 5000;
    heloc = { creditLimit, available: 0, prime, margin, drawEnds: addMonths(asOf, rng.int(6, 96)) };
  }
  rate = Number(rate.toFixed(3));

  const termMonths = {
    mortgage: rng.pick([360, 360, 360, 180, 240]),
    heloc: 240,
    auto_loan: rng.pick([36, 48, 60, 72, 72, 84]),
    credit_card: 0,
    student_loan: rng.pick([120, 120, 180, 240, 300]),
    personal_loan: rng.pick([24, 36, 48, 60]),
  }[type];

  const originalPrincipal = {
    mortgage: rng.int(70, 900) * 1000,
    heloc: heloc ? heloc.creditLimit : 0,
    auto_loan: round2(rng.float(9000, 72000, 2)),
    credit_card: 0,
    student_loan: round2(rng.float(4000, 95000, 2)),
    personal_loan: rng.int(2, 45) * 500,
  }[type];

  let balance: number;
  let payment: number;
  let interestPortion = 0;
  let principalPortion = 0;
  let escrowPortion = 0;
  let paymentsMade = 0;
  let ytdInterest = 0;
  let ytdPrincipal = 0;
  let card: CardActivity | null = null;
  const transactions: Transaction[] = [];

  if (type === "credit_card") {
    const creditLimit = rng.int(2, 300) * 100;
    const previousBalance = round2(rng.float(0, creditLimit * 0.8));
    const payments = rng.chance(0.15) ? 0 : round2(Math.min(previousBalance, rng.float(25, Math.max(26, previousBalance))));
    const purchases = round2(rng.float(0, creditLimit * 0.3));
    const cashAdvances = rng.chance(0.15) ? rng.int(1, 10) * 20 : 0;
    const carried = round2(previousBalance - payments);
    const interestCharged = carried > 0 && rng.chance(0.8) ? round2((carried * rate) / 1200) : 0;
    const feesCharged = rng.chance(0.15) ? rng.pick([29, 35, 39, 40]) : 0;
    balance = round2(carried + purchases + cashAdvances + interestCharged + feesCharged);
    if (balance <= 0) balance = round2(purchases + 12.5);
    const minimum = Math.min(balance, Math.max(rng.pick([25, 35, 40]), round2(balance * 0.01 + interestCharged + feesCharged)));
    payment = round2(Math.ceil(minimum));
    const cashAdvanceApr = round2(Math.min(rate + rng.pick([3, 4, 5, 6]), 29.99 + 3));
    const periodStart = addDays(asOf, -rng.int(27, 30));
    card = {
      previousBalance,
      payments,
      purchases,
      cashAdvances,
      interestCharged,
      feesCharged,
      creditLimit,
      availableCredit: round2(Math.max(0, creditLimit - balance)),
      cashAdvanceApr,
      promoApr: rng.chance(0.35) ? rng.pick([0, 1.99, 2.99, 3.99, 4.99]) : null,
      promoEnds: addMonths(asOf, rng.int(2, 15)),
      periodStart,
    };
    // Transactions that add up to the activity totals above.
    const descs = [
      "GROCERY MART #",
      "FUEL STOP ",
      "ONLINE RETAIL*",
      "COFFEE HOUSE ",
      "PHARMACY #",
      "HARDWARE DEPOT ",
      "STREAMING SVC ",
      "RESTAURANT ",
      "AIRLINE TKT ",
      "HOTEL ",
    ];
    let remaining = purchases;
    const n = rng.int(1, 5);
    for (let i = 0; i < n && remaining > 0; i++) {
      const amt = i === n - 1 ? remaining : round2(rng.float(0.05, 0.5) * remaining);
      remaining = round2(remaining - amt);
      transactions.push({ date: addDays(periodStart, rng.int(1, 26)), description: `${rng.pick(descs)}${rng.digits(4)}`, amount: amt });
    }
    if (payments > 0)
      transactions.push({
        date: addDays(periodStart, rng.int(1, 26)),
        description: rng.pick(["PAYMENT - THANK YOU", "ONLINE PAYMENT RECEIVED", "AUTOPAY PAYMENT"]),
        amount: -payments,
      });
    if (cashAdvances > 0) transactions.push({ date: addDays(periodStart, rng.int(1, 26)), description: "CASH ADVANCE ATM", amount: cashAdvances });
    if (interestCharged > 0) transactions.push({ date: asOf, description: "INTEREST CHARGE ON PURCHASES", amount: interestCharged });
    if (feesCharged > 0) transactions.push({ date: addDays(asOf, -rng.int(1, 10)), description: "LATE FEE", amount: feesCharged });
    transactions.sort((a, b) => a.date.localeCompare(b.date));
  } else if (type === "heloc") {
    balance = round2(rng.float(0.1, 0.95) * heloc!.creditLimit);
    heloc!.available = round2(heloc!.creditLimit - balance);
    // Draw-period minimum payment: the month's interest, the common HELOC rule.
    interestPortion = round2(((balance * rate) / 100 / 365) * 30);
    payment = interestPortion;
    paymentsMade = rng.int(3, 90);
    ytdInterest = round2(interestPortion * 12 * rng.float(0.85, 1.1));
  } else {
    const pi = amortisedPayment(originalPrincipal, rate, termMonths);
    paymentsMade = rng.int(2, Math.max(3, termMonths - 6));
    const after = balanceAfter(originalPrincipal, rate, pi, paymentsMade);
    balance = after.balance;
    ytdInterest = after.interestYtd;
    ytdPrincipal = after.principalYtd;
    interestPortion = round2((balance * rate) / 1200);
    principalPortion = round2(pi - interestPortion);
    payment = pi;
  }

  let escrow: EscrowDetail | null = null;
  let escrowBalance: number | null = null;
  if (type === "mortgage") {
    const taxesAnnual = round2(rng.float(900, 14000));
    const insuranceAnnual = round2(rng.float(500, 4200));
    escrowPortion = round2((taxesAnnual + insuranceAnnual) / 12);
    payment = round2(payment + escrowPortion);
    escrowBalance = round2(rng.float(0, escrowPortion * 9));
    const shortage = rng.chance(0.5) ? round2(rng.float(50, 1800)) : 0;
    escrow = {
      monthly: escrowPortion,
      taxesAnnual,
      insuranceAnnual,
      shortage,
      cushion: round2(escrowPortion * 2),
      projectedLow: round2(Math.max(0, escrowPortion * 2 - shortage)),
      oldPayment: round2(payment - rng.float(-120, 180)),
      insurer: insurerName(rng),
      taxAuthority: countyName(rng),
    };
  }

  let pastDue = rng.chance(0.2) ? round2(payment * rng.pick([1, 1, 2])) : 0;
  let lateFee = pastDue > 0 ? round2(rng.pick([15, 25, 35, 50, payment * 0.05])) : 0;
  let totalDue = round2(payment + pastDue + lateFee);
  if (type === "credit_card" && pastDue > 0) {
    // A card's minimum payment due already includes last cycle's unpaid minimum.
    pastDue = round2(Math.min(pastDue, rng.pick([25, 35, 40])));
    lateFee = card!.feesCharged;
    payment = round2(payment + pastDue);
    totalDue = payment;
  }

  // Payoff: principal + per-diem interest from the last paid-through date + fees.
  const goodThrough = addDays(asOf, rng.int(7, 30));
  const interestFrom = addDays(asOf, -rng.int(0, 28));
  const perDiem = round2((balance * rate) / 100 / (rng.chance(0.8) ? 365 : 360));
  const accruedInterest = round2(perDiem * Math.max(1, daysBetween(interestFrom, goodThrough)));
  const fees: [string, number][] = [];
  if (rng.chance(0.5)) fees.push([rng.pick(["Payoff statement fee", "Processing fee", "Fax/statement fee"]), rng.pick([15, 20, 25, 30])]);
  if (type === "mortgage" || type === "heloc") {
    if (rng.chance(0.6)) fees.push([rng.pick(["Recording fee", "Release/reconveyance fee", "Lien release fee"]), rng.pick([18, 25, 40, 45, 62])]);
  }
  if (pastDue > 0 && rng.chance(0.5)) fees.push(["Late charges", lateFee]);
  const payoffAmount = round2(balance + accruedInterest + fees.reduce((s, [, v]) => s + v, 0));

  const originationDate = addMonths(dueDate, -(paymentsMade + 1));
  const vehicle =
    type === "auto_loan"
      ? {
          description: `${rng.int(2016, 2026)} ${rng.pick(["Honda Civic", "Ford F-150", "Toyota RAV4", "Subaru Outback", "Chevrolet Equinox", "Hyundai Tucson", "Nissan Rogue", "Jeep Wrangler", "Kia Telluride", "Mazda CX-5"])}`,
          vin: `${rng.pick(["1HG", "1FT", "JTM", "4S4", "2GN", "KM8", "5N1", "1C4", "5XY", "JM3"])}${[...Array(14)].map(() => rng.pick([..."ABCDEFGHJKLMNPRSTUVWXYZ0123456789"])).join("")}`,
          dealer: dealerName(rng),
        }
      : null;

  return {
    type,
    lender,
    accountNumber: accountNumber(type, rng),
    borrower,
    coBorrower: rng.chance(0.25) ? personName(rng) : null,
    property,
    mailing,
    asOf,
    dueDate,
    balance,
    rate,
    payment,
    principalPortion,
    interestPortion,
    escrowPortion,
    escrowBalance,
    originalPrincipal,
    originationDate,
    maturityDate: termMonths ? addMonths(originationDate, termMonths) : addMonths(asOf, 240),
    termMonths,
    paymentsMade,
    pastDue,
    lateFee,
    totalDue,
    lastPaymentDate: addDays(asOf, -rng.int(3, 30)),
    lastPaymentAmount: rng.chance(0.8) ? payment : round2(payment * rng.float(0.5, 2)),
    ytdInterest,
    ytdPrincipal,
    payoff: { amount: payoffAmount, goodThrough, principal: balance, accruedInterest, interestFrom, perDiem, fees },
    card,
    heloc,
    escrow,
    vehicle,
    school: type === "student_loan" ? schoolName(rng) : null,
    unpaidInterest: type === "student_loan" && rng.chance(0.5) ? round2(rng.float(10, 900)) : 0,
    transactions,
    phone: phone(rng),
    phone2: phone(rng),
    routing: `0${rng.digits(8)}`,
    checkingLast4: rng.digits(4),
    ssnLast4: rng.digits(4),
    dob: isoFromParts(rng.int(1950, 2002), rng.int(1, 12), rng.int(1, 28)),
    confirmation: rng.pick([`${rng.digits(9)}`, `C${rng.digits(7)}`, `REF-${rng.digits(6)}`, `${rng.digits(3)}-${rng.digits(5)}`]),
    nmls: rng.digits(rng.pick([4, 5, 6, 7])),
  };
}
