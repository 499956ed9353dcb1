// .dockerignore as Docker reads it (moby/patternmatcher): one pattern a line, relative to the context
// root; `*` and `?` stay within a folder, `**` spans folders; `!` re-includes; the last matching line
// wins; and a pattern that matches a folder matches everything inside it.

/** Whether a path (relative to the build context, `/`-separated) is left out of the context. */
export type IgnoreCheck = (relativePath: string) => boolean;

interface IgnoreRule {
  pattern: RegExp;
  include: boolean;
}

export function parseDockerignore(text: string): IgnoreCheck {
  const rules = text
    .split(/\r?\n/)
    .map((line) => line.trim())
    .filter((line) => line !== '' && !line.startsWith('#'))
    .map(toRule);
  return (relativePath) => {
    const candidates = selfAndAncestors(cleanPath(relativePath));
    let excluded = false;
    for (const rule of rules) {
      if (candidates.some((candidate) => rule.pattern.test(candidate))) excluded = !rule.include;
    }
    return excluded;
  };
}

function toRule(line: string): IgnoreRule {
  const include = line.startsWith('!');
  const pattern = cleanPath(include ? line.slice(1).trim() : line);
  return { include, pattern: new RegExp(`^${globToRegExpSource(pattern)}$`) };
}

/** Like Go's filepath.Clean plus Docker's dropping of a leading `/`. */
function cleanPath(path: string): string {
  const parts: string[] = [];
  for (const part of path.split('/')) {
    if (part === '' || part === '.') continue;
    if (part === '..') parts.pop();
    else parts.push(part);
  }
  return parts.join('/');
}

function selfAndAncestors(path: string): string[] {
  const parts = path.split('/');
  return parts.map((_, index) => parts.slice(0, index + 1).join('/'));
}

function globToRegExpSource(glob: string): string {
  let source = '';
  for (let index = 0; index < glob.length; index++) {
    const char = glob[index]!;
    if (glob.startsWith('**/', index)) {
      source += '(?:.*/)?';
      index += 2;
    } else if (glob.startsWith('**', index)) {
      source += '.*';
      index += 1;
    } else if (char === '*') {
      source += '[^/]*';
    } else if (char === '?') {
      source += '[^/]';
    } else if (char === '[') {
      const end = glob.indexOf(']', index + 1);
      if (end === -1) throw new Error(`unterminated [ in .dockerignore pattern ${glob}`);
      source += `[${glob.slice(index + 1, end).replace(/^!/, '^')}]`;
      index = end;
    } else if (char === '\\' && index + 1 < glob.length) {
      source += escapeRegExp(glob[++index]!);
    } else {
      source += escapeRegExp(char);
    }
  }
  return source;
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
}
