import { Effect, Either, ParseResult, Schema } from "effect"
import { InputIssue, InvalidInput } from "../Errors.js"
import { redactTokens } from "../Token.js"

// Effect's default messages end with ", actual <the input>": the input may be a pasted secret or megabytes of
// hostile text, so the echo is cut off and any token-shaped text removed before a message leaves the library.
const withoutActual = (message: string): string => redactTokens(message.replace(/,? actual[\s\S]*$/, "")).slice(0, 300)

/**
 * Turns a parse error into `InvalidInput` with one issue per problem and the first problem's field.
 */
export const toInvalidInput = (input: string, error: ParseResult.ParseError): InvalidInput => {
  const formatted = ParseResult.ArrayFormatter.formatErrorSync(error)
  const issues = formatted.map(
    (issue) =>
      new InputIssue({
        path: issue.path.map(String).join("."),
        message: withoutActual(issue.message)
      })
  )
  // The field is the top-level one (`scopes`); each issue keeps its full path (`scopes.0`).
  const first = formatted[0]?.path[0]
  return new InvalidInput({ input, field: first === undefined ? "(input)" : String(first), issues })
}

const options = { errors: "all", onExcessProperty: "error" } as const

/**
 * A strict decoder (every error, unknown fields refused) that fails with `InvalidInput`.
 */
export const decoder = <A, I>(schema: Schema.Schema<A, I>, input: string) => {
  const decode = Schema.decodeUnknownEither(schema, options)
  return (value: unknown): Effect.Effect<A, InvalidInput> => {
    const result = decode(value)
    return Either.isRight(result) ? Effect.succeed(result.right) : Effect.fail(toInvalidInput(input, result.left))
  }
}
