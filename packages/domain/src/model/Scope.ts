/**
 * What a token may be used for, and a token's list of scopes.
 *
 * @example
 * ```ts
 * import { Scopes } from "@service-accounts/domain"
 * import { Schema } from "effect"
 *
 * const decodeScopes = Schema.decodeUnknownEither(Scopes)
 * decodeScopes(["read"]) // Right(["read"])
 * decodeScopes([]) // Left: at least one scope is required
 * decodeScopes(["read", "read"]) // Left: each scope may be given only once
 * decodeScopes(["admin"]) // Left: "admin" is neither "read" nor "write"
 * ```
 *
 * @since 0.3.0
 */
import { Schema } from "effect"

/**
 * What a token may be used for.
 *
 * @since 0.1.0
 * @category schemas
 */
export const Scope = Schema.Literal("read", "write")
/**
 * @since 0.1.0
 * @category models
 */
export type Scope = typeof Scope.Type

const repeats = (items: ReadonlyArray<string>): boolean => {
  if (items.length > 8) return new Set(items).size !== items.length
  for (let i = 1; i < items.length; i++) {
    for (let j = 0; j < i; j++) if (items[i] === items[j]) return true
  }
  return false
}

/**
 * A token's scopes: at least one, each at most once.
 *
 * @since 0.1.0
 * @category schemas
 */
export const Scopes = Schema.Array(Scope).pipe(
  // One filter that allocates nothing: every replayed TokenIssued decodes its scopes.
  Schema.filter((scopes) =>
    scopes.length === 0
      ? "at least one scope is required"
      : repeats(scopes)
        ? "each scope may be given only once"
        : true
  )
)
