// `${VAR}` and `${VAR:-default}` in string values, substituted after parsing so that a secret's
// YAML-special characters cannot change the document's structure. `$${` is a literal `${`.
import type { Problem } from './problems.js';

const REFERENCE = /\$\$\{|\$\{([A-Za-z_][A-Za-z0-9_]*)(?::-([^}]*))?\}|\$\{/g;

export interface Substituted {
  value: unknown;
  problems: Problem[];
}

export function substituteEnv(document: unknown, env: NodeJS.ProcessEnv): Substituted {
  const problems: Problem[] = [];
  const value = substituteValue(document, [], env, problems);
  return { value, problems };
}

function substituteValue(value: unknown, path: PropertyKey[], env: NodeJS.ProcessEnv, problems: Problem[]): unknown {
  if (typeof value === 'string') return substituteString(value, path, env, problems);
  if (Array.isArray(value)) return value.map((item, index) => substituteValue(item, [...path, index], env, problems));
  if (value !== null && typeof value === 'object') {
    // fromEntries defines own properties, so a `__proto__` key stays an (unknown) key.
    return Object.fromEntries(
      Object.entries(value).map(([key, item]) => [key, substituteValue(item, [...path, key], env, problems)]),
    );
  }
  return value;
}

function substituteString(text: string, path: PropertyKey[], env: NodeJS.ProcessEnv, problems: Problem[]): string {
  return text.replace(REFERENCE, (match, name: string | undefined, fallback: string | undefined) => {
    if (match === '$${') return '${';
    if (name === undefined) {
      problems.push({ path, message: 'invalid ${...} reference: use ${NAME} or ${NAME:-default}, or $${ for a literal "${"' });
      return '';
    }
    const value = env[name];
    // As in the shell, `:-` also replaces an empty value.
    if (fallback !== undefined && (value === undefined || value === '')) return fallback;
    if (value === undefined) {
      problems.push({ path, message: `environment variable ${name} is not set` });
      return '';
    }
    return value;
  });
}
