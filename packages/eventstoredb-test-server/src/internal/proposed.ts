/**
 * Proposed events as `Append` and `BatchAppend` carry them, and their size as the server counts it
 * towards the maximum append size (`Event.SizeOnDisk`).
 *
 * @internal
 */
import type { SharedPb } from "./generated.js"
import type { ProposedEvent } from "./types.js"
import { uuidText } from "./wire.js"

/** What both generated `ProposedMessage` classes have in common. */
export interface ProposedMessageLike {
  getId(): SharedPb.UUID | undefined
  getMetadataMap(): { get(key: string): string | undefined }
  getData_asU8(): Uint8Array
  getCustomMetadata_asU8(): Uint8Array
}

export type ParsedProposal =
  | { readonly _tag: "Event"; readonly event: ProposedEvent }
  | { readonly _tag: "MissingMetadata"; readonly property: "type" | "content-type" }
  | { readonly _tag: "MissingId" }

export const parseProposal = (message: ProposedMessageLike): ParsedProposal => {
  const metadata = message.getMetadataMap()
  const type = metadata.get("type")
  if (type === undefined) return { _tag: "MissingMetadata", property: "type" }
  const contentType = metadata.get("content-type")
  if (contentType === undefined) return { _tag: "MissingMetadata", property: "content-type" }
  const id = uuidText(message.getId())
  if (id === undefined) return { _tag: "MissingId" }
  return {
    _tag: "Event",
    event: {
      id,
      type,
      // Any other content type is stored as binary and read back as application/octet-stream.
      isJson: contentType === "application/json",
      data: message.getData_asU8(),
      metadata: message.getCustomMetadata_asU8()
    }
  }
}

export const sizeOnDisk = (event: ProposedEvent): number =>
  event.data.length + event.metadata.length + event.type.length * 2
