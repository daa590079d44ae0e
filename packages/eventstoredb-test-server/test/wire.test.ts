// Checks the exact messages on the wire, with a raw client built from @eventstore/db-client's own
// generated modules (the same ones the real client uses), where the high-level client hides the shape.
import { randomUUID } from "node:crypto"
import { jsonEvent, StreamNotFoundError } from "@eventstore/db-client"
import { describe, expect, it } from "vitest"
import {
  emptyPb,
  type Grpc,
  grpc,
  type SharedPb,
  type StreamsPb,
  sharedPb,
  streamsGrpcPb,
  streamsPb
} from "../src/internal/generated.js"
import type { RunningTestServer } from "../src/index.js"
import { collect, defer, eventually, events, harness, rejection } from "./helpers.js"

const encoder = new TextEncoder()
const decoder = new TextDecoder()
const { ContentCase } = streamsPb.ReadResp

const raw = (server: RunningTestServer) => {
  const client = new streamsGrpcPb.StreamsClient(server.endpoint, grpc.credentials.createInsecure())
  defer(async () => client.close())
  return client
}

const identifier = (name: string) => new sharedPb.StreamIdentifier().setStreamName(encoder.encode(name))
const uuid = (id = randomUUID()) => new sharedPb.UUID().setString(id)

type Proposed = { getMetadataMap(): { set(k: string, v: string): unknown } }
const fillProposed = <P extends Proposed>(message: P, metadata: Record<string, string>): P => {
  for (const [key, value] of Object.entries(metadata)) message.getMetadataMap().set(key, value)
  return message
}
const JSON_EVENT = { type: "Happened", "content-type": "application/json" }

const appendMessage = (metadata: Record<string, string> = JSON_EVENT, data = encoder.encode("{}")) =>
  new streamsPb.AppendReq().setProposedMessage(
    fillProposed(new streamsPb.AppendReq.ProposedMessage().setId(uuid()).setData(data), metadata)
  )

const rawAppend = (
  client: InstanceType<typeof streamsGrpcPb.StreamsClient>,
  stream: string,
  expect: (options: StreamsPb.AppendReq.Options) => void,
  messages: Array<StreamsPb.AppendReq>
) =>
  new Promise<{ response?: StreamsPb.AppendResp; error?: Grpc.ServiceError }>((resolve) => {
    const call = client.append((error, response) => resolve(error === null ? { response } : { error }))
    const options = new streamsPb.AppendReq.Options().setStreamIdentifier(identifier(stream))
    expect(options)
    call.write(new streamsPb.AppendReq().setOptions(options))
    for (const message of messages) call.write(message)
    call.end()
  })

const trailers = (error: Grpc.ServiceError | undefined) =>
  Object.fromEntries(Object.entries(error?.metadata.getMap() ?? {}).map(([k, v]) => [k, v.toString()]))

const batchMessage = (metadata: Record<string, string> = JSON_EVENT) =>
  fillProposed(new streamsPb.BatchAppendReq.ProposedMessage().setId(uuid()).setData(encoder.encode("{}")), metadata)

const openBatch = (client: InstanceType<typeof streamsGrpcPb.StreamsClient>) => {
  const call = client.batchAppend()
  const responses: Array<StreamsPb.BatchAppendResp> = []
  call.on("data", (response: StreamsPb.BatchAppendResp) => responses.push(response))
  call.on("error", () => {})
  defer(async () => {
    call.end()
  })
  return { call, responses }
}

const batchOptions = (stream: string) => new streamsPb.BatchAppendReq.Options().setStreamIdentifier(identifier(stream))

const rawRead = (client: InstanceType<typeof streamsGrpcPb.StreamsClient>, options: StreamsPb.ReadReq.Options) => {
  const call = client.read(new streamsPb.ReadReq().setOptions(options))
  const responses: Array<StreamsPb.ReadResp> = []
  let status: number | undefined
  call.on("data", (response: StreamsPb.ReadResp) => responses.push(response))
  call.on("error", (error: Grpc.ServiceError) => {
    status = error.code
  })
  call.on("status", (s: Grpc.StatusObject) => {
    status = s.code
  })
  defer(async () => call.cancel())
  return { call, responses, status: () => status }
}

const streamRead = (stream: string) =>
  new streamsPb.ReadReq.Options()
    .setStream(
      new streamsPb.ReadReq.Options.StreamOptions()
        .setStreamIdentifier(identifier(stream))
        .setStart(new sharedPb.Empty())
    )
    .setCount("100")
    .setNoFilter(new sharedPb.Empty())
    .setUuidOption(new streamsPb.ReadReq.Options.UUIDOption().setString(new sharedPb.Empty()))

