import type { InboundMessage } from "./messaging.ts";
import type { Outcome } from "./outcome.ts";
import { deadLetterReasonName } from "./events.ts";

/** A metric change one outcome causes; the shell applies it to the instruments (WorkerMetrics). */
export type Measurement =
  | {
      readonly type: "count";
      readonly counter: "processed" | "accepted" | "review" | "reviewReasons" | "deadLettered";
      readonly attributes?: Readonly<Record<string, string>>;
    }
  | { readonly type: "endToEndLatency"; readonly ms: number; readonly attributes: Readonly<Record<string, string>> };

/** The metrics of one finished message, measured `nowMs` (after its commit). */
export function measurementsOf(outcome: Outcome, message: InboundMessage, nowMs: number): Measurement[] {
  switch (outcome.type) {
    case "pending":
      return [];
    case "duplicate":
      return [{ type: "count", counter: "processed", attributes: { outcome: "duplicate" } }];
    case "poison":
      return [
        { type: "count", counter: "processed", attributes: { outcome: "dead_lettered" } },
        { type: "count", counter: "deadLettered", attributes: { reason: deadLetterReasonName(outcome.poison.reason) } },
      ];
    case "record": {
      const { status, reviewReasons } = outcome.row;
      const routed: Measurement[] =
        status === "accepted"
          ? [{ type: "count", counter: "accepted" }]
          : [
              { type: "count", counter: "review" },
              ...reviewReasons.map((r): Measurement => ({ type: "count", counter: "reviewReasons", attributes: { reason: r.code } })),
            ];
      return [
        { type: "count", counter: "processed", attributes: { outcome: status } },
        ...routed,
        { type: "endToEndLatency", ms: Math.max(0, nowMs - message.timestamp), attributes: { status } },
      ];
    }
  }
}
