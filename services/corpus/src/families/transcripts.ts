import type { RenderContext } from "../context.ts";
import { formatMoney, last4, MONTHS, spellDigits, spokenDate, spokenMoney, spokenRate } from "../format.ts";
import type { SpokenMoneyStyle } from "../format.ts";
import { round2 } from "../facts.ts";
import { firstName, lenderShortForm } from "../names.ts";
import { productNoun } from "../vocab.ts";
import { ALL_TYPES } from "./types.ts";
import type { Family } from "./types.ts";

/*
 * Calls placed by an agent to a bank on a borrower's behalf. One engine builds the
 * conversation (IVR, authentication, questions, holds, transfers, refusals,
 * corrections, dropped lines); each family only changes how the recording system
 * wrote it down. Only what the bank's rep actually states becomes a label.
 */

export type Speaker = "ivr" | "rep" | "agent" | "event";

export interface Turn {
  who: Speaker;
  text: string;
  /** The rep's first name, for layouts that print names. */
  name?: string;
}

interface CallOptions {
  /** Prefer amounts in words (ASR output) over digits. */
  wordy: boolean;
}

const AGENCIES = [
  "Ledgerline Services",
  "ClearPath Loan Verification",
  "Brightside Debt Advisors",
  "Summit Title & Escrow",
  "Keystone Closing Services",
  "the Harbor Law Group",
];

function moneyStyle(ctx: RenderContext, opts: CallOptions): SpokenMoneyStyle {
  return opts.wordy
    ? ctx.rng.weighted<SpokenMoneyStyle>([
        ["words", 5],
        ["colloquial", 2],
        ["hundreds", 2],
        ["digits", 1],
        ["mixed", 1],
      ])
    : ctx.rng.weighted<SpokenMoneyStyle>([
        ["digits", 5],
        ["words", 2],
        ["colloquial", 2],
        ["hundreds", 1],
        ["mixed", 1],
        ["no-cents-word", 1],
      ]);
}