describe("Append on the wire", () => {
  it("answers success with the revision and position as decimal strings", async () => {
    const { server } = await harness()
    const { response } = await rawAppend(raw(server), "s", (o) => o.setNoStream(new sharedPb.Empty()), [
      appendMessage(),
      appendMessage()
    ])
    const success = response?.getSuccess()
    expect(success?.getCurrentRevision()).toBe("1")
    expect(success?.getPosition()?.getCommitPosition()).toMatch(/^\d+$/)
    expect(success?.getPosition()?.getCommitPosition()).toBe(success?.getPosition()?.getPreparePosition())
  })

  it("answers a wrong expected version as a successful response carrying wrong_expected_version", async () => {
    const { server, client } = await harness()
    await client.appendToStream("s", events(1))
    const noStream = await rawAppend(raw(server), "s", (o) => o.setNoStream(new sharedPb.Empty()), [appendMessage()])
    expect(noStream.error).toBeUndefined()
    const wrong = noStream.response?.getWrongExpectedVersion()
    expect(wrong?.getCurrentRevision()).toBe("0")
    expect(wrong?.hasExpectedNoStream()).toBe(true)
    expect(wrong?.getCurrentRevision2060()).toBe(0)

    const exact = await rawAppend(raw(server), "missing", (o) => o.setRevision("5"), [appendMessage()])
    const wrongExact = exact.response?.getWrongExpectedVersion()
    expect(wrongExact?.hasCurrentNoStream()).toBe(true)
    expect(wrongExact?.getExpectedRevision()).toBe("5")
  })

  it.each(["type", "content-type"])("refuses a message without %s and writes nothing", async (missing) => {
    const { server, client } = await harness()
    const metadata = Object.fromEntries(Object.entries(JSON_EVENT).filter(([key]) => key !== missing))
    const { error } = await rawAppend(raw(server), "s", (o) => o.setAny(new sharedPb.Empty()), [
      appendMessage(),
      appendMessage(metadata)
    ])
    expect(error?.code).toBe(grpc.status.INVALID_ARGUMENT)
    expect(trailers(error)).toMatchObject({
      exception: "missing-required-metadata-property",
      "required-metadata-properties": "type,content-type"
    })
    expect(await rejection(collect(client.readStream("s")))).toBeInstanceOf(StreamNotFoundError)
  })

  it("stores another content type as binary", async () => {
    const { server, client } = await harness()
    await rawAppend(raw(server), "s", (o) => o.setAny(new sharedPb.Empty()), [
      appendMessage({ type: "Text", "content-type": "text/plain" }, encoder.encode("hello"))
    ])
    const [read] = await collect(client.readStream("s"))
    expect(read?.event?.isJson).toBe(false)
    expect(read?.event?.data).toEqual(encoder.encode("hello"))
  })

  it("fails appends to a tombstoned stream and oversized appends with the server's trailers", async () => {
    const { server, client } = await harness()
    await client.tombstoneStream("gone")
    const gone = await rawAppend(raw(server), "gone", (o) => o.setAny(new sharedPb.Empty()), [appendMessage()])
    expect(gone.error?.code).toBe(grpc.status.FAILED_PRECONDITION)
    expect(trailers(gone.error)).toMatchObject({ exception: "stream-deleted", "stream-name": "gone" })

    const big = await rawAppend(raw(server), "big", (o) => o.setAny(new sharedPb.Empty()), [
      appendMessage(JSON_EVENT, new Uint8Array(1024 * 1024))
    ])
    expect(big.error?.code).toBe(grpc.status.INVALID_ARGUMENT)
    expect(trailers(big.error)).toMatchObject({
      exception: "maximum-append-size-exceeded",
      "maximum-append-size": "1048576"
    })
  })
})

