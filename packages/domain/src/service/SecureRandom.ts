/**
 * The source of randomness for token values and ids. Production uses the operating system's CSPRNG;
 * tests use a seeded generator so runs are reproducible.
 *
 * @example
 * ```ts
 * import { SecureRandom, ServiceAccounts } from "@service-accounts/domain"
 * import { layer as memoryStore } from "@service-accounts/store-memory"
 * import { Effect, Layer } from "effect"
 *
 * // In production the service draws ids and token values from the operating system's CSPRNG: nothing to provide.
 * // A test that wants the same ids and tokens on every run seeds it:
 * const reproducible = ServiceAccounts.layer.pipe(
 *   Layer.provide(memoryStore),
 *   Layer.provide(SecureRandom.layerSeeded("test-run-1"))
 * )
 *
 * // Drawing bytes yourself, from the same source:
 * const nonce = Effect.flatMap(SecureRandom, (random) => random.bytes(16)).pipe(Effect.provide(SecureRandom.layer))
 * ```
 *
 * @since 0.1.0
 */
import { createHash, randomBytes, randomFillSync } from "node:crypto"
import { Context, Effect, Layer } from "effect"

/**
 * @since 0.1.0
 * @category models
 */
export interface SecureRandomShape {
  readonly bytes: (length: number) => Effect.Effect<Uint8Array>
  /**
   * The same draw as `bytes`, made at once, for a source that can draw synchronously (both sources here can).
   * Optional: a source without it is used through `bytes`.
   *
   * @since 0.2.0
   */
  readonly unsafeBytes?: (length: number) => Uint8Array
}

/**
 * Draws `length` bytes and passes them on: at once when the source can draw synchronously, through `bytes`
 * otherwise. Call it only while an effect runs (inside `Effect.suspend`, a `flatMap`, …): the synchronous draw
 * happens when it is called.
 *
 * @since 0.2.0
 * @category utils
 */
export const withRandomBytes = <A, E, R>(
  random: SecureRandomShape,
  length: number,
  f: (bytes: Uint8Array) => Effect.Effect<A, E, R>
): Effect.Effect<A, E, R> =>
  random.unsafeBytes === undefined ? Effect.flatMap(random.bytes(length), f) : f(random.unsafeBytes(length))

/**
 * A deterministic source for tests: SHA-256 in counter mode over the seed. Never use it in production.
 *
 * @since 0.1.0
 * @category constructors
 */
export const makeSeededRandom = (seed: string | number): SecureRandomShape => {
  let counter = 0
  const next = (length: number): Uint8Array => {
    const out = new Uint8Array(length)
    let filled = 0
    while (filled < length) {
      const block = createHash("sha256").update(`${seed}:${counter++}`).digest()
      const take = Math.min(block.length, length - filled)
      out.set(block.subarray(0, take), filled)
      filled += take
    }
    return out
  }
  return { bytes: (length) => Effect.sync(() => next(length)), unsafeBytes: next }
}

const POOL_BYTES = 4096

/**
 * The operating system's CSPRNG, drawn a pool at a time: one `randomFillSync` call fills the pool (4 KiB unless told), and
 * each request is served a fresh copy of the next unused bytes, which are then wiped from the pool, so no byte is
 * ever handed out twice nor kept after use. A system call costs about as much as generating a few kilobytes, so
 * small requests (ids, token values) become several times cheaper. Requests larger than a quarter of the pool go
 * to `randomBytes` directly.
 *
 * @since 0.2.0
 * @category constructors
 */
export const makePooledRandom = (poolBytes: number = POOL_BYTES): SecureRandomShape => {
  const pool = new Uint8Array(poolBytes)
  let offset = poolBytes
  const next = (length: number): Uint8Array => {
    // Sizes the pool does not serve (large, or not a byte count at all: `randomBytes` refuses those) go straight through.
    if (!(Number.isInteger(length) && length >= 0 && length <= poolBytes / 4))
      return new Uint8Array(randomBytes(length))
    if (offset + length > poolBytes) {
      randomFillSync(pool)
      offset = 0
    }
    const out = pool.slice(offset, offset + length)
    pool.fill(0, offset, offset + length)
    offset += length
    return out
  }
  return { bytes: (length) => Effect.sync(() => next(length)), unsafeBytes: next }
}

/**
 * The randomness service.
 *
 * - `SecureRandom.layer`: the operating system's CSPRNG through `node:crypto`, drawn a pool at a time (production;
 *   see `makePooledRandom`);
 * - `SecureRandom.layerSeeded(seed)`: deterministic, for tests only.
 *
 * @since 0.1.0
 * @category tags
 */
export class SecureRandom extends Context.Tag("@service-accounts/domain/SecureRandom")<
  SecureRandom,
  SecureRandomShape
>() {
  static readonly live: SecureRandomShape = makePooledRandom()

  static readonly layer: Layer.Layer<SecureRandom> = Layer.succeed(SecureRandom, SecureRandom.live)

  static readonly layerSeeded = (seed: string | number): Layer.Layer<SecureRandom> =>
    Layer.sync(SecureRandom, () => makeSeededRandom(seed))
}
