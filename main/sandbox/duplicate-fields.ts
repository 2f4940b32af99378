/**
 * Duplicate keys in a JSON body, which JSON.parse silently collapses (the last wins, as in Go)
 * but the API server names under `fieldValidation=Strict`: `duplicate field "spec.replicas"`.
 * A small scanner over text already known to parse; paths as the unknown-field ones are named
 * (`spec.template.spec.containers[0].name`).
 */

export function duplicateFields(text: string): string[] {
  const found: string[] = [];
  let i = 0;
  const skipSpace = (): void => {
    while (i < text.length && /\s/.test(text.charAt(i))) i++;
  };
  const readString = (): string => {
    const start = i;
    i++; // opening quote
    while (i < text.length && text.charAt(i) !== '"') i += text.charAt(i) === '\\' ? 2 : 1;
    i++; // closing quote
    return JSON.parse(text.slice(start, i)) as string;
  };
  const value = (at: string): void => {
    skipSpace();
    const ch = text.charAt(i);
    if (ch === '{') {
      i++;
      const seen = new Set<string>();
      skipSpace();
      while (text.charAt(i) !== '}' && i < text.length) {
        skipSpace();
        const key = readString();
        const path = at ? `${at}.${key}` : key;
        if (seen.has(key)) found.push(path);
        seen.add(key);
        skipSpace();
        i++; // colon
        value(path);
        skipSpace();
        if (text.charAt(i) === ',') i++;
        skipSpace();
      }
      i++;
    } else if (ch === '[') {
      i++;
      let index = 0;
      skipSpace();
      while (text.charAt(i) !== ']' && i < text.length) {
        value(`${at}[${index++}]`);
        skipSpace();
        if (text.charAt(i) === ',') i++;
        skipSpace();
      }
      i++;
    } else if (ch === '"') {
      readString();
    } else {
      while (i < text.length && !/[\s,}\]]/.test(text.charAt(i))) i++;
    }
  };
  value('');
  return found;
}
