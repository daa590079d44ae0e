import { Effect, Either, ParseResult, Schema, type SchemaAST as AST } from "effect"
import { InputIssue, InvalidInput } from "./Errors.js"
import { redactTokens } from "./Token.js"
import { decodeEither } from "../fast/compiled.js"

// Effect's default messages end with ", actual <the input>": the input may be a pasted secret or megabytes of
// hostile text, so the echo is cut off and any token-shaped text removed before a message leaves the library.
const withoutActual = (message: string): string => redactTokens(message.replace(/,? actual[\s\S]*$/, "")).slice(0, 300)

const MAX_ISSUES = 10
const MAX_ITEMS = 1_000
const MAX_DEPTH = 16

const samePath = (a: ReadonlyArray<PropertyKey>, b: ReadonlyArray<PropertyKey>): boolean =>
  a.length === b.length && a.every((key, i) => key === b[i])

/**
 * Turns a parse error into `InvalidInput` with one issue per problem (at most ten) and the first problem's field.
 */
export const toInvalidInput = (input: string, error: ParseResult.ParseError): InvalidInput => {
  // An optional field that fails is a union with `undefined`: the formatter adds "Expected undefined" next to the
  // real problem at the same path, which says nothing to whoever wrote the input.
  const all = ParseResult.ArrayFormatter.formatErrorSync(error)
  const formatted = all.filter(
    (issue) =>
      !issue.message.startsWith("Expected undefined") ||
      !all.some((other) => other !== issue && samePath(other.path, issue.path))
  )
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
 * copied as plain objects (which the decoders read fastest), a `__proto__` key as an ordinary own key, so it is
 * refused as an unknown field instead of changing the copy's prototype. `path` is where the value
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
  const copy: Record<string, unknown> = {}
  for (const key of Object.keys(value)) {
    path.push(key)
    const item: unknown = (value as Record<string, unknown>)[key]
    if (item !== undefined) {
      // An own `__proto__` key stays an ordinary (and refused) key: it must not set the copy's prototype.
      if (key === "__proto__") {
        Object.defineProperty(copy, key, {
          value: plainCopy(item, path),
          enumerable: true,
          writable: true,
          configurable: true
        })
      } else {
        copy[key] = plainCopy(item, path)
      }
    }
    path.pop()
  }
  return copy
}

const strict = { errors: "all", onExcessProperty: "error" } as const

/** Whether a value (the encoded side of a schema) holds no key that its structs do not declare. */
type KeyCheck = (value: unknown) => boolean

const anyKeys: KeyCheck = () => true

/**
 * The check for keys a schema's structs do not declare, at every level, derived from its encoded side; `undefined`
 * when the schema is one this does not follow (index signatures, unions of several structs, declarations,
 * recursion): then every input is decoded strictly.
 */
const keyCheckOf = (ast: AST.AST, depth = 0): KeyCheck | undefined => {
  if (depth > MAX_DEPTH) return undefined
  switch (ast._tag) {
    case "Refinement":
    case "Transformation":
      return keyCheckOf(ast.from, depth + 1)
    case "TypeLiteral": {
      if (ast.indexSignatures.length > 0) return undefined
      const known = new Set<PropertyKey>(ast.propertySignatures.map((signature) => signature.name))
      const nested: Array<readonly [PropertyKey, KeyCheck]> = []
      for (const signature of ast.propertySignatures) {
        const check = keyCheckOf(signature.type, depth + 1)
        if (check === undefined) return undefined
        if (check !== anyKeys) nested.push([signature.name, check])
      }
      return (value) => {
        // Not an object: the decoder refuses it whatever its keys.
        if (typeof value !== "object" || value === null || Array.isArray(value)) return true
        for (const key of Object.keys(value)) if (!known.has(key)) return false
        for (const [name, check] of nested) if (!check((value as Record<PropertyKey, unknown>)[name])) return false
        return true
      }
    }
    case "Union": {
      const checks: Array<KeyCheck> = []
      for (const member of ast.types) {
        const check = keyCheckOf(member, depth + 1)
        if (check === undefined) return undefined
        if (check !== anyKeys) checks.push(check)
      }
      return checks.length === 0 ? anyKeys : checks.length === 1 ? checks[0] : undefined
    }
    case "TupleType": {
      for (const element of [...ast.elements, ...ast.rest]) {
        if (keyCheckOf(element.type, depth + 1) !== anyKeys) return undefined
      }
      return anyKeys
    }
    case "Declaration":
    case "Suspend":
      return undefined
    default:
      return anyKeys
  }
}

/**
 * Decoding with every error and unknown fields refused costs about twice as much as decoding that stops at the
 * first error and ignores unknown fields — yet for an input without unknown fields that decodes, both give the
 * same value. So unknown fields are looked for first (cheaply, see `keyCheckOf`); an input without any is
 * decoded the fast way, and only an input with unknown fields or one the fast way refuses is decoded strictly,
 * which gives the full list of problems.
 */
const strictDecoder = <A, I>(schema: Schema.Schema<A, I>) => {
  const decodeStrictly = Schema.decodeUnknownEither(schema, strict)
  const keyCheck = keyCheckOf(schema.ast)
  if (keyCheck === undefined) return decodeStrictly
  const decodeFast = decodeEither(schema)
  return (value: unknown): Either.Either<A, ParseResult.ParseError> => {
    if (!keyCheck(value)) return decodeStrictly(value)
    const fast = decodeFast(value)
    return Either.isRight(fast) ? fast : decodeStrictly(value)
  }
}

/**
 * A strict decoder (every error, unknown fields refused, plain data only) that answers `InvalidInput` — never
 * a defect, whatever the input does when read — as an `Either`, for callers that decode several inputs in one
 * synchronous step.
 */
export const eitherDecoder = <A, I>(schema: Schema.Schema<A, I>, input: string, tag?: string) => {
  const decode = strictDecoder(schema)
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