export function buildCall(ctx: RenderContext, opts: CallOptions): Turn[] {
  const { f, rng } = ctx;
  const turns: Turn[] = [];
  let repName = firstName(rng);
  const agentName = firstName(rng);
  // Sometimes the borrower calls for themselves instead of an agent calling for them.
  const selfCaller = rng.chance(0.25);
  const callerName = selfCaller ? f.borrower.split(" ")[0]! : agentName;
  const say = (who: Speaker, text: string) =>
    turns.push(who === "rep" ? { who, text, name: repName } : who === "agent" ? { who, text, name: callerName } : { who, text });
  const amt = (v: number) => spokenMoney(v, moneyStyle(ctx, opts));
  const noun = productNoun(f.type, rng);
  const short = lenderShortForm(f.lender);

  // --- IVR and queue
  const hasIvr = rng.chance(0.7);
  if (hasIvr) {
    say(
      "ivr",
      rng.pick([
        `Thank you for calling ${f.lender}. Calls may be monitored or recorded.`,
        `Welcome to ${f.lender}. Para español, oprima nueve.`,
        `Thank you for calling ${f.lender}.`,
      ]),
    );
    const menu = rng
      .shuffle([
        `For payoff information, press ${rng.int(1, 4)}`,
        `to make a payment, press ${rng.int(1, 4)}`,
        `for ${noun} questions, press ${rng.int(5, 7)}`,
        ...(f.type === "credit_card" ? ["for lost or stolen cards, press 8"] : []),
        `for all other questions, press 0`,
      ])
      .slice(0, rng.int(2, 4));
    say("ivr", `${menu.join(". ")}.`);
    say("event", rng.pick(["[tone]", "[DTMF 2]", "[keypad tones]", "[beep]"]));
    if (rng.chance(0.5)) {
      say("ivr", `Please enter or say your ${rng.pick(["account", "loan"])} number followed by the pound sign.`);
      say("event", rng.pick(["[DTMF input]", "[keypad tones]", "[agent enters digits]"]));
    }
    if (rng.chance(0.5)) {
      say("ivr", `Your estimated wait time is ${rng.int(2, 25)} minutes.`);
      say("event", rng.pick(["[hold music]", "[music]", "[on hold 00:06:12]", "[silence]"]));
    }
  }

  // --- greeting and introduction
  const greetFull = !hasIvr || rng.chance(0.4);
  say(
    "rep",
    rng.pick([
      `${greetFull ? f.lender : short}, this is ${repName}, can I have the account number?`,
      `Thank you for calling ${greetFull ? f.lender : short}, my name is ${repName}. How can I help you today?`,
      `${greetFull ? f.lender : short} ${rng.pick(["loan servicing", "customer service", "payoff department"])}, ${repName} speaking.`,
    ]),
  );
  const agency = rng.pick(AGENCIES);
  if (selfCaller)
    say(
      "agent",
      rng.pick([
        `Hi, yes, I'm calling about my ${noun}. I need the payoff and a few other numbers.`,
        `Hi ${repName}. This is ${f.borrower}, I have a ${noun} with you and I have some questions.`,
        `Yeah hi, I'm trying to get information on my ${noun}.`,
      ]),
    );
  else
    say(
      "agent",
      rng.pick([
        `Hi ${repName}, this is ${agentName} with ${agency}. I'm calling on behalf of ${f.borrower} about their ${noun}. We have a third-party authorization on file.`,
        `Hi, I'm calling for ${f.borrower} regarding ${/^[aeiou]/i.test(noun) ? "an" : "a"} ${noun}. I need some figures for a verification.`,
        `Good morning. ${agentName} from ${agency}, calling about the ${noun} for ${f.borrower}; the borrower is on the line with me.`,
      ]),
    );

  // --- authentication, with numbers that are not the account number
  const readAccount = rng.chance(0.85);
  if (readAccount) {
    say(
      "rep",
      rng.pick([
        "Can I have the account number?",
        f.type === "credit_card" ? "What's the card number?" : "What's the loan number?",
        "Sure, do you have the account number?",
      ]),
    );
    const acct = f.accountNumber;
    // People group long numbers in fours or threes from the left, or by the printed dashes.
    const grouped = acct.length % 4 === 0 || rng.chance(0.5) ? acct.replace(/(\d{4})(?=\d)/g, "$1 ") : acct.replace(/(\d{3})(?=\d)/g, "$1 ");
    const spoken = rng.weighted<string>([
      [grouped, 3],
      [acct, 1],
      [spellDigits(acct, rng), opts.wordy ? 4 : 1],
    ]);
    if (rng.chance(0.1)) {
      // The agent misreads the last digit and corrects it.
      const wrong = acct.slice(0, -1) + String((Number(acct.slice(-1)) + rng.int(1, 8)) % 10);
      say("agent", `It's ${wrong.replace(/(\d{4})(?=\d)/g, "$1 ")}, sorry, the last digit is ${acct.slice(-1)}. So ${grouped}.`);
    } else say("agent", `${rng.pick(["Sure, it's", "It's", "Yes,", "Okay,"])} ${spoken}.`);
    ctx.state("account_last4", last4(acct));
  } else {
    say(
      "agent",
      rng.pick(["I don't have the account number handy. Can you look it up by the social?", "I only have the borrower's information, not the account number."]),
    );
  }
  const checks = rng.shuffle(["ssn", "dob", "zip", "address", "phone"]).slice(0, rng.int(1, 3));
  for (const c of checks) {
    if (c === "ssn") {
      say(
        "rep",
        rng.pick(["And the last four of the borrower's social?", "Last four of the SSN?", "Can you verify the last four of the social security number?"]),
      );
      say("agent", `${opts.wordy && rng.chance(0.5) ? spellDigits(f.ssnLast4, rng) : f.ssnLast4}.`);
    }
    if (c === "dob") {
      const [y, m, d] = f.dob.split("-").map(Number);
      say("rep", "Date of birth?");
      say("agent", rng.pick([`${MONTHS[m! - 1]} ${d}, ${y}.`, `${m}/${d}/${y}.`]));
    }
    if (c === "zip") {
      say("rep", "And the ZIP code on the account?");
      say("agent", `${f.property.zip}.`);
    }
    if (c === "address") {
      say("rep", "Property address?");
      say("agent", `${f.property.line1}, ${f.property.city}.`);
    }
    if (c === "phone") {
      say("rep", "And a good callback number?");
      say("agent", `${f.phone2}.`);
    }
  }
  if (!readAccount && rng.chance(0.5)) {
    say("rep", `Thank you. I have the ${noun} ending in ${opts.wordy ? spellDigits(last4(f.accountNumber), rng) : last4(f.accountNumber)}.`);
    ctx.state("account_last4", last4(f.accountNumber));
  } else
    say("rep", rng.pick(["Thank you, you're verified.", "Okay, thank you.", "Got it, one moment while I pull that up.", "Thanks. I have the account up."]));

  // A few calls end here: the bank will not talk to a third party.
  if (rng.chance(0.06)) {
    say("rep", `I'm sorry, I don't see an authorization on file, so I can't release any account information. The borrower can call us at ${f.phone}.`);
    say("agent", "Understood, we'll have them call. Thanks.");
    return turns;
  }

  // --- questions
  const isCard = f.type === "credit_card";
  const topics = rng.shuffle(
    ["balance", "payoff", "rate", "payment", "due", "escrow"].filter((t) => {
      if (t === "payoff") return !isCard;
      if (t === "escrow") return f.escrowBalance !== null;
      return true;
    }),
  );
  const asked = topics.slice(0, rng.int(Math.min(2, topics.length), topics.length));
  const dropAt = rng.chance(0.1) ? rng.int(1, asked.length) : -1;
  const transferAt = rng.chance(0.2) ? rng.int(0, asked.length - 1) : -1;
  let asOfSaid = false;
  const refuse = (thing: string) =>
    say(
      "rep",
      rng.pick([
        `I'm sorry, I can't give the ${thing} over the phone. It's on the statement.`,
        `I'm not able to release the ${thing} to a third party.`,
        `I don't have the ${thing} on my screen, you'd have to request that in writing.`,
      ]),
    );

  for (let i = 0; i < asked.length; i++) {
    const topic = asked[i]!;
    if (i === transferAt) {
      say("rep", rng.pick(["Let me transfer you to the department that can help with that. Please hold.", "I'll need to transfer you. One moment."]));
      say("event", rng.pick(["[hold music]", "[transferring]", "[on hold]", "[ringing]"]));
      repName = firstName(rng);
      say(
        "rep",
        `${rng.pick(["Loan servicing", "Payoff department", "Account services"])}, this is ${repName}. ${rng.pick(["I see the account the previous rep pulled up.", "Can you confirm the last four of the account?"])}`,
      );
      if (readAccount && rng.chance(0.5)) say("agent", `${last4(f.accountNumber)}.`);
    }
    if (i === dropAt) {
      const topicWords: Record<string, string> = {
        balance: "balance",
        payoff: "payoff amount",
        rate: "interest rate",
        payment: "monthly payment",
        due: "next due date",
        escrow: "escrow balance",
      };
      say("agent", `${rng.pick(["And what's the", "Can you also tell me the", "Okay and the"])} ${topicWords[topic]}?`);
      say("rep", `${rng.pick(["Sure, that would be", "Let me see, it's", "One second"])}—`);
      say("event", rng.pick(["[call dropped]", "[line disconnected]", "[silence] [call ended]", "[connection lost]"]));
      return turns;
    }
    const refused = rng.chance(0.1);
    switch (topic) {
      case "balance": {
        say(
          "agent",
          rng.pick([
            isCard ? "What's the current balance?" : "What's the current principal balance?",
            "Can I get the balance?",
            isCard ? "And the balance on the card?" : "What's the unpaid principal?",
          ]),
        );
        if (refused) {
          refuse("balance");
          break;
        }
        const withDate = !asOfSaid && rng.chance(0.3);
        const datePart = withDate ? `As of ${rng.pick(["today", "today's date"])}, ${spokenDate(f.asOf, rng)}, ` : "";
        if (withDate) {
          ctx.state("as_of_date", f.asOf);
          asOfSaid = true;
        }
        const what = isCard
          ? rng.pick(["current balance", "balance"])
          : f.type === "heloc"
            ? rng.pick(["outstanding balance", "principal balance"])
            : rng.pick(["principal balance", "unpaid principal", "current principal balance"]);
        if (rng.chance(0.12)) {
          const wrong = round2(f.balance + rng.pick([100, 90, 1000, 9, 0.9]) * (f.balance > 2000 && rng.chance(0.5) ? -1 : 1));
          say(
            "rep",
            `${datePart}${datePart ? "the" : "The"} ${what} is ${amt(wrong)}. ${rng.pick(["Sorry, I misread that.", "Wait, let me correct that,", "No, sorry,"])} It's ${amt(f.balance)}.`,
          );
        } else say("rep", `${datePart}${datePart ? "the" : "The"} ${what} is ${amt(f.balance)}.`);
        ctx.state("current_balance", f.balance);
        if (!isCard && rng.chance(0.3)) say("rep", `The original loan amount was ${amt(f.originalPrincipal)}, just so you know.`);
        if (isCard && f.card && rng.chance(0.5)) say("rep", `Credit limit is ${amt(f.card.creditLimit)}, available credit ${amt(f.card.availableCredit)}.`);
        break;
      }
      case "payoff": {
        say("agent", rng.pick(["And the payoff?", "Can I get a payoff quote?", "What would it take to pay it off?", "I need a payoff amount, please."]));
        if (refused) {
          refuse("payoff amount");
          break;
        }
        const q = f.payoff;
        if (rng.chance(0.15)) {
          // No date given for the quote: the good-through date stays unknown.
          say("rep", `The payoff is ${amt(q.amount)}. That's good for ${rng.pick(["ten", "fifteen", "thirty"])} days.`);
        } else {
          say(
            "rep",
            rng.pick([
              `Payoff is ${amt(q.amount)}, good through ${spokenDate(q.goodThrough, rng)}.`,
              `To pay it off through ${spokenDate(q.goodThrough, rng)} you would need ${amt(q.amount)}.`,
              `I'm showing a payoff of ${amt(q.amount)} if received by ${spokenDate(q.goodThrough, rng)}.`,
            ]),
          );
          ctx.state("payoff_good_through", q.goodThrough);
        }
        ctx.state("payoff_amount", q.amount);
        if (rng.chance(0.6))
          say(
            "rep",
            rng.pick([
              `That includes per diem interest of ${amt(q.perDiem)} a day.`,
              `Per diem is ${amt(q.perDiem)}.`,
              `After that, add ${amt(q.perDiem)} per day.`,
            ]),
          );
        break;
      }
      case "rate": {
        say("agent", rng.pick(["What's the interest rate?", "And the rate on the loan?", isCard ? "What's the APR?" : "Is that a fixed rate? What is it?"]));
        if (refused) {
          refuse("rate");
          break;
        }
        if (isCard && f.card) {
          say(
            "rep",
            `The purchase APR is ${spokenRate(f.rate, rng)}${rng.chance(0.5) ? `, and cash advances are ${spokenRate(f.card.cashAdvanceApr, rng)}` : ""}.`,
          );
          if (f.card.promoApr !== null && rng.chance(0.5))
            say("rep", `There's also a promotional balance transfer rate of ${spokenRate(f.card.promoApr, rng)}, but that's just on the transferred balance.`);
        } else if (f.heloc) {
          say("rep", `It's variable, currently ${spokenRate(f.rate, rng)}. That's prime at ${spokenRate(f.heloc.prime, rng)} plus the margin.`);
        } else
          say(
            "rep",
            rng.pick([
              `The rate is ${spokenRate(f.rate, rng)}.`,
              `It's a fixed rate of ${spokenRate(f.rate, rng)}.`,
              `Interest rate is ${spokenRate(f.rate, rng)}.`,
            ]),
          );
        ctx.state("interest_rate", f.rate);
        break;
      }
      case "payment": {
        say(
          "agent",
          rng.pick([
            isCard ? "What's the minimum payment due?" : "And the regular monthly payment?",
            "What's the monthly payment amount?",
            "How much is the payment?",
          ]),
        );
        if (refused) {
          refuse("payment amount");
          break;
        }
        if (f.type === "mortgage" && rng.chance(0.4)) {
          say(
            "rep",
            `The monthly payment is ${amt(f.payment)}. That's ${amt(round2(f.payment - f.escrowPortion))} principal and interest plus ${amt(f.escrowPortion)} for escrow.`,
          );
        } else if (isCard || f.type === "heloc") say("rep", `Minimum payment due is ${amt(f.payment)}.`);
        else if (rng.chance(0.3) && f.payment >= 100 && f.payment < 10000) {
          say("rep", `${spokenMoney(f.payment, "colloquial")}. ${formatMoney(f.payment, "dollar")}.`);
        } else say("rep", rng.pick([`Regular monthly payment is ${amt(f.payment)}.`, `The payment is ${amt(f.payment)} a month.`]));
        ctx.state("monthly_payment", f.payment);
        if (f.pastDue > 0 && rng.chance(0.6)) say("rep", `There is ${amt(f.pastDue)} past due as well, so ${amt(f.totalDue)} would bring it current.`);
        break;
      }
      case "due": {
        say("agent", rng.pick(["When is the next payment due?", "And the next due date?", "What's the due date?"]));
        if (refused) {
          refuse("due date");
          break;
        }
        say(
          "rep",
          rng.pick([
            `Next payment is due ${spokenDate(f.dueDate, rng)}.`,
            `It's due on ${spokenDate(f.dueDate, rng)}.`,
            `The next due date is ${spokenDate(f.dueDate, rng)}.`,
          ]),
        );
        ctx.state("next_due_date", f.dueDate);
        if (rng.chance(0.3)) say("rep", `Last payment came in on ${MONTHS[Number(f.lastPaymentDate.slice(5, 7)) - 1]} ${Number(f.lastPaymentDate.slice(8))}.`);
        break;
      }
      case "escrow": {
        say("agent", rng.pick(["What's in escrow?", "And the escrow balance?", "Can you give me the escrow balance?"]));
        if (refused || rng.chance(0.15)) {
          refuse("escrow balance");
          break;
        }
        say(
          "rep",
          `Escrow balance is ${amt(f.escrowBalance!)}${f.escrow && f.escrow.shortage > 0 && rng.chance(0.5) ? `, and there's a shortage of ${amt(f.escrow.shortage)} from the last analysis` : ""}.`,
        );
        ctx.state("escrow_balance", f.escrowBalance!);
        break;
      }
    }
  }
  if (!asOfSaid && rng.chance(0.15)) {
    say("rep", `All of those figures are as of ${spokenDate(f.asOf, rng)}.`);
    ctx.state("as_of_date", f.asOf);
  }
  say("agent", rng.pick(["Great, that's everything. Can I get a reference number for the call?", "Thanks, that's all I needed.", "Perfect. Thank you."]));
  if (rng.chance(0.6)) say("rep", `Your reference number is ${f.confirmation}. ${rng.pick(["Have a great day.", "Anything else?", "Thanks for calling."])}`);
  return turns;
}

