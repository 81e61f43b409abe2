// `node services/review/src/hash-password.ts`: reads a password on standard input and prints its
// scrypt hash for REVIEW_LOCAL_USERS, so that no password is kept in configuration.
import { text } from "node:stream/consumers";
import { hashPassword } from "./passwords.ts";

const password = (await text(process.stdin)).replace(/\r?\n$/, "");
if (password.length < 8) {
  console.error("a password has at least 8 characters");
  process.exit(2);
}
console.log(await hashPassword(password));
