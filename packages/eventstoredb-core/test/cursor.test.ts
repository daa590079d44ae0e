import { Readable } from "node:stream"
import { describe, expect, it } from "@effect/vitest"
import { Chunk, Effect } from "effect"
import { Cursor, type Item } from "../src/internal/cursor.js"
import { Writes } from "../src/internal/writes.js"

const source = () => new Readable({ objectMode: true, read() {} })

/** The next turn of the event loop (its `setImmediate` phase). */
const nextTurn = () => new Promise<void>((resolve) => setImmediate(resolve))

/**
 * Pulls once while an item arrives, and notes whether the pull was answered before or after a `setImmediate` queued
 * at the moment the item was pushed.
 */
const orderOfDelivery = async (cursor: Cursor<string>, readable: Readable): Promise<ReadonlyArray<string>> => {
  const order: Array<string> = []
  const pulled = Effect.runPromise(cursor.pull).then((chunk) => {
    order.push(
      `pulled ${Chunk.toReadonlyArray(chunk)
        .map((item: Item<string>) => (item._tag === "Item" ? item.item : "caught up"))
        .join(",")}`
    )
  })
  await nextTurn()
  readable.push("e1")
  setImmediate(() => order.push("turn"))
  await pulled
  await nextTurn()
  return order
}

describe("Cursor", () => {
  it("hands a delivery out at once when no append is in flight", async () => {
    const readable = source()
    const cursor = new Cursor<string>(readable, new Writes())
    expect(await orderOfDelivery(cursor, readable)).toEqual(["pulled e1", "turn"])
  })

  it("hands a delivery out one turn later while an append is in flight, then at once again", async () => {
    const readable = source()
    const writes = new Writes()
    const cursor = new Cursor<string>(readable, writes)
    let settle: () => void = () => {}
    const append = writes.track(() => new Promise<void>((resolve) => (settle = resolve)))
    expect(writes.busy).toBe(true)
    expect(await orderOfDelivery(cursor, readable)).toEqual(["turn", "pulled e1"])
    settle()
    await append
    expect(writes.busy).toBe(false)
    expect(await orderOfDelivery(cursor, readable)).toEqual(["pulled e1", "turn"])
  })

  it("counts an append that fails, or throws before it starts, as settled", async () => {
    const writes = new Writes()
    await expect(writes.track(() => Promise.reject(new Error("refused")))).rejects.toThrow("refused")
    expect(() =>
      writes.track(() => {
        throw new Error("no connection")
      })
    ).toThrow("no connection")
    expect(writes.busy).toBe(false)
  })

  it("takes the end and a failure at once while an append is in flight", async () => {
    const writes = new Writes()
    void writes.track(() => new Promise<void>(() => {}))
    for (const stop of [(r: Readable) => r.push(null), (r: Readable) => r.destroy(new Error("connection reset"))]) {
      const readable = source()
      const cursor = new Cursor<string>(readable, writes)
      const order: Array<string> = []
      const stopped = Effect.runPromise(Effect.flip(cursor.pull)).then(() => order.push("stopped"))
      await nextTurn()
      stop(readable)
      setImmediate(() => order.push("turn"))
      await stopped
      await nextTurn()
      expect(order).toEqual(["stopped", "turn"])
    }
  })
})
