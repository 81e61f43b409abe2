import type { Span } from "./mentions.ts";

export interface Line extends Span {
  /** The line's text, trimmed; `start` and `end` are the untrimmed line's offsets. */
  readonly text: string;
}

/** The text's lines with their offsets, each line's text trimmed. */
export function linesOf(scan: string): Line[] {
  const lines: Line[] = [];
  let at = 0;
  for (const text of scan.split("\n")) {
    lines.push({ start: at, end: at + text.length, text: text.trim() });
    at += text.length + 1;
  }
  return lines;
}
