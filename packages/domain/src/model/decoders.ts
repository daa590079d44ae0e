/**
 * The service's input decoders: callers and commands, decoded with their schemas (strictly: every problem,
 * unknown fields refused, plain data only) before anything else happens.
 */
import { Either, Schema } from "effect"
import { authorizationRefusal } from "./Authorization.js"
import { Caller } from "./Caller.js"
import { CreateServiceAccount, DEFAULT_SCOPES, DeleteServiceAccount, IssueToken, RevokeToken } from "./Commands.js"
import type { InvalidInput } from "./Errors.js"
import { Scopes } from "./Scope.js"
import { ServiceAccountId } from "./Ids.js"
import type { AccessError } from "./Errors.js"
import { decoder, eitherDecoder } from "./input.js"

const decodeCallerStrictly = eitherDecoder(Caller, "caller")

const isPlainRecord = (value: unknown): value is { readonly [key: string]: unknown } =>
  typeof value === "object" && value !== null && Object.getPrototypeOf(value) === Object.prototype

/** Callers decoded before, by their fields (length-prefixed, so no two callers share a key); bounded. */
const decodedCallers = new Map<string, Either.Either<Caller, InvalidInput>>()
const DECODED_CALLERS = 1024

/**
 * A host sends the same caller with every call of a user: a caller of the usual form — plain objects, exactly the
 * organisation's `id`, `plan` and `tenantUrl` and the actor's `userId` and `role`, all strings, no command id — is
 * decoded once and its (frozen) decoded value remembered. Decoding is a function of those five strings, so what is
 * remembered is what decoding gives; each field is read once, and what was read is what is decoded. Any other
 * input (a command id, another field, a getter's class instance) is decoded every time, and a caller that does not
 * decode is never remembered.
 */
export const decodeCaller = (input: unknown): Either.Either<Caller, InvalidInput> => {
  if (!isPlainRecord(input) || Object.keys(input).length !== 2) return decodeCallerStrictly(input)
  const { organization, actor } = input
  if (!isPlainRecord(organization) || !isPlainRecord(actor)) return decodeCallerStrictly(input)
  if (Object.keys(organization).length !== 3 || Object.keys(actor).length !== 2) return decodeCallerStrictly(input)
  const { id, plan, tenantUrl } = organization
  const { userId, role } = actor
  if (
    typeof id !== "string" ||
    typeof plan !== "string" ||
    typeof tenantUrl !== "string" ||
    typeof userId !== "string" ||
    typeof role !== "string"
  ) {
    return decodeCallerStrictly(input)
  }
  const key = `${id.length}:${id}${plan.length}:${plan}${tenantUrl.length}:${tenantUrl}${userId.length}:${userId}${role.length}:${role}`
  const known = decodedCallers.get(key)
  if (known !== undefined) return known
  const decoded = decodeCallerStrictly({ organization: { id, plan, tenantUrl }, actor: { userId, role } })
  if (Either.isRight(decoded)) {
    Object.freeze(decoded.right.organization)
    Object.freeze(decoded.right.actor)
    Object.freeze(decoded.right)
    if (decodedCallers.size >= DECODED_CALLERS) decodedCallers.clear()
    decodedCallers.set(key, decoded)
  }
  return decoded
}
export const decodeCreate = eitherDecoder(CreateServiceAccount, "service account", "CreateServiceAccount")
// `scopes`' default makes IssueToken's schema a transformation, and decoding a transformation checks every field
// twice (the encoded side, then the decoded side). So the command is decoded as given (`scopes` optional) and the
// default filled in here: the same value, field order included; what that refuses is decoded again with IssueToken
// itself, so the problems are reported exactly as IssueToken reports them.
const decodeIssueGiven = eitherDecoder(
  Schema.Struct({ ...IssueToken.fields, scopes: Schema.optional(Scopes) }),
  "token request",
  "IssueToken"
)
const decodeIssueStrictly = eitherDecoder(IssueToken, "token request", "IssueToken")
export const decodeIssue = (input: unknown): Either.Either<IssueToken, InvalidInput> => {
  const given = decodeIssueGiven(input)
  if (Either.isLeft(given)) return decodeIssueStrictly(input)
  const { _tag, serviceAccountId, name, scopes } = given.right
  return Either.right({ _tag, serviceAccountId, name, scopes: scopes ?? [...DEFAULT_SCOPES] })
}
export const decodeRevoke = eitherDecoder(RevokeToken, "revocation", "RevokeToken")
export const decodeDelete = eitherDecoder(DeleteServiceAccount, "deletion", "DeleteServiceAccount")
export const decodeAccountId = decoder(Schema.Struct({ serviceAccountId: ServiceAccountId }), "service account id")

/** The caller, decoded and authorised for `action` — checked before anything is looked up. */
export const admit = (callerInput: unknown, action: string): Either.Either<Caller, AccessError> => {
  const caller = decodeCaller(callerInput)
  if (Either.isLeft(caller)) return caller
  const refusal = authorizationRefusal(caller.right, action)
  return refusal === undefined ? caller : Either.left(refusal)
}
