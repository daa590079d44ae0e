/**
 * Plain-JS token values in the library's format (`sat_` + 43 base62 characters of 256 random bits + 6 base62
 * characters of CRC-32), written independently of `@service-accounts/domain` so the raw baselines and the peer
 * do the same work as the library without sharing its code. The smoke test checks that the library accepts them.
 */
import { createHash, randomBytes } from "node:crypto"
import * as crypto from "node:crypto"

const ALPHABET = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"

const CRC_TABLE = (() => {
  const table = new Uint32Array(256)
  for (let n = 0; n < 256; n++) {
    let c = n
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1
    table[n] = c >>> 0
  }
  return table
})()

const crc32 = (text: string): number => {
  let crc = 0xffffffff
  for (let i = 0; i < text.length; i++) crc = (CRC_TABLE[(crc ^ text.charCodeAt(i)) & 0xff] ?? 0) ^ (crc >>> 8)
  return (crc ^ 0xffffffff) >>> 0
}

const base62 = (value: bigint, length: number): string => {
  let out = ""
  let v = value
  for (let i = 0; i < length; i++) {
    out = ALPHABET[Number(v % 62n)] + out
    v /= 62n
  }
  return out
}

/** A token value from 32 random bytes. */
export const tokenFromBytes = (bytes: Uint8Array): string => {
  let value = 0n
  for (const byte of bytes) value = (value << 8n) | BigInt(byte)
  const head = `sat_${base62(value, 43)}`
  return head + base62(BigInt(crc32(head)), 6)
}

/** A fresh token value from the operating system's CSPRNG. */
export const newToken = (): string => tokenFromBytes(randomBytes(32))

// `crypto.hash` is one-shot SHA-256 without a Hash object (Node >= 20.12); older Node falls back to createHash.
const oneShot = typeof crypto.hash === "function"

/** Whether the one-shot `crypto.hash` is available (Node ≥ 20.12). */
export const hasOneShotHash = oneShot

/** SHA-256 of a string, lower-case hex: `crypto.hash` when available, `createHash` otherwise. */
export const sha256Hex: (text: string) => string = oneShot
  ? (text) => crypto.hash("sha256", text, "hex")
  : (text) => createHash("sha256").update(text, "utf8").digest("hex")

/** A small, fast, seeded PRNG (mulberry32), so generated histories are the same on every run. */
export const prng = (seed: number): (() => number) => {
  let a = seed >>> 0
  return () => {
    a = (a + 0x6d2b79f5) >>> 0
    let t = a
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

/** A random base62 string (not secret: hints and filler). */
export const randomBase62 = (random: () => number, length: number): string => {
  let out = ""
  for (let i = 0; i < length; i++) out += ALPHABET[Math.floor(random() * 62)] ?? "0"
  return out
}

/** Random lower-case hex digits (not secret: stand-ins for digests). */
export const randomHex = (random: () => number, length: number): string => {
  let out = ""
  while (out.length < length)
    out += Math.floor(random() * 4294967296)
      .toString(16)
      .padStart(8, "0")
  return out.slice(0, length)
}
