/**
 * Decoding that succeeds fast: a schema's AST turned, once, into a plain function that runs the schema's own checks
 * and transformations (its refinements' filters, its transformations' decode functions, its declarations' parsers)
 * without Effect's parse-result bookkeeping — no `Either` per node, no closures per call, no issue objects.
 *
 * It only ever answers "here is the decoded value" or "not decided here" (`FAIL`): then the schema's own decoder
 * runs and gives the result, a refusal with its messages included. So for an input the schema refuses, the error is
 * exactly the schema's; for an input it accepts, the value is the one its decoder builds (same fields, same order,
 * same objects out of declarations and transformations). Nodes this does not follow (unions other than of literals
 * or with `undefined`, tuples with fixed elements, index signatures, suspensions, templates, property-signature
 * transformations, parse-option or fallback annotations) are decoded by Effect's decoder for that node alone.
 *
 * A test holds every schema it is used with to the schema's own decoder, on generated values and on broken ones.
 *
 * @internal
 */
import { Either, ParseResult, Predicate, Schema, SchemaAST as AST } from "effect"

/** "Not decided here": the schema's own decoder must run. */
export const FAIL: unique symbol = Symbol("service-accounts/compiled/fail")

type Compiled = (input: unknown) => unknown

/** A parse result met on the way: a synchronous success gives its value; anything else is left to the schema. */
const succeeded = (result: unknown): unknown =>
  Either.isEither(result) ? (Either.isRight(result) ? result.right : FAIL) : FAIL

/** Effect's decoder for this node alone (what nodes this module does not follow go through). */
const viaEffect = (ast: AST.AST): Compiled => {
  const decode = ParseResult.decodeUnknownEither(Schema.make(ast))
  return (input) => {
    const result = decode(input)
    return Either.isRight(result) ? result.right : FAIL
  }
}

const options = AST.defaultParseOption

const isOptionalUndefined = (ast: AST.AST): boolean => ast._tag === "UndefinedKeyword"

const compileNode = (ast: AST.AST, memo: Map<AST.AST, Compiled>): Compiled => {
  // Annotations that change how a node parses: left to Effect.
  if (AST.getParseOptionsAnnotation(ast)._tag === "Some" || AST.getDecodingFallbackAnnotation(ast)._tag === "Some") {
    return viaEffect(ast)
  }
  switch (ast._tag) {
    case "StringKeyword":
      return (input) => (typeof input === "string" ? input : FAIL)
    case "NumberKeyword":
      return (input) => (typeof input === "number" ? input : FAIL)
    case "BooleanKeyword":
      return (input) => (typeof input === "boolean" ? input : FAIL)
    case "UndefinedKeyword":
      return (input) => (input === undefined ? input : FAIL)
    case "UnknownKeyword":
    case "AnyKeyword":
      return (input) => input
    case "Literal": {
      const literal = ast.literal
      return (input) => (input === literal ? input : FAIL)
    }
    case "Refinement": {
      const from = compile(ast.from, memo)
      const filter = ast.filter
      return (input) => {
        const value = from(input)
        if (value === FAIL) return FAIL
        return filter(value, options, ast)._tag === "None" ? value : FAIL
      }
    }
    case "Transformation": {
      const transformation = ast.transformation
      if (transformation._tag === "TypeLiteralTransformation") return viaEffect(ast)
      const from = compile(ast.from, memo)
      const to = compile(ast.to, memo)
      if (transformation._tag === "ComposeTransformation") {
        return (input) => {
          const value = from(input)
          return value === FAIL ? FAIL : to(value)
        }
      }
      const decode = transformation.decode
      return (input) => {
        const value = from(input)
        if (value === FAIL) return FAIL
        const transformed = succeeded(decode(value, options, ast, input))
        return transformed === FAIL ? FAIL : to(transformed)
      }
    }
    case "Declaration": {
      const parse = ast.decodeUnknown(...ast.typeParameters)
      return (input) => succeeded(parse(input, options, ast))
    }
    case "Union": {
      const members = ast.types
      if (members.every((member) => member._tag === "Literal" && !Number.isNaN(member.literal))) {
        const literals = new Set<unknown>(members.map((member) => (member as AST.Literal).literal))
        return (input) => (literals.has(input) ? input : FAIL)
      }
      // `X | undefined`, what an optional field's type is.
      const [first, second] = members
      if (members.length === 2 && first !== undefined && second !== undefined && isOptionalUndefined(second)) {
        const value = compile(first, memo)
        return (input) => {
          // The first member is tried first, as Effect's decoder does; `undefined` is the second's.
          const decoded = value(input)
          return decoded === FAIL && input === undefined ? input : decoded
        }
      }
      return viaEffect(ast)
    }
    case "TupleType": {
      const [rest] = ast.rest
      if (ast.elements.length !== 0 || ast.rest.length !== 1 || rest === undefined) return viaEffect(ast)
      const item = compile(rest.type, memo)
      return (input) => {
        if (!Array.isArray(input)) return FAIL
        const output: Array<unknown> = new Array(input.length)
        for (let i = 0; i < input.length; i++) {
          const value = item(input[i])
          if (value === FAIL) return FAIL
          output[i] = value
        }
        return output
      }
    }
    case "TypeLiteral": {
      if (ast.indexSignatures.length > 0) return viaEffect(ast)
      const signatures = ast.propertySignatures.map((signature) => ({
        name: signature.name,
        isOptional: signature.isOptional,
        decode: compile(signature.type, memo)
      }))
      return (input) => {
        if (!Predicate.isRecord(input)) return FAIL
        const output: Record<PropertyKey, unknown> = {}
        for (const signature of signatures) {
          const name = signature.name
          // As Effect's decoder has it: an absent optional key stays absent; an absent required key is read (as
          // `undefined`, or what the prototype holds) and decoded like any value.
          if (signature.isOptional && !Object.hasOwn(input, name)) continue
          const value = signature.decode(input[name as keyof typeof input])
          if (value === FAIL) return FAIL
          output[name] = value
        }
        return output
      }
    }
    default:
      return viaEffect(ast)
  }
}

/**
 * Compiles a node once per compilation (nodes shared inside a schema are compiled once). An AST only reaches itself
 * through `Suspend`, which goes to Effect, so compiling never loops.
 */
const compile = (ast: AST.AST, memo: Map<AST.AST, Compiled>): Compiled => {
  let compiled = memo.get(ast)
  if (compiled === undefined) {
    compiled = compileNode(ast, memo)
    memo.set(ast, compiled)
  }
  return compiled
}

/**
 * `Schema.decodeUnknownEither(schema, parseOptions)`, fast for inputs it accepts. The options must be ones under
 * which accepted inputs decode as with the defaults (`errors`, `onExcessProperty: "ignore"`): refusals go to the
 * schema's decoder with them.
 */
export const decodeEither = <A, I>(
  schema: Schema.Schema<A, I>,
  parseOptions?: AST.ParseOptions
): ((input: unknown) => Either.Either<A, ParseResult.ParseError>) => {
  const fast = compile(schema.ast, new Map())
  const slow = Schema.decodeUnknownEither(schema, parseOptions)
  return (input) => {
    const value = fast(input)
    return value === FAIL ? slow(input) : Either.right(value as A)
  }
}
