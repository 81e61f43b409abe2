import type { LiabilityRecord, LiabilityType, RecordField } from "@liability/domain";
import { formatAccount, formatDate, formatMoney, formatRate, last4, DATE_STYLES, MONEY_STYLES, RATE_STYLES } from "./format.ts";
import type { DateStyle, MaskStyle, MoneyStyle, RateStyle } from "./format.ts";
import type { Facts } from "./facts.ts";
import type { Rng } from "./rng.ts";

/*
 * What a layout renderer works with. A renderer never writes the label itself: it
 * calls `state*` for each value it puts into the text as that field, and the label is
 * exactly the set of values stated. Anything not stated stays null.
 */

export interface Styles {
  date: DateStyle;
  money: MoneyStyle;
  rate: RateStyle;
  mask: MaskStyle;
}

export interface StylePrefs {
  date?: readonly DateStyle[];
  money?: readonly MoneyStyle[];
  rate?: readonly RateStyle[];
  mask?: readonly MaskStyle[];
}

export class RenderContext {
  readonly rng: Rng;
  readonly f: Facts;
  readonly styles: Styles;
  private readonly stated = new Map<RecordField, unknown>();
  /** Free-form notes about what the document contains, for corpus statistics. */
  readonly features = new Set<string>();

  constructor(rng: Rng, facts: Facts, prefs: StylePrefs = {}) {
    this.rng = rng;
    this.f = facts;
    this.styles = {
      date: rng.pick(prefs.date ?? DATE_STYLES),
      money: rng.pick(prefs.money ?? MONEY_STYLES),
      rate: rng.pick(prefs.rate ?? RATE_STYLES),
      mask: rng.pick(
        prefs.mask ??
          (facts.type === "credit_card"
            ? ["card-groups", "stars", "x-run", "x-groups", "dots", "hash-last4", "star-single"] // card statements never print the full number
            : ["full-dashed", "full-plain", "stars", "x-run", "x-groups", "dots", "hash-last4", "star-single"]),
      ),
    };
    this.stated.set("liability_type", facts.type);
    this.stated.set("lender_name", facts.lender);
  }

  get type(): LiabilityType {
    return this.f.type;
  }

  /** Formats money in the document's style without stating a field (distractors, parts). */
  m(value: number): string {
    return formatMoney(value, this.styles.money);
  }

  /** Formats a date in the document's style without stating a field. */
  d(iso: string): string {
    return formatDate(iso, this.styles.date);
  }

  r(rate: number): string {
    return formatRate(rate, this.styles.rate);
  }

  /** Decides whether an optional field appears; drawn from a forked stream so later draws do not shift. */
  show(p: number): boolean {
    return this.rng.chance(p);
  }

  state(field: RecordField, value: unknown): void {
    this.stated.set(field, value);
  }

  money(field: "current_balance" | "payoff_amount" | "escrow_balance" | "monthly_payment", value: number): string {
    this.state(field, value);
    return this.m(value);
  }

  date(field: "payoff_good_through" | "next_due_date" | "as_of_date", iso: string): string {
    this.state(field, iso);
    return this.d(iso);
  }

  rate(value: number): string {
    this.state("interest_rate", value);
    return this.r(value);
  }

  /** The liability's account number in the document's mask style; states last four. */
  account(style: MaskStyle = this.styles.mask): string {
    this.state("account_last4", last4(this.f.accountNumber));
    return formatAccount(this.f.accountNumber, style);
  }

  isStated(field: RecordField): boolean {
    return this.stated.has(field);
  }

  unstate(field: RecordField): void {
    this.stated.delete(field);
  }

  label(): LiabilityRecord {
    const get = <T>(k: RecordField): T | null => (this.stated.has(k) ? (this.stated.get(k) as T) : null);
    return {
      liability_type: this.f.type,
      lender_name: this.f.lender,
      account_last4: get("account_last4"),
      current_balance: get("current_balance"),
      payoff_amount: get("payoff_amount"),
      payoff_good_through: get("payoff_good_through"),
      escrow_balance: get("escrow_balance"),
      interest_rate: get("interest_rate"),
      monthly_payment: get("monthly_payment"),
      next_due_date: get("next_due_date"),
      as_of_date: get("as_of_date"),
    };
  }
}
