import { z } from "zod";

/** Raised at start-up when the environment does not describe a valid configuration. */
export class ConfigError extends Error {
  readonly issues: readonly string[];

  constructor(issues: readonly string[]) {
    super(`invalid configuration:\n  ${issues.join("\n  ")}`);
    this.name = "ConfigError";
    this.issues = issues;
  }
}

/**
 * Validates environment variables against a zod object whose keys are the variable names.
 * Every problem is reported at once, each naming its variable, so that an operator can fix
 * a deployment in one pass. Values are never echoed: some are secrets.
 */
export function loadConfig<S extends z.ZodObject>(schema: S, env: Readonly<Record<string, string | undefined>> = process.env): z.infer<S> {
  const input: Record<string, string | undefined> = {};
  for (const key of Object.keys(schema.shape)) {
    const value = env[key];
    input[key] = value === "" ? undefined : value;
  }
  const result = schema.safeParse(input);
  if (result.success) return result.data;
  throw new ConfigError(
    result.error.issues.map((issue) => {
      const variable = issue.path.length > 0 ? issue.path.join(".") : "(environment)";
      return `${variable}: ${issue.message}`;
    }),
  );
}

/** Boolean environment variable: accepts true/false/1/0/yes/no. */
export const envBoolean = z
  .enum(["true", "false", "1", "0", "yes", "no"], { message: "expected true or false" })
  .transform((v) => v === "true" || v === "1" || v === "yes");

/** Positive integer environment variable. */
export const envPositiveInt = z.coerce.number().int().positive();

/** Comma-separated list environment variable. */
export const envList = z
  .string()
  .transform((v) =>
    v
      .split(",")
      .map((s) => s.trim())
      .filter((s) => s.length > 0),
  )
  .pipe(z.array(z.string()).min(1, "expected at least one comma-separated value"));
