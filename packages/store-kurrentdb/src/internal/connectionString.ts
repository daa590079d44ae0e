/**
 * `@kurrent/kurrentdb-client`'s dialect of connection strings (read by `@service-accounts/eventstoredb-core`), and
 * its client made from what was read.
 *
 * The client can only be made from a string (its native bridge for reads parses one of its own), so it is given the
 * settings written back as a string **without the credentials**, under `kurrentdb://` (the client prints a
 * deprecation warning for `esdb://`). The credentials reach it as a credentials provider, which both its gRPC calls
 * and its bridge's reads ask before every call: the client logs the string it is given in its debug output, and
 * prints it to the console for an option it does not know.
 *
 * @internal
 */
import { KurrentDBClient } from "@kurrent/kurrentdb-client"
import {
  type ConnectionDialect,
  type ConnectionSettings,
  certificates,
  withoutCredentials
} from "@service-accounts/eventstoredb-core"
import { Either } from "effect"

/** `kurrentdb://`, `kurrent://`, `kdb://` and the deprecated `esdb://`, each also `+discover`. */
export const dialect: ConnectionDialect = { schemes: ["kurrentdb", "kurrent", "kdb", "esdb"], tlsVerifyCertFalse: true }

/** The client for the settings. The left side is a reason that names no part of the string. */
export const client = (settings: ConnectionSettings): Either.Either<KurrentDBClient, string> =>
  // The certificate files are checked here so that a missing one gets this adapter's reason; the client reads them.
  Either.flatMap(certificates(settings), () => {
    try {
      const made = KurrentDBClient.connectionString(withoutCredentials(settings, "kurrentdb"))
      const user = settings.credentials
      if (user !== undefined) {
        const credentials = { username: user.username, password: user.password }
        made.setCredentialsProvider(() => credentials)
      }
      return Either.right(made)
    } catch {
      return Either.left("the client refused the settings")
    }
  })