describe("BatchAppend on the wire", () => {
  const unpackWrongExpectedVersion = (status: ReturnType<StreamsPb.BatchAppendResp["getError"]>) =>
    status
      ?.getDetails()
      ?.unpack(sharedPb.WrongExpectedVersion.deserializeBinary, "event_store.client.WrongExpectedVersion")

  it("echoes the correlation id, names the stream, and keeps interleaved appends apart", async () => {
    const { server } = await harness()
    const { call, responses } = openBatch(raw(server))
    const a = uuid()
    const b = uuid()
    call.write(
      new streamsPb.BatchAppendReq()
        .setCorrelationId(a)
        .setOptions(batchOptions("a").setNoStream(new emptyPb.Empty()))
        .setProposedMessagesList([batchMessage()])
    )
    call.write(
      new streamsPb.BatchAppendReq()
        .setCorrelationId(b)
        .setOptions(batchOptions("b").setAny(new emptyPb.Empty()))
        .setProposedMessagesList([batchMessage()])
        .setIsFinal(true)
    )
    call.write(
      new streamsPb.BatchAppendReq().setCorrelationId(a).setProposedMessagesList([batchMessage()]).setIsFinal(true)
    )
    await eventually(() => responses.length === 2)
    const [first, second] = responses
    expect(first?.getCorrelationId()?.getString()).toBe(b.getString())
    expect(decoder.decode(first?.getStreamIdentifier()?.getStreamName_asU8())).toBe("b")
    expect(first?.getSuccess()?.getCurrentRevision()).toBe("0")
    expect(second?.getCorrelationId()?.getString()).toBe(a.getString())
    expect(decoder.decode(second?.getStreamIdentifier()?.getStreamName_asU8())).toBe("a")
    expect(second?.getSuccess()?.getCurrentRevision()).toBe("1")
    expect(second?.getSuccess()?.getPosition()?.getCommitPosition()).toMatch(/^\d+$/)
  })

  it("answers a wrong expected version with a google.rpc.Status packing WrongExpectedVersion", async () => {
    const { server, client } = await harness()
    await client.appendToStream("s", events(1))
    const { call, responses } = openBatch(raw(server))
    const correlation = uuid()
    call.write(
      new streamsPb.BatchAppendReq()
        .setCorrelationId(correlation)
        .setOptions(batchOptions("s").setStreamPosition("7"))
        .setProposedMessagesList([batchMessage()])
        .setIsFinal(true)
    )
    await eventually(() => responses.length === 1)
    const response = responses[0]
    expect(response?.getCorrelationId()?.getString()).toBe(correlation.getString())
    expect(decoder.decode(response?.getStreamIdentifier()?.getStreamName_asU8())).toBe("s")
    const status = response?.getError()
    expect(status?.getCode()).toBe(6)
    expect(status?.getMessage()).toBe("WrongExpectedVersion")
    expect(status?.getDetails()?.getTypeUrl()).toBe("type.googleapis.com/event_store.client.WrongExpectedVersion")
    const details: SharedPb.WrongExpectedVersion | null | undefined = unpackWrongExpectedVersion(status)
    expect(details?.getCurrentStreamRevision()).toBe("0")
    expect(details?.getExpectedStreamPosition()).toBe("7")
  })

  it("answers a tombstoned stream with StreamDeleted, a missing content type with BadRequest, an oversized append with MaximumAppendSizeExceeded", async () => {
    const { server, client } = await harness({ maxAppendSize: 10 })
    await client.tombstoneStream("gone")
    const { call, responses } = openBatch(raw(server))
    const send = (stream: string, message: StreamsPb.BatchAppendReq.ProposedMessage) =>
      call.write(
        new streamsPb.BatchAppendReq()
          .setCorrelationId(uuid())
          .setOptions(batchOptions(stream).setAny(new emptyPb.Empty()))
          .setProposedMessagesList([message])
          .setIsFinal(true)
      )
    send("gone", batchMessage({ type: "T", "content-type": "application/json" }))
    send("untyped", batchMessage({ type: "T" }))
    send("big", batchMessage({ type: "LongTypeName", "content-type": "application/json" }))
    await eventually(() => responses.length === 3)
    const summary = responses.map((r) => [r.getError()?.getCode(), r.getError()?.getDetails()?.getTypeName()])
    expect(summary).toEqual([
      [5, "event_store.client.StreamDeleted"],
      [3, "event_store.client.BadRequest"],
      [3, "event_store.client.MaximumAppendSizeExceeded"]
    ])
    expect(await rejection(collect(client.readStream("untyped")))).toBeInstanceOf(StreamNotFoundError)
    expect(await rejection(collect(client.readStream("big")))).toBeInstanceOf(StreamNotFoundError)
  })
})

