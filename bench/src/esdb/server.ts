/**
 * The EventStoreDB test server in a process of its own, for the workloads over EventStoreDB: it prints
 * `BENCH_SERVER {"connectionString": …}` once it listens, and closes when its standard input ends (the runner closes
 * it, or goes away).
 */
import { start } from "@service-accounts/eventstoredb-test-server"

const main = async (): Promise<void> => {
  const server = await start()
  process.stdout.write(`BENCH_SERVER ${JSON.stringify({ connectionString: server.connectionString })}\n`)
  process.stdin.resume()
  process.stdin.once("end", () => {
    server.close().then(
      () => process.exit(0),
      () => process.exit(1)
    )
  })
}

main().catch((error: unknown) => {
  console.error(error)
  process.exit(1)
})
