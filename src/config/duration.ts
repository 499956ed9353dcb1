// Durations as operators write them in Prometheus configs: "500ms", "10s", "5m", "1h30m".

const UNIT_MS = { d: 86_400_000, h: 3_600_000, m: 60_000, s: 1_000, ms: 1 } as const;
type Unit = keyof typeof UNIT_MS;
const UNITS_LARGEST_FIRST = Object.keys(UNIT_MS) as Unit[];

/** Parses "500ms", "10s", "5m", "1h", "1h30m" (units d, h, m, s, ms; largest first, each once) into milliseconds. */
export function parseDuration(text: string): number {
  // `ms` is tried before `m` so that "500ms" is not read as 500 minutes followed by a stray "s".
  const part = /(\d+)(ms|d|h|m|s)/y;
  let total = 0;
  let previousUnit = -1;
  while (part.lastIndex < text.length) {
    const match = part.exec(text);
    if (match === null) throw invalidDuration(text);
    const unit = match[2] as Unit;
    const rank = UNITS_LARGEST_FIRST.indexOf(unit);
    if (rank <= previousUnit) throw invalidDuration(text);
    previousUnit = rank;
    total += Number(match[1]) * UNIT_MS[unit];
  }
  if (text === '' || !Number.isSafeInteger(total)) throw invalidDuration(text);
  return total;
}

function invalidDuration(text: string): Error {
  return new Error(
    `invalid duration ${JSON.stringify(text)}: use whole numbers with units d, h, m, s or ms, largest first, e.g. "500ms", "10s", "5m", "1h30m"`,
  );
}
