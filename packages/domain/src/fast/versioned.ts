/**
 * Versions of one mutable world: how the read models stay pure folds yet update in place.
 *
 * A read model's state is a `Version` of a world of plain `Map`s and arrays. Exactly one version of a world, its
 * root, holds the world; every other version holds the writes that turn its successor's world back into its
 * own (Baker's trick, as in Conchon & Filliâtre's persistent arrays). Updating the root writes into the world,
 * records the previous value of each slot written, and hands the world to the new version; the old version
 * keeps the record. Reading any version first makes it the root ("rerooting": the records on the way are
 * applied, and inverted so the way back is recorded too). So from the outside every version is immutable — an
 * older state never sees later events — while a fold that only ever moves forward (a replay, a service's read
 * models) reads and writes native `Map`s at native speed, and an older version's records are garbage as soon
 * as nobody holds that version.
 *
 * Rules for worlds: values are never `undefined` (a `Map` slot holding `undefined` reads as absent), arrays only
 * grow at the end, and every write to a world goes through `set`, `remove` or `push` during `update`. Anything else in a
 * world (caches whose content never differs between versions, such as shared actor objects) may be written
 * freely. Objects read out of a world must be immutable: a record is replaced, never changed.
 *
 * @internal
 */

/** Marks a slot that held nothing: a `Map` key that was absent, an array index at its end. */
const ABSENT: unique symbol = Symbol("absent")

/**
 * One version of a world. A version with neither a world nor a successor is an empty state (the initial state of
 * a projection): updating it starts a new world, so it never links to one.
 */
export class Version<W> {
  /** @internal The world, when this version is the root. */
  world: W | undefined
  /** @internal The version whose world `log` turns into this one's, when this version is not the root. */
  next: Version<W> | undefined
  /** @internal Triples (container, key, value): the writes that turn `next`'s world into this version's, applied last first. */
  log: Array<unknown> | undefined
  constructor(world: W | undefined) {
    this.world = world
    this.next = undefined
    this.log = undefined
  }
}

/** An empty version. */
export const empty = <W>(): Version<W> => new Version<W>(undefined)

/**
 * The first version of a world built outside any update (restored from a snapshot, say): nobody else may hold the
 * world or anything in it.
 */
export const of = <W>(world: W): Version<W> => new Version<W>(world)

/** Whether the update in progress records its writes (not when nothing can see the world's previous content). */
let recording = false
/** The writes recorded by the update in progress, from its first. */
let log: Array<unknown> | undefined

/** Writes a `Map` slot during `update`. */
export const set = <K, V>(map: Map<K, V>, key: K, value: V): void => {
  if (recording) {
    const previous = map.get(key)
    record(map, key, previous === undefined ? ABSENT : previous)
  }
  map.set(key, value)
}

/** Removes a `Map` slot during `update` (a later undo puts it back, at the end of the `Map`'s order). */
export const remove = <K, V>(map: Map<K, V>, key: K): void => {
  const previous = map.get(key)
  if (previous === undefined) return
  if (recording) record(map, key, previous)
  map.delete(key)
}

/** Appends to an array during `update`. */
export const push = <T>(array: Array<T>, value: T): void => {
  if (recording) record(array, array.length, ABSENT)
  array.push(value)
}

const record = (container: unknown, key: unknown, previous: unknown): void => {
  // Most updates write once or twice: the log is made at its first write, at its size.
  if (log === undefined) log = [container, key, previous]
  else log.push(container, key, previous)
}

const write = (container: unknown, key: unknown, value: unknown): unknown => {
  if (container instanceof Map) {
    const previous = container.get(key)
    if (value === ABSENT) container.delete(key)
    else container.set(key, value)
    return previous === undefined ? ABSENT : previous
  }
  const array = container as Array<unknown>
  const index = key as number
  const previous = index < array.length ? array[index] : ABSENT
  if (value === ABSENT) array.length = index
  else array[index] = value
  return previous
}

