import { defineConfig } from "tsup"

export default defineConfig([
  {
    entry: ["src/index.ts"],
    format: ["esm", "cjs"],
    dts: true,
    sourcemap: true,
    clean: true,
    target: "node20",
    tsconfig: "tsconfig.build.json"
  },
  {
    // The program of the executable: CommonJS, with its dependencies bundled in, so that the launcher (below) can run
    // it with a V8 code cache. Resolving and loading the hundreds of modules of effect and @effect/* took 0.3 s of
    // every run (bench/src/audit.ts). The EventStoreDB and KurrentDB adapters are bundled too, each initialised only
    // when a command uses a server of its kind: they share the bundle's one copy of effect and of the domain (a
    // separately installed adapter would bring a second copy of each, with tags and classes of its own). Only the
    // gRPC clients stay packages of their own (the KurrentDB client loads a native add-on).
    entry: ["src/sa-audit.ts"],
    format: ["cjs"],
    // A map of everything bundled would be four times the bundle, in every install.
    sourcemap: false,
    // Without white space and with shorter syntax, the 2 MB that a run without the code cache compiles first take a
    // third less time to compile; names are kept, for stack traces.
    minifyWhitespace: true,
    minifySyntax: true,
    target: "node20",
    tsconfig: "tsconfig.build.json",
    noExternal: [/^(?!(@eventstore\/db-client|@kurrent\/kurrentdb-client)$)/],
    external: ["@eventstore/db-client", "@kurrent/kurrentdb-client"]
  },
  {
    // The executable: runs the program above with its code cache (src/bin.ts), which the build script makes.
    entry: ["src/bin.ts"],
    format: ["esm"],
    sourcemap: false,
    target: "node20",
    tsconfig: "tsconfig.build.json",
    banner: { js: "#!/usr/bin/env node" }
  }
])
