// Places panels on Grafana's 24-column grid, row by row, and numbers them in reading order, so
// ids and positions are stable from one generation to the next.

import type { PanelSpec } from './panels.js';
import type { Panel } from './types.js';

export const GRID_WIDTH = 24;

export interface Row {
  height: number;
  panels: PanelSpec[];
  /** Column widths, summing to 24; default: equal shares. */
  widths?: number[];
}

export function layOut(rows: readonly Row[]): Panel[] {
  const panels: Panel[] = [];
  let y = 0;
  for (const row of rows) {
    const widths = row.widths ?? row.panels.map(() => GRID_WIDTH / row.panels.length);
    if (widths.length !== row.panels.length || widths.reduce((sum, w) => sum + w, 0) !== GRID_WIDTH || !widths.every(Number.isInteger)) {
      throw new Error(`a row's widths must be ${row.panels.length} whole numbers summing to ${GRID_WIDTH}, got ${widths.join(', ')}`);
    }
    let x = 0;
    row.panels.forEach((spec, index) => {
      const w = widths[index] ?? 0;
      panels.push({ id: panels.length + 1, gridPos: { h: row.height, w, x, y }, ...spec });
      x += w;
    });
    y += row.height;
  }
  return panels;
}
