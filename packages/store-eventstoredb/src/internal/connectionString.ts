/**
 * `@eventstore/db-client`'s dialect of connection strings (read by `@service-accounts/eventstoredb-core`), and its
 * client made from what was read, never from the string: the client logs the whole string (password included) in its
 * debug output, and prints it to the console for an unknown option or `tlsVerifyCert=false`.
 *
 * @internal
 */
import { type ChannelCredentialOptions, EventStoreDBClient } from "@eventstore/db-client"
import { type ConnectionDialect, type ConnectionSettings, certificates } from "@service-accounts/eventstoredb-core"
import { Either } from "effect"

/** `esdb://` and `esdb+discover://`; the client cannot switch certificate verification off. */
export const dialect: ConnectionDialect = { schemes: ["esdb"], tlsVerifyCertFalse: false }

/**
 * The client for the settings, made as `EventStoreDBClient.connectionString` makes it, without a string. The left
 * side is a reason that names no part of the string.
 */
export const client = (settings: ConnectionSettings): Either.Either<EventStoreDBClient, string> =>
  Either.flatMap(certificates(settings), (read) => {
    const channel: ChannelCredentialOptions = { insecure: settings.tls === false, ...read }
    const common = {
      ...(settings.throwOnAppendFailure === undefined ? {} : { throwOnAppendFailure: settings.throwOnAppendFailure }),
      ...(settings.keepAliveInterval === undefined ? {} : { keepAliveInterval: settings.keepAliveInterval }),
      ...(settings.keepAliveTimeout === undefined ? {} : { keepAliveTimeout: settings.keepAliveTimeout }),
      ...(settings.defaultDeadline === undefined ? {} : { defaultDeadline: settings.defaultDeadline }),
      ...(settings.connectionName === undefined ? {} : { connectionName: settings.connectionName })
    }
    const discovery = {
      ...common,
      ...(settings.nodePreference === undefined ? {} : { nodePreference: settings.nodePreference }),
      ...(settings.discoveryInterval === undefined ? {} : { discoveryInterval: settings.discoveryInterval }),
      ...(settings.gossipTimeout === undefined ? {} : { gossipTimeout: settings.gossipTimeout }),
      ...(settings.maxDiscoverAttempts === undefined ? {} : { maxDiscoverAttempts: settings.maxDiscoverAttempts })
    }
    const [first] = settings.hosts
    if (first === undefined) return Either.left("no host was given")
    const user = settings.credentials === undefined ? undefined : { ...settings.credentials }
    try {
      if (settings.discover) {
        return Either.right(new EventStoreDBClient({ ...discovery, discover: first }, channel, user))
      }
      if (settings.hosts.length > 1) {
        return Either.right(new EventStoreDBClient({ ...discovery, endpoints: [...settings.hosts] }, channel, user))
      }
      return Either.right(new EventStoreDBClient({ ...common, endpoint: first }, channel, user))
    } catch {
      return Either.left("the client refused the settings")
    }
  })
