/**
 * The source of randomness for token values and ids. Production uses the operating system's CSPRNG;
 * tests use a seeded generator so runs are reproducible.
 *
 * @since 0.1.0
 */
import { createHash, randomBytes } from "node:crypto"
import { Context, Effect, Layer } from "effect"

/**
 * @since 0.1.0
 * @category models
 */
export interface SecureRandomShape {
  readonly bytes: (length: number) => Effect.Effect<Uint8Array>
}

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
  return { bytes: (length) => Effect.sync(() => next(length)) }
}

/**
 * The randomness service.
 *
 * - `SecureRandom.layer`: `node:crypto` `randomBytes`, the operating system's CSPRNG (production);
 * - `SecureRandom.layerSeeded(seed)`: deterministic, for tests only.
 *
 * @since 0.1.0
 * @category tags
 */
export class SecureRandom extends Context.Tag("@service-accounts/domain/SecureRandom")<
  SecureRandom,
  SecureRandomShape
>() {
  static readonly live: SecureRandomShape = {
    bytes: (length) => Effect.sync(() => new Uint8Array(randomBytes(length)))
  }

  static readonly layer: Layer.Layer<SecureRandom> = Layer.succeed(SecureRandom, SecureRandom.live)

  static readonly layerSeeded = (seed: string | number): Layer.Layer<SecureRandom> =>
    Layer.sync(SecureRandom, () => makeSeededRandom(seed))
}