// ---------------------------------------------------------------- written forms

const repAgent: Family = {
  id: "call-rep-agent",
  kind: "call_transcript",
  category: "call_transcript",
  types: ALL_TYPES,
  split: "train",
  weight: 2.2,
  damage: 0.25,
  render(ctx) {
    const turns = buildCall(ctx, { wordy: false });
    const [rep, agent] = ctx.rng.pick([
      ["REP", "AGENT"],
      ["Rep", "Agent"],
      ["BANK", "CALLER"],
      ["Representative", "Caller"],
    ] as const);
    return turns.map((t) => (t.who === "event" ? t.text : `${t.who === "ivr" ? "IVR" : t.who === "rep" ? rep : agent}: ${t.text}`)).join("\n");
  },
};

const namedSpeakers: Family = {
  id: "call-named-speakers",
  kind: "call_transcript",
  category: "call_transcript",
  types: ALL_TYPES,
  split: "train",
  weight: 2,
  damage: 0.25,
  render(ctx) {
    const { f, rng } = ctx;
    const turns = buildCall(ctx, { wordy: false });
    const named = rng.chance(0.4);
    const agentTag = rng.pick(["Caller", "Agent (caller)"]);
    const bankTag = rng.pick([lenderShortForm(f.lender), "bank", f.lender.split(" ")[0]!]);
    return turns
      .map((t) => {
        if (t.who === "event") return t.text;
        if (t.who === "ivr") return `Automated system: ${t.text}`;
        if (t.who === "rep") return `${t.name} (${bankTag}): ${t.text}`;
        return `${named && t.name ? `${t.name} (caller)` : agentTag}: ${t.text}`;
      })
      .join("\n");
  },
};

