/**
 * `@service-accounts/domain`: service accounts and API tokens as an event-sourced model.
 *
 * The package is built in layers, each a folder that depends only on the layers below it, each also a subpath of its
 * own: `model` ← `store` ← `readModels` / `integrity` / `history` ← `service`. The root exports all of them: flat
 * exports for the public names (events, commands, errors, ports, the service), namespaces for modules whose members
 * have generic names (`Directory.create`, `Token.digest`, `DirectoryView.projection`, …).
 *
 * @since 0.1.0
 */
export * from "./model/index.js"
export * from "./store/index.js"
export * from "./readModels/index.js"
export * from "./integrity/index.js"
export * from "./history/index.js"
export * from "./service/index.js"
