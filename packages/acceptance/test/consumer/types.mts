// Type-checked against the built .d.ts (ESM resolution), without the source condition.
import { type IssuedToken, ServiceAccounts, type ServiceAccountEvent } from "@service-accounts/domain"
import { layer } from "@service-accounts/store-memory"
import type { Effect, Layer } from "effect"

export const tag: typeof ServiceAccounts = ServiceAccounts
export const store: Layer.Layer<import("@service-accounts/domain").EventStore> = layer
export type Issue =
  ReturnType<ServiceAccounts["Type"]["issueToken"]> extends Effect.Effect<IssuedToken, unknown> ? true : never
export const tagOf = (event: ServiceAccountEvent): string => event._tag

// Both fail to compile if a declaration came out as `any` (an import a declaration file could not resolve, say).
// @ts-expect-error a number is not the service's tag
export const notATag: typeof ServiceAccounts = 42
// @ts-expect-error the memory store is a Layer, not a number
export const notANumber: number = layer
