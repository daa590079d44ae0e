/**
 * The service's input decoders: callers and commands, decoded with their schemas (strictly: every problem,
 * unknown fields refused, plain data only) before anything else happens.
 */
import { Either, Schema } from "effect"
import { authorizationRefusal } from "../Authorization.js"
import { Caller } from "../Caller.js"
import { CreateServiceAccount, DEFAULT_SCOPES, DeleteServiceAccount, IssueToken, RevokeToken } from "../Commands.js"
import type { InvalidInput } from "../Errors.js"
import { Scopes } from "../Events.js"
import { ServiceAccountId } from "../Ids.js"
import type { AccessError } from "../ServiceAccounts.js"
import { decoder, eitherDecoder } from "./input.js"

export const decodeCaller = eitherDecoder(Caller, "caller")
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
