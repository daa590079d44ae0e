/**
 * `@service-accounts/domain/model`: the model — ids, names, scopes, the caller and authorisation, the token format,
 * events, commands, errors, the decider type and the directory decider with its entities. It does no I/O and runs
 * no effect: everything here is a value, a schema or a pure function.
 *
 * @since 0.3.0
 */
export * as ApiToken from "./ApiToken.js"
export * from "./Authorization.js"
export * from "./Caller.js"
export * from "./Commands.js"
export * from "./Decider.js"
export * as Directory from "./Directory.js"
export * from "./Errors.js"
export * from "./Events.js"
export * from "./Ids.js"
export * from "./Names.js"
export * from "./Scope.js"
export * as ServiceAccount from "./ServiceAccount.js"
export * as Token from "./Token.js"
export * from "./Usage.js"