/** Speech-to-text output: lower case, little punctuation, numbered speakers, slips in who said what. */
const asrDiarized: Family = {
  id: "call-asr-diarized",
  kind: "call_transcript",
  category: "call_transcript",
  types: ALL_TYPES,
  split: "train",
  weight: 2.2,
  damage: 0.8,
  render(ctx) {
    const { rng } = ctx;
    const turns = buildCall(ctx, { wordy: true });
    const [a, b] = rng.pick([
      ["speaker_0", "speaker_1"],
      ["Speaker 1", "Speaker 2"],
      ["spk1", "spk2"],
      ["S1", "S2"],
    ] as const);
    const lowered = rng.chance(0.7);
    return turns
      .map((t) => {
        if (t.who === "event") return rng.chance(0.5) ? t.text : "";
        let who = t.who === "agent" ? b : a;
        // Diarization slip: a rep line attributed to the other speaker now and then.
        if (t.who === "rep" && rng.chance(0.08)) who = b;
        let text = t.text;
        // Punctuation inside numbers (1,204.18) stays: recognisers emit numbers whole.
        if (lowered) text = text.replace(/[A-Z][a-z]/g, (s) => s.toLowerCase()).replace(/[.,?!](?!\d)/g, (p) => (rng.chance(0.6) ? "" : p));
        return `${who}: ${text}`;
      })
      .filter((l) => l !== "")
      .join("\n");
  },
};

