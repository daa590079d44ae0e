import { Effect, Either, ParseResult, Schema } from "effect"
import { InputIssue, InvalidInput } from "../Errors.js"
import { redactTokens } from "../Token.js"

// Effect's default messages end with ", actual <the input>": the input may be a pasted secret or megabytes of
// hostile text, so the echo is cut off and any token-shaped text removed before a message leaves the library.
const withoutActual = (message: string): string => redactTokens(message.replace(/,? actual[\s\S]*$/, "")).slice(0, 300)

const MAX_ISSUES = 10
const MAX_ITEMS = 1_000
const MAX_DEPTH = 16

/**
 * Turns a parse error into `InvalidInput` with one issue per problem (at most ten) and the first problem's field.
 */
export const toInvalidInput = (input: string, error: ParseResult.ParseError): InvalidInput => {
  const formatted = ParseResult.ArrayFormatter.formatErrorSync(error)
  const issues = formatted.slice(0, MAX_ISSUES).map(
    (issue) =>
      new InputIssue({
        path: issue.path.map(String).join("."),
        message: withoutActual(issue.message)
      })
  )
  if (formatted.length > MAX_ISSUES) {
    issues.push(new InputIssue({ path: "", message: `and ${formatted.length - MAX_ISSUES} more problems` }))
  }
  // The field is the top-level one (`scopes`); each issue keeps its full path (`scopes.0`).
  const first = formatted[0]?.path[0]
  return new InvalidInput({ input, field: first === undefined ? "(input)" : String(first), issues })
}

class NotPlainData {
  constructor(
    readonly path: ReadonlyArray<string>,
    readonly message: string
  ) {}
}

/**
 * A copy of the input made of plain data only: own enumerable properties (nothing inherited through a
 * prototype), no accessors left to run later, at most 1,000 items per array and 16 levels deep. Objects are
 * copied without a prototype, so a `__proto__` key stays an ordinary (and refused) key. `path` is where the value
 * sits (the keys leading to it, pushed and popped on the way), copied into the error only when one is thrown.
 */
const plainCopy = (value: unknown, path: Array<string>): unknown => {
  if (path.length > MAX_DEPTH) throw new NotPlainData([...path], `is nested more than ${MAX_DEPTH} levels deep`)
  if (value === null || typeof value !== "object") {
    if (typeof value === "function" || typeof value === "symbol") throw new NotPlainData([...path], "is not data")
    return value
  }
  if (Array.isArray(value)) {
    if (value.length > MAX_ITEMS) throw new NotPlainData([...path], `has more than ${MAX_ITEMS} items`)
    const items: Array<unknown> = []
    for (let i = 0; i < value.length; i++) {
      path.push(String(i))
      items.push(plainCopy(value[i], path))
      path.pop()
    }
    return items
  }
  const copy: Record<string, unknown> = Object.create(null)
  for (const key of Object.keys(value)) {
    path.push(key)
    const item: unknown = (value as Record<string, unknown>)[key]
    if (item !== undefined) copy[key] = plainCopy(item, path)
    path.pop()
  }
  return copy
}

const options = { errors: "all", onExcessProperty: "error" } as const

/**
 * A strict decoder (every error, unknown fields refused, plain data only) that answers `InvalidInput` — never
 * a defect, whatever the input does when read — as an `Either`, for callers that decode several inputs in one
 * synchronous step.
 */
export const eitherDecoder = <A, I>(schema: Schema.Schema<A, I>, input: string, tag?: string) => {
  const decode = Schema.decodeUnknownEither(schema, options)
  return (value: unknown): Either.Either<A, InvalidInput> => {
    let plain: unknown
    try {
      plain = plainCopy(value, [])
    } catch (error) {
      const where = error instanceof NotPlainData ? error : new NotPlainData([], "could not be read as plain data")
      const path = where.path.join(".")
      return Either.left(
        new InvalidInput({
          input,
          field: where.path[0] ?? "(input)",
          issues: [new InputIssue({ path, message: where.message })]
        })
      )
    }
    // Commands are passed as plain fields: the tag is added here, to the copy.
    if (tag !== undefined && typeof plain === "object" && plain !== null && !Array.isArray(plain)) {
      ;(plain as Record<string, unknown>)._tag = tag
    }
    const result = decode(plain)
    return Either.isRight(result) ? Either.right(result.right) : Either.left(toInvalidInput(input, result.left))
  }
}

/**
 * A strict decoder (every error, unknown fields refused, plain data only) that fails with `InvalidInput` — never
 * with a defect, whatever the input does when read.
 */
export const decoder = <A, I>(schema: Schema.Schema<A, I>, input: string, tag?: string) => {
  const decode = eitherDecoder(schema, input, tag)
  return (value: unknown): Effect.Effect<A, InvalidInput> => {
    const result = decode(value)
    return Either.isRight(result) ? Effect.succeed(result.right) : Effect.fail(result.left)
  }
}
