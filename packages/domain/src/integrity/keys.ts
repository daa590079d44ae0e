/**
 * The two Ed25519 keys of tamper evidence, read and checked: the private key that signs checkpoints (kept by whoever
 * runs the checkpointer) and the public key that verifies them (kept by auditors). `IntegrityCheckpoints` re-exports
 * everything here.
 *
 * @since 0.3.0
 */
import { createPrivateKey, createPublicKey, type KeyObject } from "node:crypto"
import { Either, Redacted, Schema } from "effect"

/**
 * The private key is not an Ed25519 private key.
 *
 * @since 0.1.0
 * @category errors
 */
export class InvalidSigningKey extends Schema.TaggedError<InvalidSigningKey>()("InvalidSigningKey", {
  reason: Schema.String
}) {
  override get message(): string {
    return `the integrity signing key cannot be used: ${this.reason}`
  }
}

/**
 * Reads an Ed25519 private key (PEM, redacted, or a `KeyObject`).
 *
 * @since 0.1.0
 * @category constructors
 */
export const signingKey = (key: Redacted.Redacted<string> | KeyObject): Either.Either<KeyObject, InvalidSigningKey> => {
  try {
    const object = Redacted.isRedacted(key) ? createPrivateKey(Redacted.value(key)) : key
    return object.type === "private" && object.asymmetricKeyType === "ed25519"
      ? Either.right(object)
      : Either.left(new InvalidSigningKey({ reason: "it must be an Ed25519 private key" }))
  } catch {
    return Either.left(new InvalidSigningKey({ reason: "it is not a private key in PEM format" }))
  }
}

/**
 * The key given to verify checkpoints is not an Ed25519 public key. `privateKey` says that it is a private key:
 * it would verify (a public key can be derived from it), but it must not be handed to auditors, and taking it
 * silently would hide that it was.
 *
 * @since 0.3.0
 * @category errors
 */
export class InvalidVerificationKey extends Schema.TaggedError<InvalidVerificationKey>()("InvalidVerificationKey", {
  reason: Schema.String,
  privateKey: Schema.Boolean
}) {
  override get message(): string {
    return `the key cannot verify checkpoints: ${this.reason}`
  }
}

const isPrivateKeyText = (text: string): boolean => {
  try {
    createPrivateKey(text)
    return true
  } catch {
    return false
  }
}

const PRIVATE_GIVEN =
  "it is a private key; give the public key instead (openssl pkey -in private.pem -pubout -out public.pem), and keep the private key with the checkpointer"

/**
 * Reads the Ed25519 public key that checkpoints are verified with (PEM text or a `KeyObject`). A private key is
 * refused, as is any other kind of key.
 *
 * @since 0.3.0
 * @category constructors
 */
export const verificationKey = (key: string | KeyObject): Either.Either<KeyObject, InvalidVerificationKey> => {
  if (typeof key !== "string") {
    if (key.type === "private")
      return Either.left(new InvalidVerificationKey({ reason: PRIVATE_GIVEN, privateKey: true }))
    return key.type === "public" && key.asymmetricKeyType === "ed25519"
      ? Either.right(key)
      : Either.left(new InvalidVerificationKey({ reason: "it must be an Ed25519 public key", privateKey: false }))
  }
  if (isPrivateKeyText(key)) return Either.left(new InvalidVerificationKey({ reason: PRIVATE_GIVEN, privateKey: true }))
  try {
    return verificationKey(createPublicKey(key))
  } catch {
    return Either.left(
      new InvalidVerificationKey({ reason: "it is not an Ed25519 public key in PEM format", privateKey: false })
    )
  }
}
