/**
 * What the runner and the revocation-lag processes (`instance.ts`) say to each other, as schemas: each side decodes
 * what it receives. Times are nanoseconds of the shared monotonic clock, encoded as decimal strings.
 */
import { Schema } from "effect"

const Size = Schema.Struct({ data: Schema.Number, metadata: Schema.Number })

const Tokens = Schema.Struct({
  organizationId: Schema.String,
  serviceAccountId: Schema.String,
  tokenIds: Schema.Array(Schema.String)
})

export const InstanceParamsSchema = Schema.Union(
  Schema.Struct({ role: Schema.Literal("library-watcher"), connectionString: Schema.String, count: Schema.Number }),
  Schema.Struct({ role: Schema.Literal("library-writer"), connectionString: Schema.String, tokens: Tokens }),
  Schema.Struct({ role: Schema.Literal("raw-watcher"), connectionString: Schema.String, stream: Schema.String }),
  Schema.Struct({
    role: Schema.Literal("raw-writer"),
    connectionString: Schema.String,
    stream: Schema.String,
    size: Size
  })
)
export type InstanceParams = typeof InstanceParamsSchema.Type

export const ToInstance = Schema.Union(
  Schema.TaggedStruct("Watch", { id: Schema.Number, k: Schema.Number }),
  Schema.TaggedStruct("Write", { id: Schema.Number, k: Schema.Number }),
  Schema.TaggedStruct("Close", {})
)
export type ToInstance = typeof ToInstance.Type

export const FromInstance = Schema.Union(
  Schema.TaggedStruct("Ready", { tokens: Schema.optional(Tokens) }),
  Schema.TaggedStruct("Armed", { id: Schema.Number }),
  Schema.TaggedStruct("Seen", { k: Schema.Number, at: Schema.BigInt }),
  Schema.TaggedStruct("Wrote", { id: Schema.Number, at: Schema.BigInt }),
  Schema.TaggedStruct("Failed", { message: Schema.String })
)
export type FromInstance = typeof FromInstance.Type
