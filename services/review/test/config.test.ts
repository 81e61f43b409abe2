import assert from "node:assert/strict";
import { test } from "node:test";
import { ConfigError } from "@liability/platform";
import { loadReviewConfig } from "../src/config.ts";
import { hashPassword } from "../src/passwords.ts";

const secret = () => "r".repeat(43);

test("local defaults: the reviewer role on the local stack, a random session secret, cookies without HTTPS", () => {
  const c = loadReviewConfig({}, secret);
  assert.match(c.database.DATABASE_URL, /^postgres:\/\/lre_reviewer:/);
  assert.equal(c.sessionSecret, secret());
  assert.equal(c.secureCookies, false);
  assert.deepEqual(c.REVIEW_LOCAL_USERS, []);
});

test("users are parsed with their hashes; a plain password or bad JSON is refused without echoing it", async () => {
  const hash = await hashPassword("ana-password-1");
  const c = loadReviewConfig({ REVIEW_LOCAL_USERS: JSON.stringify([{ username: "ana", tenant: "tenant-a", password_hash: hash }]) }, secret);
  assert.equal(c.REVIEW_LOCAL_USERS[0]?.tenant, "tenant-a");
  assert.throws(
    () => loadReviewConfig({ REVIEW_LOCAL_USERS: JSON.stringify([{ username: "ana", tenant: "t", password_hash: "hunter22" }]) }, secret),
    (e: Error) => e instanceof ConfigError && /REVIEW_LOCAL_USERS/.test(e.message) && !e.message.includes("hunter22"),
  );
  assert.throws(() => loadReviewConfig({ REVIEW_LOCAL_USERS: "[" }, secret), /REVIEW_LOCAL_USERS: not JSON/);
});

test("production needs a session secret, the reviewer's own password and TLS, and gets secure cookies", () => {
  assert.throws(
    () => loadReviewConfig({ DEPLOYMENT_PROFILE: "production" }, secret),
    (e: Error) => /DATABASE_TLS/.test(e.message),
  );
  assert.throws(
    () => loadReviewConfig({ DEPLOYMENT_PROFILE: "production", DATABASE_TLS: "verify-full" }, secret),
    (e: Error) => /REVIEW_SESSION_SECRET: required/.test(e.message) && /REVIEW_DATABASE_URL/.test(e.message),
  );
  const c = loadReviewConfig(
    {
      DEPLOYMENT_PROFILE: "production",
      DATABASE_TLS: "verify-full",
      REVIEW_SESSION_SECRET: "s".repeat(40),
      REVIEW_DATABASE_URL: "postgres://lre_reviewer:a-real-secret@db:5432/liability",
    },
    secret,
  );
  assert.equal(c.secureCookies, true);
  assert.equal(c.sessionSecret, "s".repeat(40));
});
