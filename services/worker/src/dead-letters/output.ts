/**
 * Where the CLI writes: results to stdout (safe to pipe), progress and warnings to stderr, so a
 * `--json` listing stays machine-readable while a long run still shows how far it got.
 */
export interface Output {
  /** A result line (stdout). */
  line(text: string): void;
  /** How far a long run got (stderr). */
  progress(text: string): void;
  /** Something the operator must read (stderr). */
  warn(text: string): void;
}

export const processOutput: Output = {
  line: (text) => process.stdout.write(`${text}\n`),
  progress: (text) => process.stderr.write(`${text}\n`),
  warn: (text) => process.stderr.write(`WARNING: ${text}\n`),
};

/** Header values are metadata, but may be binary or long: printable text is shown, the rest as its size. */
export function printableHeader(value: Buffer): string {
  const text = value.toString("utf8");
  // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what is being detected
  const printable = !text.includes("\uFFFD") && !/[\u0000-\u001f\u007f]/.test(text);
  if (!printable) return `<${value.length} bytes, binary>`;
  return text.length > 200 ? `${text.slice(0, 200)}… (${value.length} bytes)` : text;
}

/** Table cells: padded, and an empty value shown as a dash. */
export function cell(value: string | undefined, width: number): string {
  return (value === undefined || value === "" ? "-" : value).padEnd(width);
}