const capsTeletype: Family = {
  id: "call-caps-teletype",
  kind: "call_transcript",
  category: "call_transcript",
  types: ALL_TYPES,
  split: "train",
  weight: 1.6,
  damage: 0.2,
  render(ctx) {
    const { rng } = ctx;
    const turns = buildCall(ctx, { wordy: rng.chance(0.5) });
    return turns
      .map((t) => {
        if (t.who === "event") return `<${t.text.replace(/[[\]]/g, "").toUpperCase()}>`;
        const who = t.who === "ivr" ? "SYSTEM" : t.who === "rep" ? "BANK REP" : "CALLER";
        return `${who}: ${t.text.toUpperCase()}`;
      })
      .join("\n");
  },
};

function stamp(seconds: number, withHours: boolean): string {
  const h = Math.floor(seconds / 3600);
  const m = Math.floor((seconds % 3600) / 60);
  const s = seconds % 60;
  const mm = String(m).padStart(2, "0");
  const ss = String(s).padStart(2, "0");
  return withHours ? `${String(h).padStart(2, "0")}:${mm}:${ss}` : `${mm}:${ss}`;
}

const timestamped: Family = {
  id: "call-timestamped",
  kind: "call_transcript",
  category: "call_transcript",
  types: ALL_TYPES,
  split: "validation",
  weight: 2,
  damage: 0.3,
  render(ctx) {
    const { rng } = ctx;
    const turns = buildCall(ctx, { wordy: rng.chance(0.4) });
    let t = rng.int(0, 20);
    const hours = rng.chance(0.5);
    return turns
      .map((turn) => {
        t += turn.who === "event" ? rng.int(20, 400) : rng.int(2, 14);
        const who = turn.who === "ivr" ? "IVR" : turn.who === "rep" ? "Representative" : turn.who === "agent" ? "Agent" : "";
        return turn.who === "event" ? `[${stamp(t, hours)}] ${turn.text}` : `[${stamp(t, hours)}] ${who}: ${turn.text}`;
      })
      .join("\n");
  },
};