/** Undoes a log (last write first) and turns it, in place, into the log that redoes it (again last first). */
const undo = (log: Array<unknown>): void => {
  for (let i = log.length - 3; i >= 0; i -= 3) log[i + 2] = write(log[i], log[i + 1], log[i + 2])
  // The redo must run first write first: reverse the triples so that it is applied last first too.
  for (let i = 0, j = log.length - 3; i < j; i += 3, j -= 3) {
    for (let k = 0; k < 3; k++) {
      const swap = log[i + k]
      log[i + k] = log[j + k]
      log[j + k] = swap
    }
  }
}

/** Makes a version the root and returns its world; `undefined` for an empty version. */
export const read = <W>(version: Version<W>): W | undefined => {
  if (version.world !== undefined) return version.world
  if (version.next === undefined) return undefined
  const path: Array<Version<W>> = []
  let root: Version<W> = version
  while (root.world === undefined) {
    path.push(root)
    // A version without a world has a successor, or it is empty, which only the first step can be.
    root = root.next as Version<W>
  }
  for (let i = path.length - 1; i >= 0; i--) {
    const step = path[i] as Version<W>
    const log = step.log as Array<unknown>
    undo(log)
    // `root` (the successor of `step`) gives its world to `step` and keeps the way back.
    step.world = root.world
    step.next = undefined
    step.log = undefined
    root.world = undefined
    root.next = step
    root.log = log
    root = step
  }
  return version.world
}

/**
 * The version after `f(world, argument)` wrote into the world of `version` (through `set` and `push`). When `f`
 * wrote nothing, the version itself. `f` must not read or update other versions of the same world.
 */
export const update = <W, A>(
  version: Version<W>,
  start: () => W,
  f: (world: W, argument: A) => void,
  argument: A
): Version<W> => {
  const outerRecording = recording
  const outerLog = log
  const current = read(version)
  if (current === undefined) {
    // A new world: no earlier version can see it, so nothing needs recording.
    const world = start()
    recording = false
    try {
      f(world, argument)
    } finally {
      recording = outerRecording
      log = outerLog
    }
    return new Version(world)
  }
  recording = true
  log = undefined
  let written: Array<unknown> | undefined
  try {
    f(current, argument)
    written = log
  } catch (error) {
    if (log !== undefined) undo(log)
    throw error
  } finally {
    recording = outerRecording
    log = outerLog
  }
  if (written === undefined) return version
  const next = new Version(current)
  version.world = undefined
  version.next = next
  version.log = written
  return next
}

/** What `projection` makes: a read model's projection (a `Projection` of the read models' layer) over versions. */
export interface VersionedProjection<W, E> {
  readonly name: string
  readonly version: number
  readonly initialState: Version<W>
  readonly apply: (state: Version<W>, event: E) => Version<W>
  readonly applyAll: (state: Version<W>, events: Iterable<E>) => Version<W>
}

/**
 * A projection whose state is a `Version` of a world: `applyOne` writes one event into the world (through `set`
 * and `push`); a batch is written in one update. `changes`, when given, says which events can change the world at
 * all: the others leave the state as it is without touching the world (no reroot of an older state for them).
 */
export const projection = <W, E>(options: {
  readonly name: string
  readonly version: number
  readonly start: () => W
  readonly applyOne: (world: W, event: E) => void
  readonly changes?: (event: E) => boolean
}): VersionedProjection<W, E> => {
  const { start, applyOne, changes } = options
  const applyAll = (world: W, events: Iterable<E>): void => {
    for (const event of events) applyOne(world, event)
  }
  return {
    name: options.name,
    version: options.version,
    initialState: empty(),
    apply:
      changes === undefined
        ? (state, event) => update(state, start, applyOne, event)
        : (state, event) => (changes(event) ? update(state, start, applyOne, event) : state),
    applyAll: (state, events) => update(state, start, applyAll, events)
  }
}
