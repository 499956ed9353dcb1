// Numbers from mixinConfig as the alerts' and dashboards' text and JSON write them.

/** 1 - 0.9 is 0.09999999999999998 in floating point; a threshold should read as written. */
export function asWritten(value: number): number {
  return Number(value.toFixed(6));
}

/**
 * 0.1 → "10%", without floating-point noise. The alerts write it so, like Prometheus'
 * humanizePercentage next to it; the dashboards' descriptions put a space before the sign.
 */
export function percent(ratio: number, beforeSign: '' | ' ' = ''): string {
  return `${asWritten(ratio * 100)}${beforeSign}%`;
}
