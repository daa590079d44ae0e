/**
 * `tsx src/summarise.ts <file.cpuprofile> [top]`: prints where a CPU profile's time went (see `cpuprofile.ts`).
 */
import { formatSummary, readProfile } from "./cpuprofile.js"

const [file, top] = process.argv.slice(2)
if (file === undefined) {
  console.error("usage: tsx src/summarise.ts <file.cpuprofile> [top]")
  process.exit(2)
}
console.log(formatSummary(readProfile(file), top === undefined ? 25 : Number(top)))
