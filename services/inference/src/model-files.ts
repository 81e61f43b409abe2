import { createHash } from "node:crypto";
import { createReadStream } from "node:fs";
import { open, stat } from "node:fs/promises";
import { basename } from "node:path";

/** Start-up cannot go on (bad model file, bad prompt artifact); the message says what to fix. */
export class StartupError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = "StartupError";
  }
}

export interface CheckedModelFile {
  path: string;
  sha256: string;
  bytes: number;
}

const GGUF_MAGIC = "GGUF";

/**
 * Checks a GGUF file before llama.cpp sees it, so that a missing, unreadable or corrupt file
 * fails start-up with a message naming the file and the variable that points at it, instead
 * of a native error (or a crash) deep inside the runtime. The hash is the model's identity.
 */
export async function checkModelFile(path: string, variable: string, expectedSha256?: string): Promise<CheckedModelFile> {
  let bytes: number;
  try {
    const info = await stat(path);
    if (!info.isFile()) throw new StartupError(`${variable}: ${path} is not a regular file`);
    bytes = info.size;
  } catch (error) {
    if (error instanceof StartupError) throw error;
    const code = (error as NodeJS.ErrnoException).code;
    if (code === "ENOENT") {
      throw new StartupError(
        `${variable}: model file not found: ${path}` +
          (variable === "INFERENCE_MODEL_PATH" ? " (run infra/models/fetch-base-model.sh for the default base model)" : ""),
      );
    }
    throw new StartupError(`${variable}: cannot read ${path}: ${code ?? String(error)}`, { cause: error });
  }

  const handle = await open(path, "r").catch((error: NodeJS.ErrnoException) => {
    throw new StartupError(`${variable}: cannot open ${path}: ${error.code ?? String(error)}`, { cause: error });
  });
  try {
    const header = Buffer.alloc(8);
    const { bytesRead } = await handle.read(header, 0, 8, 0);
    if (bytesRead < 8 || header.toString("latin1", 0, 4) !== GGUF_MAGIC) {
      throw new StartupError(`${variable}: ${path} is not a GGUF file (bad magic bytes); the file is corrupt or of another format`);
    }
  } finally {
    await handle.close();
  }

  const sha256 = await sha256File(path);
  if (expectedSha256 !== undefined && sha256 !== expectedSha256) {
    throw new StartupError(
      `${variable}: ${path} has sha256 ${sha256}, expected ${expectedSha256} (from the matching _SHA256 variable); the file is corrupt or not the pinned one`,
    );
  }
  return { path, sha256, bytes };
}

export function sha256File(path: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const hash = createHash("sha256");
    createReadStream(path, { highWaterMark: 1 << 20 })
      .on("data", (chunk) => hash.update(chunk))
      .on("error", reject)
      .on("end", () => resolve(hash.digest("hex")));
  });
}

/** "SmolLM2-135M-Instruct.Q4_1.gguf" -> "SmolLM2-135M-Instruct.Q4_1". */
export function fileStem(path: string): string {
  return basename(path).replace(/\.gguf$/i, "");
}

/**
 * Version of the weights actually served: the first 16 hex digits of the sha256 of the base
 * file's hash and the adapter's (and its scale, which changes the output too), so a new
 * adapter on the same base is a new version and the same files always give the same one.
 */
export function modelVersion(base: CheckedModelFile, adapter?: { file: CheckedModelFile; scale: number }): string {
  const hash = createHash("sha256").update(`base:${base.sha256}\n`);
  if (adapter) hash.update(`lora:${adapter.file.sha256}:${adapter.scale}\n`);
  return `sha256-${hash.digest("hex").slice(0, 16)}`;
}
