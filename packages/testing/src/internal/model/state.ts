/**
 * The reference model of a model-based sequence: what the service should hold, kept by hand.
 *
 * @internal
 */
import type { Redacted } from "effect"

export interface ModelToken {
  readonly id: string
  readonly org: string
  readonly accountId: string
  /** As the service keeps it: trimmed. */
  readonly name: string
  readonly nameKey: string
  readonly scopes: ReadonlyArray<string>
  readonly value: Redacted.Redacted<string>
  active: boolean
}

export interface ModelAccount {
  readonly id: string
  readonly nameKey: string
  /** As the service keeps it: trimmed. */
  readonly name: string
  readonly description: string | undefined
  live: boolean
  /** In the order they were issued. */
  readonly tokens: Array<ModelToken>
}

export const pick = <A>(items: ReadonlyArray<A>, i: number): A | undefined =>
  items.length === 0 ? undefined : items[i % items.length]
