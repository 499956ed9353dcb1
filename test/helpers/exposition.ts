// A small reader for the Prometheus text format, so tests assert on series rather than on strings.

export interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

export interface Exposition {
  samples: Sample[];
  /** Metric family name → `# TYPE` value. */
  types: Map<string, string>;
  units: Map<string, string>;
  help: Map<string, string>;
}

export function parseExposition(text: string): Exposition {
  const exposition: Exposition = { samples: [], types: new Map(), units: new Map(), help: new Map() };
  for (const line of text.split('\n')) {
    if (line.trim() === '') continue;
    const meta = /^# (HELP|TYPE|UNIT) (\S+) ?(.*)$/.exec(line);
    if (meta) {
      const [, kind, name = '', rest = ''] = meta;
      const target = kind === 'HELP' ? exposition.help : kind === 'TYPE' ? exposition.types : exposition.units;
      target.set(name, rest);
    } else if (!line.startsWith('#')) {
      exposition.samples.push(parseSample(line));
    }
  }
  return exposition;
}

function parseSample(line: string): Sample {
  const nameEnd = line.search(/[{ ]/);
  const name = line.slice(0, nameEnd);
  const labels: Record<string, string> = {};
  let i = nameEnd;
  if (line[i] === '{') {
    i++;
    while (line[i] !== '}') {
      const eq = line.indexOf('=', i);
      const label = line.slice(i, eq);
      i = eq + 2; // past `="`
      let value = '';
      while (line[i] !== '"') {
        if (line[i] === '\\') {
          i++;
          value += line[i] === 'n' ? '\n' : line[i];
        } else {
          value += line[i];
        }
        i++;
        if (i >= line.length) throw new Error(`unterminated label value in: ${line}`);
      }
      labels[label] = value;
      i++; // past the closing quote
      if (line[i] === ',') i++;
    }
    i++; // past `}`
  }
  const value = Number(line.slice(i).trim().split(' ')[0]?.replace('+Inf', 'Infinity'));
  if (Number.isNaN(value)) throw new Error(`no value in: ${line}`);
  return { name, labels, value };
}

/** Samples of `name` whose labels include every one of `match`. */
export function findSamples(exposition: Exposition, name: string, match: Record<string, string> = {}): Sample[] {
  return exposition.samples.filter(
    (sample) => sample.name === name && Object.entries(match).every(([label, value]) => sample.labels[label] === value),
  );
}

/** The value of the one sample of `name` matching `match`; undefined when there is none. */
export function sampleValue(exposition: Exposition, name: string, match: Record<string, string> = {}): number | undefined {
  const found = findSamples(exposition, name, match);
  if (found.length > 1) {
    throw new Error(`${found.length} samples of ${name} match ${JSON.stringify(match)}: ${JSON.stringify(found)}`);
  }
  return found[0]?.value;
}

/** A sample's labels without the ones the OTel exporter adds to every series. */
export function ownLabels(sample: Sample): Record<string, string> {
  return Object.fromEntries(Object.entries(sample.labels).filter(([label]) => !label.startsWith('otel_scope_')));
}
