/** Whether `value` is one of `list`, narrowing it to the list's type (e.g. a status that has a translated label). */
export function isOneOf<T extends string>(list: readonly T[], value: string): value is T {
  return (list as readonly string[]).includes(value);
}
