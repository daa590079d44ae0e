/**
 * Stream metadata (`$metadata` events on `$$<stream>`) as the server reads and rewrites it.
 *
 * @internal
 */

/** `EventNumber.DeletedStream` (`long.MaxValue`): the revision of a tombstone and the `$tb` of a soft delete. */
export const DELETED_STREAM = 9223372036854775807n

/** `DELETED_STREAM` as a JSON number parses to (2^63); used to compare parsed `$tb` values. */
const DELETED_STREAM_AS_NUMBER = 2 ** 63

const decoder = new TextDecoder()
const encoder = new TextEncoder()

/** The parsed JSON object of a metadata event, or `undefined` when it is not a JSON object. */
export const parseMetadataObject = (data: Uint8Array): Record<string, unknown> | undefined => {
  try {
    const parsed: unknown = JSON.parse(decoder.decode(data))
    if (typeof parsed === "object" && parsed !== null && !Array.isArray(parsed)) {
      return { ...parsed }
    }
    return undefined
  } catch {
    return undefined
  }
}

const integerProperty = (metadata: Record<string, unknown> | undefined, key: string): number | undefined => {
  const value = metadata?.[key]
  return typeof value === "number" && Number.isFinite(value) ? value : undefined
}

/** The settings of a stream's metadata that change what reads return. */
export interface ReadSettings {
  /** `$tb`: events before this revision are hidden. */
  readonly truncateBefore: number | undefined
  /** `$maxCount`: only this many of the latest events are visible. */
  readonly maxCount: number | undefined
  /** `$tb` is `long.MaxValue`: the stream is soft-deleted. */
  readonly softDeleted: boolean
}

export const readSettings = (metadata: Record<string, unknown> | undefined): ReadSettings => {
  const truncateBefore = integerProperty(metadata, "$tb")
  return {
    truncateBefore,
    maxCount: integerProperty(metadata, "$maxCount"),
    softDeleted: truncateBefore !== undefined && truncateBefore >= DELETED_STREAM_AS_NUMBER
  }
}

/**
 * The existing metadata (if it is a JSON object) with `$tb` set to `truncateBefore`, written as the server
 * writes it: an exact 64-bit integer, which `JSON.stringify` of a JS number could not produce.
 */
export const withTruncateBefore = (existing: Uint8Array | undefined, truncateBefore: bigint): Uint8Array => {
  const rest = existing === undefined ? {} : (parseMetadataObject(existing) ?? {})
  delete rest.$tb
  const others = JSON.stringify(rest)
  const tb = `"$tb":${truncateBefore.toString()}`
  return encoder.encode(others === "{}" ? `{${tb}}` : `{${tb},${others.slice(1)}`)
}
