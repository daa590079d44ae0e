// Runs the README's embedding snippet as an ES module, as its reader would: the packaging test writes the snippet
// next to this file as readme-embedding.mjs, in a project that installed the packed packages with npm.
import { Effect } from "effect"
import { main } from "./readme-embedding.mjs"

const authenticated = await Effect.runPromise(main)
console.log(JSON.stringify({ format: "esm", authenticated }))