describe("Read on the wire", () => {
  it("sends uint64 fields as decimal strings and created as ticks since the Unix epoch", async () => {
    const { server, client } = await harness()
    const before = Date.now()
    await client.appendToStream("s", events(2))
    const after = Date.now()
    const read = rawRead(raw(server), streamRead("s"))
    await eventually(() => read.status() !== undefined)
    expect(read.status()).toBe(grpc.status.OK)
    const recorded = read.responses.map((r) => r.getEvent()?.getEvent())
    expect(recorded.map((e) => e?.getStreamRevision())).toEqual(["0", "1"])
    const created = recorded[0]?.getMetadataMap().get("created") ?? ""
    expect(created).toMatch(/^\d+$/)
    const milliseconds = Number(BigInt(created) / 10_000n)
    expect(milliseconds).toBeGreaterThanOrEqual(before)
    expect(milliseconds).toBeLessThanOrEqual(after)
    expect(recorded[0]?.getMetadataMap().get("content-type")).toBe("application/json")
    expect(read.responses[0]?.getEvent()?.getCommitPosition()).toBe(recorded[0]?.getCommitPosition())
  })

  it("answers a missing stream with stream_not_found and ends with OK", async () => {
    const { server } = await harness()
    const read = rawRead(raw(server), streamRead("missing"))
    await eventually(() => read.status() !== undefined)
    expect(read.status()).toBe(grpc.status.OK)
    expect(read.responses.map((r) => r.getContentCase())).toEqual([ContentCase.STREAM_NOT_FOUND])
    const name = read.responses[0]?.getStreamNotFound()?.getStreamIdentifier()?.getStreamName_asU8()
    expect(decoder.decode(name)).toBe("missing")
  })

  it("sends ids in the structured form when asked", async () => {
    const { server, client } = await harness()
    const id = "4b2d9e5c-3f0a-4c1e-9a77-0d1e2f3a4b5c"
    await client.appendToStream("s", jsonEvent({ id, type: "Happened", data: {} }))
    const options = streamRead("s").setUuidOption(
      new streamsPb.ReadReq.Options.UUIDOption().setStructured(new sharedPb.Empty())
    )
    const read = rawRead(raw(server), options)
    await eventually(() => read.status() !== undefined)
    const structured = read.responses[0]?.getEvent()?.getEvent()?.getId()?.getStructured()
    expect(structured?.getMostSignificantBits()).toBe(BigInt.asIntN(64, 0x4b2d9e5c3f0a4c1en).toString())
    expect(structured?.getLeastSignificantBits()).toBe(BigInt.asIntN(64, 0x9a770d1e2f3a4b5cn).toString())
  })

  it("writes a soft delete's $tb as the exact 64-bit maximum", async () => {
    const { server, client } = await harness()
    await client.appendToStream("s", events(1))
    await client.deleteStream("s")
    const read = rawRead(raw(server), streamRead("$$s"))
    await eventually(() => read.status() !== undefined)
    const data = read.responses[0]?.getEvent()?.getEvent()?.getData_asU8()
    expect(decoder.decode(data)).toBe('{"$tb":9223372036854775807}')
  })

  it("orders a subscription as confirmation, history, caught_up, then live events", async () => {
    const { server, client } = await harness()
    await client.appendToStream("s", events(2))
    const options = streamRead("s")
    options.clearCount()
    options.setSubscription(new streamsPb.ReadReq.Options.SubscriptionOptions())
    const read = rawRead(raw(server), options)
    await eventually(() => read.responses.length === 4)
    await client.appendToStream("s", events(1))
    await eventually(() => read.responses.length === 5)
    expect(read.responses.map((r) => r.getContentCase())).toEqual([
      ContentCase.CONFIRMATION,
      ContentCase.EVENT,
      ContentCase.EVENT,
      ContentCase.CAUGHT_UP,
      ContentCase.EVENT
    ])
    expect(read.responses[0]?.getConfirmation()?.getSubscriptionId()).toMatch(/^[0-9a-f-]{36}$/)
    read.call.cancel()
    await eventually(() => server.dropSubscriptions() === 0)
  })
})

describe("Delete on the wire", () => {
  it("fails a wrong expected version with FAILED_PRECONDITION and the server's trailers", async () => {
    const { server } = await harness()
    const client = raw(server)
    const error = await new Promise<Grpc.ServiceError | null>((resolve) => {
      const options = new streamsPb.DeleteReq.Options()
        .setStreamIdentifier(identifier("missing"))
        .setAny(new sharedPb.Empty())
      client.delete(new streamsPb.DeleteReq().setOptions(options), (e) => resolve(e))
    })
    expect(error?.code).toBe(grpc.status.FAILED_PRECONDITION)
    expect(trailers(error ?? undefined)).toMatchObject({
      exception: "wrong-expected-version",
      "stream-name": "missing",
      "expected-version": "-2",
      "actual-version": "-1"
    })
  })
})
