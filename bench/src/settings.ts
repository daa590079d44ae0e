/**
 * The settings of one `pnpm bench` run, read from the environment variables that main.ts lists: the sizes and
 * numbers of runs of each workload, which workloads run, and where CPU profiles go.
 */

const numberList = (text: string | undefined, fallback: ReadonlyArray<number>): ReadonlyArray<number> =>
  text === undefined || text.trim() === "" ? fallback : text.split(",").map((part) => Number(part.trim()))

const numberOr = (text: string | undefined, fallback: number): number =>
  text === undefined || text.trim() === "" ? fallback : Number(text)

/** The settings `env` asks for; `BENCH_QUICK=1` makes every default small. */
export const readSettings = (env: NodeJS.ProcessEnv) => {
  const quick = env.BENCH_QUICK === "1"
  const config = {
    histories: numberList(env.BENCH_HISTORIES, quick ? [0, 1000] : [0, 1000, 10_000, 100_000]),
    commands: quick ? 100 : 1000,
    primeMs: quick ? 100 : 500,
    runs: numberOr(env.BENCH_RUNS, quick ? 2 : 5),
    emmettBudgetMs: quick ? 300 : 1500,
    warmupMs: quick ? 300 : 3000,
    replayEvents: numberOr(env.BENCH_REPLAY_EVENTS, quick ? 20_000 : 1_000_000),
    replayRuns: numberOr(env.BENCH_REPLAY_RUNS, quick ? 1 : 3),
    replayBudgetSeconds: numberOr(env.BENCH_REPLAY_BUDGET_S, 300),
    tokens: numberOr(env.BENCH_TOKENS, quick ? 5_000 : 100_000),
    auditEvents: numberOr(env.BENCH_AUDIT_EVENTS, quick ? 10_000 : 100_000),
    auditRuns: numberOr(env.BENCH_AUDIT_RUNS, quick ? 1 : 3),
    calls: quick ? 20_000 : 200_000
  }
  const only = new Set((env.BENCH_ONLY ?? "commands,replay,authenticate,audit").split(",").map((s) => s.trim()))
  const profileDir =
    env.BENCH_PROFILE_DIR === undefined || env.BENCH_PROFILE_DIR === "" ? undefined : env.BENCH_PROFILE_DIR
  return { quick, config, only, profileDir }
}

export type Settings = ReturnType<typeof readSettings>
