/** Prints a test's figures in one block, so a run's log (and docs/reliability.md) can quote them. */
export const printFigures = (title: string, figures: ReadonlyArray<readonly [string, string | number]>): void => {
  const width = Math.max(...figures.map(([label]) => label.length))
  console.log(
    [`[reliability] ${title}`, ...figures.map(([label, value]) => `  ${label.padEnd(width)}  ${value}`)].join("\n")
  )
}

/** Adds counts into a running total. */
export const addCounts = <K extends string>(total: Record<K, number>, more: Readonly<Record<K, number>>): void => {
  for (const key of Object.keys(more) as Array<K>) total[key] = (total[key] ?? 0) + more[key]
}
