/**
 * SHA-256 of a string as lower-case hex, in one call: `crypto.hash` where Node has it (>= 20.12; several times
 * faster than a `createHash` object for short texts), `createHash` before.
 */
import * as crypto from "node:crypto"

type OneShotHash = (algorithm: string, data: string, outputEncoding: "hex") => string

const oneShot: OneShotHash | undefined = (crypto as { readonly hash?: OneShotHash }).hash

/** SHA-256 of the UTF-8 encoding of `text`, lower-case hex. */
export const sha256Hex: (text: string) => string =
  typeof oneShot === "function"
    ? (text) => oneShot("sha256", text, "hex")
    : (text) => crypto.createHash("sha256").update(text, "utf8").digest("hex")
