/**
 * The command and `authenticate` jobs: each runs its rounds in one process (see `worker.ts`).
 */
import type { Probe } from "./probe.js"
import type { AuthenticateResult, CommandsResult, CommandsSeries } from "./results.js"
import * as Authenticate from "./workloads/authenticate.js"
import * as Commands from "./workloads/commands.js"

export interface CommandsParams {
  readonly history: number
  readonly commands: number
  readonly runs: number
  readonly emmettBudgetMs: number
  /** How long each implementation warms up before the rounds. */
  readonly warmupMs: number
  /** How long (at most) each freshly built implementation is primed before a round is timed. */
  readonly primeMs: number
}

export interface AuthenticateParams {
  readonly tokens: number
  readonly calls: number
  readonly runs: number
}

const collectGarbage = (): void => {
  const gc: unknown = Reflect.get(globalThis, "gc")
  if (typeof gc === "function") Reflect.apply(gc, globalThis, [])
}

type Implementation = "raw" | "ours" | "emmett"
const IMPLEMENTATIONS: ReadonlyArray<Implementation> = ["raw", "ours", "emmett"]

/**
 * Warms the JIT up: each implementation runs commands on an empty organisation of its own (thrown away after)
 * until `budgetMs` have passed or `limit` commands ran. Effect's run loop needs a few thousand commands before
 * its speed settles; measuring before that would understate the library.
 */
const warmUp = async (
  make: (history: ReadonlyArray<never>) => Promise<Commands.CommandsSubject>,
  budgetMs: number,
  limit: number
): Promise<void> => {
  const subject = await make([])
  const start = performance.now()
  for (let round = 0, done = 0; done < limit && performance.now() - start < budgetMs; round++) {
    done += (await subject.run(100, -1 - round)).commands
  }
  await subject.close()
}

/**
 * Interleaves the implementations round by round (raw, ours, Emmett), so a noisy neighbour slows all three
 * alike. Before the rounds each implementation warms up (see `warmUp`). Every round builds each implementation
 * afresh on the history, primes it (commands on another organisation of the same instance, untimed), measures it
 * and drops it before the next one is built: only one implementation's state is alive while it is measured, so
 * no implementation pays for collecting another's heap.
 */
export const commandsJob = async (params: CommandsParams, probe?: Probe): Promise<CommandsResult> => {
  const history = Commands.benchHistory(params.history)
  const make = (implementation: Implementation) =>
    implementation === "raw"
      ? Commands.rawSubject(history)
      : implementation === "ours"
        ? Commands.oursSubject(history)
        : Commands.emmettSubject(history, params.emmettBudgetMs)
  const series = new Map<
    Implementation,
    { perSecond: Array<number>; commands: Array<number>; setupMs: Array<number>; warmupMs: Array<number> }
  >(
    IMPLEMENTATIONS.map((implementation) => [
      implementation,
      { perSecond: [], commands: [], setupMs: [], warmupMs: [] }
    ])
  )
  const problems: Array<string> = []
  await warmUp(Commands.rawSubject, params.warmupMs, 5000)
  await warmUp(Commands.oursSubject, params.warmupMs, 5000)
  await warmUp((history) => Commands.emmettSubject(history, params.emmettBudgetMs), params.warmupMs, 1000)
  for (let round = 0; round < params.runs; round++) {
    for (const implementation of IMPLEMENTATIONS) {
      collectGarbage()
      const subject = await make(implementation)
      collectGarbage()
      // A forced collection right before timing deoptimises part of what the JIT compiled (V8 drops code that
      // depends on objects that died), and a freshly built service has not run yet: prime the instance on another
      // organisation first, so a round measures the steady cost of a running service, not its re-optimisation.
      await subject.prime(params.primeMs, 5000)
      const measured = await subject.run(params.commands, round, implementation === "ours" ? probe : undefined)
      const s = series.get(implementation)
      s?.setupMs.push(subject.setupMs)
      s?.warmupMs.push(subject.warmupMs)
      s?.perSecond.push(measured.perSecond)
      s?.commands.push(measured.commands)
      const expected = history.length + 1 + measured.commands
      const length = await subject.streamLength()
      if (length !== expected)
        problems.push(`${implementation}: the stream holds ${length} events, expected ${expected}`)
      await subject.close()
    }
  }
  const get = (implementation: Implementation): CommandsSeries =>
    series.get(implementation) ?? { perSecond: [], commands: [], setupMs: [], warmupMs: [] }
  return { history: history.length, raw: get("raw"), ours: get("ours"), emmett: get("emmett"), problems }
}

/** The most of the (sorted) times that fall within any span of `width`, wherever it starts. */
const mostWithin = (times: ReadonlyArray<number>, width: number): number => {
  let most = 0
  let first = 0
  for (let last = 0; last < times.length; last++) {
    while ((times[last] ?? 0) - (times[first] ?? 0) >= width) first++
    most = Math.max(most, last - first + 1)
  }
  return most
}

/** Interleaves raw and library rounds; round 0 warms up and is not recorded. */
export const authenticateJob = async (params: AuthenticateParams, probe?: Probe): Promise<AuthenticateResult> => {
  const fixture = Authenticate.authenticateFixture(params.tokens)
  const raw = await Authenticate.rawSubject(fixture)
  const ours = await Authenticate.oursSubject(fixture)
  const results = {
    raw: [] as number[],
    ours: [] as number[],
    composed: [] as number[],
    recorded: [] as number[],
    rawRefused: [] as number[],
    refused: [] as number[]
  }
  const problems: Array<string> = []
  for (let round = 0; round <= params.runs; round++) {
    for (const [name, subject] of [
      ["raw", raw],
      ["ours", ours],
      ["composed", ours],
      ["recorded", ours],
      ["rawRefused", raw],
      ["refused", ours]
    ] as const) {
      collectGarbage()
      const measured =
        name === "raw"
          ? await subject.run(params.calls)
          : name === "rawRefused"
            ? await subject.run(params.calls, undefined, "refused")
            : await subject.run(params.calls, name === "ours" ? probe : undefined, name === "ours" ? "yield" : name)
      if (measured.accepted !== measured.calls) {
        problems.push(`${name}: ${measured.calls - measured.accepted} of ${measured.calls} calls did not authenticate`)
      }
      if (round > 0) results[name].push(measured.perSecond)
    }
  }
  await ours.close()
  const appends = ours.usageAppends()
  return {
    tokens: fixture.values.length,
    raw: results.raw,
    ours: results.ours,
    composed: results.composed,
    recorded: results.recorded,
    rawRefused: results.rawRefused,
    refused: results.refused,
    usage: {
      appends: appends.length,
      organizations: new Set(fixture.organizations).size,
      mostInAnInterval: mostWithin(appends, Authenticate.USAGE_FLUSH_MS),
      intervalMs: Authenticate.USAGE_FLUSH_MS
    },
    setupMs: { raw: raw.setupMs, ours: ours.setupMs },
    problems
  }
}
