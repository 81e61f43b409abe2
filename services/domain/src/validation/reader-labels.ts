import { AMOUNT_LABELS } from "./amount-labels.ts";
import { nameMatcher } from "./name-matcher.ts";

/*
 * The labelled-field reader's vocabulary (reader.ts reads with it): how statements, letters and
 * calls name the fields, the look-alikes that name something else, and where a name counts.
 */

/** The fields the reader reads (READER_FIELDS in reader.ts lists them in record order). */
export type ReaderField =
  | "current_balance"
  | "payoff_amount"
  | "account_last4"
  | "escrow_balance"
  | "interest_rate"
  | "monthly_payment"
  | "next_due_date"
  | "as_of_date"
  | "payoff_good_through";

/**
 * Field names as documents word them, and look-alikes that name something else (null). At one
 * position the longest phrase wins, so "cash advance APR" is not read as "APR" and "late
 * payment" not as "payment".
 */
const LABELS: ReadonlyArray<readonly [string, ReaderField | null]> = [
  ...AMOUNT_LABELS.filter(([phrase, target]) => target !== null && phrase !== "balance" && phrase !== "payoff"),
  ["account number", "account_last4"],
  // Speech-to-text hears "account number" as two words.
  ["a count number", "account_last4"],
  ["account no", "account_last4"],
  ["account #", "account_last4"],
  ["acct #", "account_last4"],
  ["acct no", "account_last4"],
  ["acct", "account_last4"],
  ["loan number", "account_last4"],
  ["contract no", "account_last4"],
  ["contract number", "account_last4"],
  ["loan no", "account_last4"],
  ["loan #", "account_last4"],
  ["card number", "account_last4"],
  ["account ending in", "account_last4"],
  ["account ending", "account_last4"],
  ["card ending in", "account_last4"],
  ["card ending", "account_last4"],
  ["ending in", "account_last4"],
  ["loan number ending in", "account_last4"],
  ["member number", "account_last4"],
  ["ends in", "account_last4"],
  ["ending with", "account_last4"],
  ["loan id", "account_last4"],
  ["account id", "account_last4"],
  // A statement's "ACCOUNT 929801162", "credit card account ...9065"; the look-alikes below
  // ("checking account", "escrow account") win where they are longer.
  ["account", "account_last4"],
  ["escrow balance", "escrow_balance"],
  ["escrow account balance", "escrow_balance"],
  ["current escrow balance", "escrow_balance"],
  ["impound balance", "escrow_balance"],
  ["escrow bal", "escrow_balance"],
  // A card's interest-charge table: "Purchases  24.99% (v)  $1,204.10  $24.77" (line start only, below).
  ["purchases", "interest_rate"],
  ["standard purchases", "interest_rate"],
  ["interest rate", "interest_rate"],
  ["current interest rate", "interest_rate"],
  ["note rate", "interest_rate"],
  ["annual percentage rate", "interest_rate"],
  ["apr", "interest_rate"],
  ["purchase apr", "interest_rate"],
  ["purchases apr", "interest_rate"],
  ["standard purchase apr", "interest_rate"],
  ["apr for purchases", "interest_rate"],
  ["purchase rate", "interest_rate"],
  ["rate", "interest_rate"],
  ["fixed rate", "interest_rate"],
  ["variable rate", "interest_rate"],
  ["current rate", "interest_rate"],
  ["new rate", "interest_rate"],
  ["new interest rate", "interest_rate"],
  ["scheduled pmt", "monthly_payment"],
  ["amount of last pmt", null],
  ["last pmt", null],
  ["monthly payment", "monthly_payment"],
  ["regular monthly payment", "monthly_payment"],
  ["monthly payment amount", "monthly_payment"],
  ["minimum payment", "monthly_payment"],
  ["minimum payment due", "monthly_payment"],
  ["total minimum payment due", "monthly_payment"],
  ["minimum amount due", "monthly_payment"],
  ["minimum due", "monthly_payment"],
  ["scheduled payment", "monthly_payment"],
  ["regular payment", "monthly_payment"],
  ["installment amount", "monthly_payment"],
  ["monthly installment", "monthly_payment"],
  ["min payment due", "monthly_payment"],
  ["min payment", "monthly_payment"],
  ["min due", "monthly_payment"],
  ["minimum monthly payment", "monthly_payment"],
  ["monthly payment due", "monthly_payment"],
  ["current payment", "monthly_payment"],
  ["new payment", "monthly_payment"],
  ["new monthly payment", "monthly_payment"],
  // "the payment is $322.62 a month", in a call only (SPOKEN_ONLY); on an overview of several accounts each
  // "Next payment" is its own account's.
  ["payment", "monthly_payment"],
  ["next payment", null],
  ["partial payment", null],
  ["unapplied payment", null],
  ["principal payment", null],
  ["interest payment", null],
  ["payment due date", "next_due_date"],
  ["next payment due date", "next_due_date"],
  ["next due date", "next_due_date"],
  ["due date", "next_due_date"],
  ["next payment due", "next_due_date"],
  ["payment due", "next_due_date"],
  ["due on", "next_due_date"],
  ["due by", "next_due_date"],
  ["please pay by", "next_due_date"],
  ["pay by", "next_due_date"],
  ["is due", "next_due_date"],
  ["due", "next_due_date"],
  ["amount due", "monthly_payment"],
  ["payment amount", "monthly_payment"],
  ["statement date", "as_of_date"],
  ["billing date", "as_of_date"],
  ["closing date of billing cycle", "as_of_date"],
  ["statement dated", "as_of_date"],
  ["letter dated", "as_of_date"],
  ["analysis date", "as_of_date"],
  ["date of analysis", "as_of_date"],
  ["notice date", "as_of_date"],
  ["date of notice", "as_of_date"],
  ["date of letter", "as_of_date"],
  ["letter date", "as_of_date"],
  ["issued", "as_of_date"],
  ["issue date", "as_of_date"],
  ["date issued", "as_of_date"],
  ["date prepared", "as_of_date"],
  ["prepared on", "as_of_date"],
  // A letter's or a form's own date ("Date: 03-08-2025"); the dated things a document also lists are look-alikes.
  ["date", "as_of_date"],
  ["statement closing date", "as_of_date"],
  ["closing date", "as_of_date"],
  ["billing cycle closing", "as_of_date"],
  ["cycle closing", "as_of_date"],
  ["statement as of", "as_of_date"],
  ["for the period", "as_of_date"],
  ["date of statement", "as_of_date"],
  ["as of", "as_of_date"],
  ["call date", "as_of_date"],
  ["date of call", "as_of_date"],
  ["recorded on", "as_of_date"],
  ["today is", "as_of_date"],
  ["today's", "as_of_date"],
  ["generated today", "as_of_date"],
  ["quote date", "as_of_date"],
  ["date of quote", "as_of_date"],
  ["statement that closed on", "as_of_date"],
  ["statement closed on", "as_of_date"],
  ["cycle closed on", "as_of_date"],
  ["statement period", "as_of_date"],
  ["billing period", "as_of_date"],
  ["billing cycle", "as_of_date"],
  ["statement cycle", "as_of_date"],
  ["good through", "payoff_good_through"],
  ["good thru", "payoff_good_through"],
  ["good until", "payoff_good_through"],
  ["valid through", "payoff_good_through"],
  ["valid until", "payoff_good_through"],
  ["quote expires", "payoff_good_through"],
  ["quote expires on", "payoff_good_through"],
  ["quote valid through", "payoff_good_through"],
  ["if received by", "payoff_good_through"],
  ["if paid by", "payoff_good_through"],
  ["pay it off through", "payoff_good_through"],
  ["pay it off by", "payoff_good_through"],
  ["pay off through", "payoff_good_through"],
  ["payoff through", "payoff_good_through"],
  ["pay it in full by", "payoff_good_through"],
  // Look-alikes.
  ["on your account", null],
  ["on the account", null],
  ["on this account", null],
  ["checking account", null],
  ["savings account", null],
  ["checking account ending", null],
  ["savings account ending", null],
  ["draft from", null],
  ["autopay from", null],
  ["routing number", null],
  ["reference number", null],
  ["confirmation number", null],
  ["phone number", null],
  ["callback number", null],
  ["cash advance apr", null],
  ["cash apr", null],
  ["total amount due", null],
  // Past due included: "Amount Due Now" is the regular payment plus what is overdue.
  ["amount due now", null],
  ["total due now", null],
  ["past due amount", null],
  ["amount past due", null],
  ["due to", null],
  ["overdue", null],
  ["balance transfer apr", null],
  ["penalty apr", null],
  ["promotional apr", null],
  ["intro apr", null],
  ["introductory apr", null],
  ["late payment", null],
  ["last payment", null],
  ["previous payment", null],
  ["payment received", null],
  ["escrow payment", null],
  ["escrow shortage", null],
  ["maturity date", null],
  ["payment date", null],
  ["closing date of", null],
  ["date of birth", null],
  ["effective date", null],
  ["date effective", null],
  ["transaction date", null],
  ["trans date", null],
  ["post date", null],
  ["posting date", null],
  ["start date", null],
  ["end date", null],
  ["expiration date", null],
  ["open date", null],
  ["date opened", null],
  ["origination date", null],
  ["date of last payment", null],
  ["last payment date", null],
  ["disbursement date", null],
  // An autopay notice's first draft is the next payment: "First draft date: Feb. 14, 2024".
  ["draft date", "next_due_date"],
  ["first draft date", "next_due_date"],
  ["next draft date", "next_due_date"],
  ["last draft date", null],
  ["date paid", null],
  ["date received", null],
  ["prime rate", null],
  ["lock rate", null],
  ["fixed lock rate", null],
  ["rate lock", null],
  ["prime", null],
  ["index rate", null],
  ["index", null],
  ["margin", null],
  ["rate change", null],
  ["rate adjustment", null],
  ["rate cap", null],
  ["exchange rate", null],
  ["penalty rate", null],
  ["promotional rate", null],
  ["intro rate", null],
  ["introductory rate", null],
  ["teaser rate", null],
  ["cash advance rate", null],
  ["balance transfer rate", null],
  ["previous rate", null],
  ["prior rate", null],
  ["old rate", null],
  ["former rate", null],
  ["escrow account", null],
  ["bank account", null],
  ["deposit account", null],
  ["funding account", null],
  ["payment account", null],
  ["last four of the social", null],
  ["last four of your social", null],
  ["last four of the borrower's social", null],
  ["last four of a borrower's social", null],
  ["last four of the ssn", null],
  ["last four of your ssn", null],
  ["last 4 of ssn", null],
  ["last 4 of the ssn", null],
  ["last four of the social security number", null],
  ["social security", null],
  ["ssn", null],
  ["zip code on the account", null],
  ["zip on the account", null],
  ["zip code", null],
  ["postal code", null],
  ["account holder", null],
  ["account name", null],
  ["account type", null],
  ["account status", null],
  ["past due", null],
  ["late fee", null],
  ["balance", null],
  ["payoff", null],
];

