/** `{"field": {"from": old, "to": new}}` for the fields whose values differ. */
export type Diff = Record<string, { from: unknown; to: unknown }>;

export function diffObjects(beforeObject: object, afterObject: object): Diff {
  const before = beforeObject as Record<string, unknown>;
  const after = afterObject as Record<string, unknown>;
  const diff: Diff = {};
  for (const key of new Set([...Object.keys(before), ...Object.keys(after)])) {
    const from = before[key] ?? null;
    const to = after[key] ?? null;
    if (JSON.stringify(from) !== JSON.stringify(to)) diff[key] = { from, to };
  }
  return diff;
}

/** The diff of a creation: every non-empty field, from nothing. */
export function creationDiff(after: Record<string, unknown>): Diff {
  return diffObjects({}, after);
}
