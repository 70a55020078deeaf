/**
 * Values shared by every route bundle of one process. Next.js loads a module once per bundle, so a module-level
 * `let` would exist several times; these live on globalThis under `Symbol.for("slotbook.<name>")` instead, so every
 * copy of a module (and a test that reaches for the same symbol) sees the one value.
 */
export type ProcessSlot<T> = {
  get(): T | undefined;
  /** Replaces the value; undefined clears it (the next processSingleton() read creates it again). */
  set(value: T | undefined): void;
  /** The value, created by `create` and kept when there is none yet. */
  ensure(create: () => T): T;
};

export function processSlot<T>(name: string): ProcessSlot<T> {
  const key = Symbol.for(`slotbook.${name}`);
  const store = globalThis as unknown as Record<symbol, T | undefined>;
  return {
    get: () => store[key],
    set: (value) => {
      store[key] = value;
    },
    ensure: (create) => (store[key] ??= create()),
  };
}

/** A per-process value created on first use by `create` (again after the slot is cleared). */
export function processSingleton<T>(name: string, create: () => T): () => T {
  const slot = processSlot<T>(name);
  return () => {
    const current = slot.get();
    if (current !== undefined) return current;
    const created = create();
    slot.set(created);
    return created;
  };
}