/** The names of LABELS in a text (run it on nameText's copy): a word of a name may be followed by dots or a line break. */
export const findNames = nameMatcher(
  LABELS.map(([phrase]) => phrase),
  { separators: /\s+/g, join: String.raw`(?:[ \t.]+|[ \t.]*\n[ \t]*)`, boundary: "letter" },
);
export const LABEL_TARGET = new Map(LABELS.map(([phrase, target]) => [phrase, target]));

/** A line of wrapped prose: long, and no column gap in it. */
const PROSE_LINE = /^(?!.*\S {3,}\S).{50,}$/;

/**
 * The text names are matched in: a line break before a capital is made unjoinable (same length,
 * same offsets) unless it wraps prose, so that a name runs on to the next line only into lower
 * case or within a paragraph ("Amount" heading a column over "Outstanding Principal" is two
 * names; "… equals the Prime / Rate of 8.25%" is one). A lookahead cannot say this: under the
 * case-insensitive flag \p{Ll} matches capitals too.
 */
export function nameText(scan: string): string {
  return scan.replace(/\n(?=[ \t]*\p{Lu})/gu, (_, at: number) => (PROSE_LINE.test(scan.slice(scan.lastIndexOf("\n", at - 1) + 1, at)) ? "\n" : "\u0000"));
}
/**
 * Names that are a field's only at the start of a line ("Date: 03-08-2025", "Issued: …"):
 * inside a line they end another name ("first draft date", "card issued by").
 */
export const LINE_START_ONLY = new Set(["date", "issued", "purchases", "standard purchases"]);
/** "The interest rate on your account is 7.25%": the account is where the rate applies, not a name of the account's number. */
export const PASSING_MENTIONS = new Set(["on your account", "on the account", "on this account"]);
/** Names that are a field's only in a speaker's turn. */
export const SPOKEN_ONLY = new Set(["payment"]);
/** A line that opens a speaker's turn: "Rep:", "[00:41] Caller:", "[Bank]", "<v Kara>", "> ", "- ". */
export const SPOKEN_LINE = /^[ \t]*(?:\[?[\d:.,]+\]?[ \t]+)?(?:<v [^>\n]{1,40}>|\[[\p{L}][^\]\n]{0,40}\]|[\p{L}][\p{L}\d .'()&-]{0,40}:|[>\-—"])/u;
/** Payment instructions name the lender's own account ("routing 055501234, account 00914417"), not the borrower's. */
export const REMITTANCE = /\b(?:routing|aba|wire|remit|payable to|pay to|transfer to)\b/i;
