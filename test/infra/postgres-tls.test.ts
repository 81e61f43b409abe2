// PostgreSQL over TLS, end to end: a PostgreSQL of its own (the Debian binaries the local stack uses),
// serving only TLS with a certificate from a test CA, reached through the worker's own pool settings
// (postgresPoolConfig). verify-full connects only to a server whose certificate chains to the given CA
// and names the host; require encrypts without verifying, as libpq's sslmode=require does.
import assert from "node:assert/strict";
import { execFileSync, spawn } from "node:child_process";
import type { ChildProcess } from "node:child_process";
import { chmodSync, chownSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, test } from "node:test";
import { loadConfig, postgresConfigSchema, postgresPoolConfig } from "@liability/platform";
import pg from "pg";
import { freePort, waitFor } from "../worker/support/env.ts";

const PG_BIN = `/usr/lib/postgresql/${process.env.PG_VERSION ?? "15"}/bin`;
// postgres refuses to run as root: as root it runs as the postgres user the Debian package creates.
const asRoot = process.getuid?.() === 0;
const pgUser = asRoot ? Number(execFileSync("id", ["-u", "postgres"]).toString()) : undefined;
const pgGroup = asRoot ? Number(execFileSync("id", ["-g", "postgres"]).toString()) : undefined;

const dir = mkdtempSync(join(tmpdir(), "pg-tls-"));
let server: ChildProcess | undefined;
let port = 0;

function run(command: string, args: string[]): void {
  execFileSync(asRoot ? "runuser" : command, asRoot ? ["-u", "postgres", "--", command, ...args] : args, { stdio: "pipe" });
}

function openssl(...args: string[]): void {
  execFileSync("openssl", args, { cwd: dir, stdio: "pipe" });
}

/** A CA, and a server certificate it signs for the name "localhost" only (no IP address). */
function makeCertificates(): void {
  for (const ca of ["ca", "other-ca"]) {
    openssl("req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2", "-subj", `/CN=lre test ${ca}`, "-keyout", `${ca}.key`, "-out", `${ca}.crt`);
  }
  openssl("req", "-newkey", "rsa:2048", "-nodes", "-subj", "/CN=localhost", "-keyout", "server.key", "-out", "server.csr");
  writeFileSync(join(dir, "server.ext"), "subjectAltName=DNS:localhost\nextendedKeyUsage=serverAuth\n");
  openssl(
    "x509",
    "-req",
    "-in",
    "server.csr",
    "-CA",
    "ca.crt",
    "-CAkey",
    "ca.key",
    "-CAcreateserial",
    "-days",
    "2",
    "-extfile",
    "server.ext",
    "-out",
    "server.crt",
  );
  chmodSync(join(dir, "server.key"), 0o600);
}

before(async () => {
  makeCertificates();
  const data = join(dir, "data");
  if (asRoot) {
    chmodSync(dir, 0o755);
    for (const file of ["server.key", "server.crt"]) chownSync(join(dir, file), pgUser!, pgGroup!);
    execFileSync("install", ["-d", "-o", "postgres", "-g", "postgres", "-m", "0700", data]);
  }
  run(`${PG_BIN}/initdb`, ["-D", data, "-U", "lre_tls", "-A", "trust", "-E", "UTF8", "--locale=C"]);
  // Only TLS connections over TCP are let in; a plain one is rejected by the server itself.
  writeFileSync(join(data, "pg_hba.conf"), "local all all trust\nhostssl all all 127.0.0.1/32 trust\nhostnossl all all 127.0.0.1/32 reject\n");
  if (asRoot) chownSync(join(data, "pg_hba.conf"), pgUser!, pgGroup!);
  port = await freePort();
  const args = ["-D", data, "-p", String(port), "-k", data, "-c", "listen_addresses=127.0.0.1", "-c", "ssl=on"];
  args.push("-c", `ssl_cert_file=${join(dir, "server.crt")}`, "-c", `ssl_key_file=${join(dir, "server.key")}`, "-c", "fsync=off");
  server = spawn(asRoot ? "runuser" : `${PG_BIN}/postgres`, asRoot ? ["-u", "postgres", "--", `${PG_BIN}/postgres`, ...args] : args, {
    stdio: ["ignore", "pipe", "pipe"],
  });
  let log = "";
  server.stdout!.on("data", (c: Buffer) => (log += c.toString()));
  server.stderr!.on("data", (c: Buffer) => (log += c.toString()));
  let lastError: unknown;
  await waitFor(
    "the TLS PostgreSQL",
    async () => {
      if (server!.exitCode !== null) throw new Error(`postgres exited: ${log.slice(-2000)}`);
      return connect("verify-full", "ca.crt", "localhost").then(
        () => true,
        (err: unknown) => {
          lastError = err;
          return false;
        },
      );
    },
    30_000,
    300,
  ).catch((err: Error) => {
    throw new Error(`${err.message}; last error: ${String(lastError)}; server log: ${log.slice(-2000)}`);
  });
});

after(async () => {
  if (server && server.exitCode === null) {
    const exited = new Promise((r) => server!.once("exit", r));
    server.kill("SIGINT");
    await Promise.race([exited, new Promise((r) => setTimeout(r, 10_000))]);
  }
  rmSync(dir, { recursive: true, force: true });
});

/** Connects the way the worker does: environment → postgresConfigSchema → postgresPoolConfig. */
async function connect(tls: "disable" | "require" | "verify-full", ca: string | undefined, host: string): Promise<boolean> {
  const config = loadConfig(postgresConfigSchema, {
    DATABASE_URL: `postgres://lre_tls@${host}:${port}/postgres`,
    DATABASE_TLS: tls,
    DATABASE_TLS_CA_FILE: ca ? join(dir, ca) : undefined,
  });
  const client = new pg.Client(postgresPoolConfig(config, "tls-test"));
  await client.connect();
  try {
    const { rows } = await client.query<{ ssl: boolean }>("SELECT ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid()");
    return rows[0]!.ssl;
  } finally {
    await client.end();
  }
}

test("verify-full connects over TLS to a server whose certificate chains to the CA and names the host", async () => {
  assert.equal(await connect("verify-full", "ca.crt", "localhost"), true);
});

test("verify-full refuses a certificate from another CA", async () => {
  await assert.rejects(connect("verify-full", "other-ca.crt", "localhost"), /unable to verify the first certificate/);
});

test("verify-full refuses a certificate that does not name the host", async () => {
  await assert.rejects(connect("verify-full", "ca.crt", "127.0.0.1"), /does not match certificate's altnames: IP: 127\.0\.0\.1/);
});

test("require encrypts without verifying the certificate; disable is refused by a TLS-only server", async () => {
  assert.equal(await connect("require", "other-ca.crt", "127.0.0.1"), true);
  await assert.rejects(connect("disable", undefined, "localhost"), /pg_hba\.conf rejects connection .*no encryption/);
});

test("TLS parameters in DATABASE_URL are refused: they would override DATABASE_TLS", () => {
  assert.throws(
    () => loadConfig(postgresConfigSchema, { DATABASE_URL: `postgres://lre_tls@localhost:${port}/postgres?sslmode=disable`, DATABASE_TLS: "verify-full" }),
    /DATABASE_URL: set TLS with DATABASE_TLS and DATABASE_TLS_CA_FILE, not in the URL \(sslmode\)/,
  );
});