/** Call notes written by the agent, with a short verbatim excerpt. */
const callNotes: Family = {
  id: "call-notes-summary",
  kind: "call_transcript",
  category: "call_transcript",
  types: ALL_TYPES,
  split: "validation",
  weight: 1.5,
  damage: 0.1,
  render(ctx) {
    const { rng } = ctx;
    const turns = buildCall(ctx, { wordy: false });
    const excerpt = turns.filter((t) => t.who !== "event");
    const lines = [
      rng.pick(["CALL NOTES", "Verification call - notes", "Outbound call log"]),
      `Contact: ${excerpt.find((t) => t.who === "rep")?.name ?? "rep"}`,
      "Transcript:",
    ];
    for (const t of excerpt) lines.push(`  ${t.who === "ivr" ? "[IVR]" : t.who === "rep" ? "[Bank]" : "[Us]"} ${t.text}`);
    return lines.join("\n");
  },
};

/** No speaker labels at all: turns separated by dashes, IVR prompts in quotes. */
const dashUnlabelled: Family = {
  id: "call-dash-unlabelled",
  kind: "call_transcript",
  category: "call_transcript",
  types: ALL_TYPES,
  split: "test",
  weight: 2,
  damage: 0.3,
  render(ctx) {
    const { rng } = ctx;
    const turns = buildCall(ctx, { wordy: rng.chance(0.4) });
    const dash = rng.pick(["— ", "- ", "> ", ""]);
    return turns.map((t) => (t.who === "event" ? `(${t.text.replace(/[[\]]/g, "")})` : t.who === "ivr" ? `"${t.text}"` : `${dash}${t.text}`)).join("\n");
  },
};

