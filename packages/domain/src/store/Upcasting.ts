/**
 * Upcasting: reading events written by an older version of the event schemas.
 *
 * An event's metadata says which version of the schemas wrote it (`schemaVersion`; absent means 1, the first).
 * When a change to an event cannot be made by adding an optional field, the version goes up and an upcaster is
 * registered for each event type the change touches: a pure function from the stored form of version `n` to the
 * stored form of version `n + 1`. Before an event is decoded, the upcasters are applied one version at a time
 * until it reaches `EVENT_SCHEMA_VERSION`.
 *
 * Upcasting only changes what is *read*: the stored event stays as it was written, so its integrity digests (which
 * cover the stored form) still verify.
 *
 * @example
 * ```ts
 * import { type RecordedEvent, Upcasting } from "@service-accounts/domain"
 * import { Either } from "effect"
 *
 * // Had version 2 of the events made TokenRevoked's `reason` required, where version 1 left it out, this upcaster
 * // would read the old events as version 2: a revocation without a reason was a manual one.
 * const registry = Upcasting.make(
 *   [
 *     {
 *       type: "TokenRevoked",
 *       fromVersion: 1,
 *       upcast: ({ type, data }) =>
 *         typeof data === "object" && data !== null && !Array.isArray(data)
 *           ? Either.right({ type, data: { reason: "Manual", ...data } })
 *           : Either.left("its data is not an object")
 *     }
 *   ],
 *   2
 * )
 *
 * const stored: RecordedEvent = {
 *   streamId: "serviceAccountDirectory-acme",
 *   revision: 3n,
 *   position: 41n,
 *   eventId: "5e0f3c8a-2b1d-4f6e-9a7c-8d6b5a4c3e2f",
 *   type: "TokenRevoked",
 *   data: { _tag: "TokenRevoked", tokenId: "6f1c2a34-7e0b-4c1d-9a2b-3c4d5e6f7a8b" },
 *   metadata: { schemaVersion: 1 },
 *   recordedAt: new Date("2026-12-07T10:00:00Z")
 * }
 * const read = Upcasting.upcast(stored, registry)
 * // Right: the event with data { reason: "Manual", … } and metadata { schemaVersion: 2 }.
 * // The stored event stays as it was.
 * ```
 *
 * @since 0.1.0
 */
import { Either } from "effect"
import type { Json, RecordedEvent } from "./EventStore.js"
import { CorruptStoredEvent } from "../model/Errors.js"
import { EVENT_SCHEMA_VERSION } from "../model/Events.js"

/**
 * The stored form an upcaster reads and writes: the event type and its data.
 *
 * @since 0.1.0
 * @category models
 */
export interface StoredForm {
  readonly type: string
  readonly data: Json
}

/**
 * Turns one event type's stored form of `fromVersion` into the stored form of `fromVersion + 1` (whose type may
 * be another name, for a renamed event). It answers `Either.left(reason)` for data it cannot convert.
 *
 * @since 0.1.0
 * @category models
 */
export interface Upcaster {
  readonly type: string
  readonly fromVersion: number
  readonly upcast: (form: StoredForm) => Either.Either<StoredForm, string>
}

/**
 * Upcasters by event type and version.
 *
 * @since 0.1.0
 * @category models
 */
export interface Registry {
  readonly currentVersion: number
  readonly upcasters: ReadonlyMap<string, Upcaster>
}

const keyOf = (type: string, fromVersion: number): string => `${fromVersion}\u0000${type}`

/**
 * Builds a registry. Two upcasters for the same type and version are a programming error and throw.
 *
 * @since 0.1.0
 * @category constructors
 */
export const make = (upcasters: ReadonlyArray<Upcaster>, currentVersion: number = EVENT_SCHEMA_VERSION): Registry => {
  const map = new Map<string, Upcaster>()
  for (const upcaster of upcasters) {
    const key = keyOf(upcaster.type, upcaster.fromVersion)
    if (map.has(key)) throw new Error(`two upcasters for ${upcaster.type} from version ${upcaster.fromVersion}`)
    if (upcaster.fromVersion >= currentVersion) {
      throw new Error(
        `an upcaster for ${upcaster.type} starts at version ${upcaster.fromVersion}, not below ${currentVersion}`
      )
    }
    map.set(key, upcaster)
  }
  return { currentVersion, upcasters: map }
}

/**
 * The upcasters of this version of the library. Version 1 is the only version so far, so there are none yet:
 * the first incompatible change adds its upcasters here.
 *
 * @since 0.1.0
 * @category registries
 */
export const registry: Registry = make([])

/**
 * The schema version an event was written with: its metadata's `schemaVersion`, 1 when absent, `undefined` when
 * the field is not a positive whole number.
 *
 * @since 0.1.0
 * @category getters
 */
export const versionOf = (metadata: { readonly [key: string]: Json }): number | undefined => {
  const version = metadata.schemaVersion
  if (version === undefined) return 1
  return typeof version === "number" && Number.isSafeInteger(version) && version >= 0 ? version : undefined
}

/**
 * Brings a stored event up to the registry's current version, one version at a time. An event already at the
 * current version comes back as it is (the same object). The result's metadata says the new `schemaVersion`;
 * everything else (stream, revision, position, id, time, other metadata) is kept.
 *
 * @since 0.1.0
 * @category upcasting
 */
export const upcast = (
  recorded: RecordedEvent,
  upcasters: Registry = registry
): Either.Either<RecordedEvent, CorruptStoredEvent> => {
  const corrupt = (reason: string) =>
    Either.left(
      new CorruptStoredEvent({
        streamId: recorded.streamId,
        revision: recorded.revision,
        position: recorded.position,
        reason
      })
    )
  const written = versionOf(recorded.metadata)
  if (written === undefined) return corrupt("its schemaVersion is not a whole number")
  if (written === upcasters.currentVersion) return Either.right(recorded)
  if (written > upcasters.currentVersion) {
    return corrupt(`schema version ${written} is newer than this version of the library (${upcasters.currentVersion})`)
  }
  let form: StoredForm = { type: recorded.type, data: recorded.data }
  for (let version = written; version < upcasters.currentVersion; version++) {
    const upcaster = upcasters.upcasters.get(keyOf(form.type, version))
    if (upcaster === undefined) {
      return corrupt(`no upcaster reads ${form.type} of schema version ${version}`)
    }
    const next = upcaster.upcast(form)
    if (Either.isLeft(next)) return corrupt(`${form.type} of schema version ${version} cannot be upcast: ${next.left}`)
    form = next.right
  }
  return Either.right({
    ...recorded,
    type: form.type,
    data: form.data,
    metadata: { ...recorded.metadata, schemaVersion: upcasters.currentVersion }
  })
}
