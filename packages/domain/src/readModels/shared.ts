/**
 * The one copy of each actor and scope list that a read model's world keeps (see `Interner`).
 *
 * @internal
 */
import { Interner } from "../fast/compact.js"
import type { Actor } from "../model/Caller.js"
import type { Scope } from "../model/Scope.js"

/** Shared actors and scope lists of one world. */
export type SharedValues = Interner<Actor, Scope>

const copyActor = (actor: Actor): Actor => ({ userId: actor.userId, role: actor.role })

export const sharedValues = (): SharedValues => new Interner<Actor, Scope>(copyActor)
