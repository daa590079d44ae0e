/**
 * Decoding that succeeds fast: a schema's AST turned, once, into a plain function that runs the schema's own checks
 * and transformations (its refinements' filters, its transformations' decode functions, its declarations' parsers)
 * without Effect's parse-result bookkeeping — no `Either` per node, no closures per call, no issue objects.
 *
 * It only ever answers "here is the decoded value" or "not decided here" (`FAIL`): then the schema's own decoder
 * runs and gives the result, a refusal with its messages included. So for an input the schema refuses, the error is
 * exactly the schema's; for an input it accepts, the value is the one its decoder builds (same fields, same order,
 * same objects out of declarations and transformations). Nodes this does not follow (unions other than of literals,
 * with `undefined` or of objects told apart by a literal property; tuples with optional elements or with both fixed
 * elements and a rest; index signatures, suspensions, templates, property-signature transformations, parse-option or
 * fallback annotations) are decoded by Effect's decoder for that node alone.
 *
 * A test holds every schema it is used with to the schema's own decoder, on generated values and on broken ones.
 *
 * @internal
 */
import { DateTime, Either, ParseResult, Predicate, Schema, SchemaAST as AST } from "effect"
import { isoMillis } from "./isoTime.js"

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

/**
 * Nodes that decode with a plain function of their own (a value, or `FAIL` for "not decided here"): declarations
 * (remembered values), and refinements whose check is written by hand (ids): compiled to it directly, without a parse
 * result to make and look into per value. The function must accept exactly what the node accepts, giving the same value.
 */
const plainDeclarations = new WeakMap<AST.AST, Compiled>()

/** Registers the plain decoder of a node (see `plainDeclarations`). */
export const declarePlain = (ast: AST.AST, decode: (input: unknown) => unknown): void => {
  plainDeclarations.set(ast, decode)
}

/** `schema` itself, with `decode` registered as the plain decoder of its node (see `plainDeclarations`). */
export const withPlainDecoder = <S extends Schema.Schema.Any>(schema: S, decode: (input: unknown) => unknown): S => {
  plainDeclarations.set(schema.ast, decode)
  return schema
}

/**
 * `Schema.DateTimeUtc` (every event's `occurredAt`): a time in the usual form (`toISOString`'s) is read by `isoMillis`,
 * without `Date`'s parser. Effect's decoder reads a text that ends in `Z` as `new Date(text)`, which is the same
 * instant; anything else is decoded by Effect's decoder of the node.
 */
const dateTimeUtc = (): Compiled => {
  const viaSchema = viaEffect(Schema.DateTimeUtc.ast)
  return (input) => {
    if (typeof input === "string") {
      const millis = isoMillis(input)
      if (millis !== undefined && !Number.isNaN(millis)) return DateTime.unsafeMake(millis)
    }
    return viaSchema(input)
  }
}

/** Nodes of Effect's own schemas decoded by a plain function of this module (made once the node is compiled). */
const plainNodes = new Map<AST.AST, () => Compiled>([[Schema.DateTimeUtc.ast, dateTimeUtc]])

const isOptionalUndefined = (ast: AST.AST): boolean => ast._tag === "UndefinedKeyword"

/** `null`, what `Schema.NullOr` adds. */
const isNull = (ast: AST.AST): boolean => ast._tag === "Literal" && ast.literal === null

/**
 * A property every member of a union has, required, as a literal of its own: the members by that literal. Only
 * object members without index signatures qualify (what `Schema.Struct`s and tagged structs make).
 */
const discriminator = (
  members: ReadonlyArray<AST.AST>
): { readonly name: PropertyKey; readonly byValue: ReadonlyMap<unknown, AST.AST> } | undefined => {
  const [first] = members
  if (first?._tag !== "TypeLiteral") return undefined
  for (const candidate of first.propertySignatures) {
    const byValue = new Map<unknown, AST.AST>()
    for (const member of members) {
      if (member._tag !== "TypeLiteral" || member.indexSignatures.length > 0) return undefined
      const signature = member.propertySignatures.find((each) => each.name === candidate.name)
      if (signature === undefined || signature.isOptional || signature.type._tag !== "Literal") break
      if (byValue.has(signature.type.literal)) break
      byValue.set(signature.type.literal, member)
    }
    if (byValue.size === members.length) return { name: candidate.name, byValue }
  }
  return undefined
}

const compileNode = (ast: AST.AST, memo: Map<AST.AST, Compiled>): Compiled => {
  // Annotations that change how a node parses: left to Effect.
  if (AST.getParseOptionsAnnotation(ast)._tag === "Some" || AST.getDecodingFallbackAnnotation(ast)._tag === "Some") {
    return viaEffect(ast)
  }
  const declared = plainDeclarations.get(ast)
  if (declared !== undefined) return declared
  const plain = plainNodes.get(ast)
  if (plain !== undefined) return plain()
  switch (ast._tag) {
    case "StringKeyword":
      return (input) => (typeof input === "string" ? input : FAIL)
    case "NumberKeyword":
      return (input) => (typeof input === "number" ? input : FAIL)
    case "BooleanKeyword":
      return (input) => (typeof input === "boolean" ? input : FAIL)
    case "BigIntKeyword":
      return (input) => (typeof input === "bigint" ? input : FAIL)
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
      // `X | null`, what `Schema.NullOr` makes (the snapshots' token rows have several).
      if (members.length === 2 && first !== undefined && second !== undefined && isNull(second)) {
        const value = compile(first, memo)
        return (input) => {
          // The first member is tried first, as Effect's decoder does; `null` is the second's.
          const decoded = value(input)
          return decoded === FAIL && input === null ? input : decoded
        }
      }
      // Objects told apart by one literal property (a `kind` or `_tag`): only the member it names can accept.
      const discriminated = discriminator(members)
      if (discriminated !== undefined) {
        const { name, byValue } = discriminated
        const compiled = new Map(Array.from(byValue, ([value, member]) => [value, compile(member, memo)] as const))
        return (input) => {
          if (!Predicate.isRecord(input)) return FAIL
          const member = compiled.get(input[name as keyof typeof input])
          return member === undefined ? FAIL : member(input)
        }
      }
      return viaEffect(ast)
    }
    case "TupleType": {
      const [rest] = ast.rest
      // A tuple of fixed, required elements: exactly that many, each decoded by its element.
      if (ast.rest.length === 0 && ast.elements.every((element) => !element.isOptional)) {
        const elements = ast.elements.map((element) => compile(element.type, memo))
        const length = elements.length
        return (input) => {
          if (!Array.isArray(input) || input.length !== length) return FAIL
          const output: Array<unknown> = new Array(length)
          for (let i = 0; i < length; i++) {
            const value = (elements[i] as Compiled)(input[i])
            if (value === FAIL) return FAIL
            output[i] = value
          }
          return output
        }
      }
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
