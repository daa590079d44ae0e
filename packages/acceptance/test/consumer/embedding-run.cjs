// Runs the README's embedding snippet as a CommonJS module, as its reader would: the packaging test writes the
// snippet next to this file as readme-embedding.cjs, in a project that installed the packed packages with npm.
const { Effect } = require("effect")
const { main } = require("./readme-embedding.cjs")

Effect.runPromise(main).then((authenticated) => console.log(JSON.stringify({ format: "cjs", authenticated })))