/** Caption file: cue timings, voice tags and lines broken mid-sentence. */
const vttCaptions: Family = {
  id: "call-vtt-captions",
  kind: "call_transcript",
  category: "call_transcript",
  types: ALL_TYPES,
  split: "test",
  weight: 2,
  damage: 0.4,
  render(ctx) {
    const { rng } = ctx;
    const turns = buildCall(ctx, { wordy: rng.chance(0.5) }).filter((t) => t.who !== "event");
    const lines = ["WEBVTT", ""];
    let t = rng.int(0, 10) * 1000;
    let n = 1;
    const numbered = rng.chance(0.5);
    const hours = rng.chance(0.5);
    for (const turn of turns) {
      const sentences = turn.text.split(/(?<=[.?!])\s+/);
      const who = turn.who === "ivr" ? "IVR" : turn.who === "rep" ? rng.pick(["Bank", turn.name ?? "Rep"]) : "Caller";
      // Long turns become several cues, split between sentences so an amount or date spoken
      // in words is never cut in two.
      for (const chunk of sentences) {
        const dur = 1000 + chunk.length * 55;
        const f = (ms: number) => `${stamp(Math.floor(ms / 1000), hours)}.${String(ms % 1000).padStart(3, "0")}`;
        if (numbered) lines.push(String(n++));
        lines.push(`${f(t)} --> ${f(t + dur)}`, `<v ${who}>${chunk}`, "");
        t += dur + rng.int(100, 900);
      }
    }
    return lines.join("\n").trimEnd();
  },
};

/**
 * Contact-centre export where "Agent" is the bank's employee and "Customer" the caller:
 * the opposite of the REP/AGENT convention, so the model must read roles from content.
 */
const contactCentre: Family = {
  id: "call-contact-centre-export",
  kind: "call_transcript",
  category: "call_transcript",
  types: ALL_TYPES,
  split: "train",
  weight: 1.8,
  damage: 0.3,
  render(ctx) {
    const { rng } = ctx;
    const turns = buildCall(ctx, { wordy: rng.chance(0.3) });
    const header = [
      `Interaction ID: ${rng.digits(10)}`,
      `Queue: ${rng.pick(["Servicing", "Payoffs", "Collections", "General"])}  Channel: Voice  Duration: ${rng.int(3, 24)}m${rng.int(10, 59)}s`,
      "",
    ];
    const lines = turns.map((t) => {
      if (t.who === "event") return `*** ${t.text.replace(/[[\]]/g, "")} ***`;
      if (t.who === "ivr") return `IVR: ${t.text}`;
      return `${t.who === "rep" ? rng.pick(["Agent", "Agent"]) : "Customer"}: ${t.text}`;
    });
    return [...header, ...lines].join("\n");
  },
};

/** Online chat with the bank's support, saved as text: the same conversation, typed. */
const supportChat: Family = {
  id: "call-support-chat",
  kind: "call_transcript",
  category: "call_transcript",
  types: ALL_TYPES,
  split: "train",
  weight: 1.4,
  damage: 0.05,
  render(ctx) {
    const { rng } = ctx;
    const turns = buildCall(ctx, { wordy: false }).filter((t) => t.who !== "event" && t.who !== "ivr");
    let minute = rng.int(0, 50);
    const hour = rng.int(8, 19);
    const stamp = () => {
      minute += rng.int(0, 2);
      const h = hour + Math.floor(minute / 60);
      return `${((h + 11) % 12) + 1}:${String(minute % 60).padStart(2, "0")} ${h >= 12 ? "PM" : "AM"}`;
    };
    const lines = [
      `${rng.pick(["Chat transcript", "Secure message thread", "Live chat - saved conversation"])} - ${ctx.f.lender}`,
      `${rng.pick(["Chat started", "Conversation opened"])} ${stamp()}`,
      "",
    ];
    const role = rng.pick(["Support", "Specialist", "Bank"]);
    for (const t of turns)
      lines.push(`[${stamp()}] ${t.who === "rep" ? `${t.name ?? "Support"} (${role})` : "You"}: ${t.text.replace(/over the phone/g, "in chat")}`);
    lines.push(rng.pick(["Chat ended.", "The specialist has left the chat.", "Conversation closed."]));
    return lines.join("\n");
  },
};

export const transcriptFamilies: Family[] = [
  repAgent,
  namedSpeakers,
  asrDiarized,
  capsTeletype,
  contactCentre,
  supportChat,
  timestamped,
  callNotes,
  dashUnlabelled,
  vttCaptions,
];
