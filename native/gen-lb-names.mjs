// Build step (binding.gyp action): lists the names declared in bpf/lb.h — struct fields,
// numeric and string constants, enumerators — as X-macros, so native/layout.cc reports
// whatever the header holds and the compiler supplies every value. Usage: IN.h OUT.h
import { readFileSync, writeFileSync } from 'node:fs';

const [input, output] = process.argv.slice(2);
if (!input || !output) throw new Error('usage: gen-lb-names.mjs lb.h out.h');

const source = readFileSync(input, 'utf8')
  .replace(/\/\*[\s\S]*?\*\//g, '')
  .replace(/\/\/.*$/gm, '');

const structs = [...source.matchAll(/struct\s+(\w+)\s*\{([^}]*)\}\s*;/g)].map(([, name, body]) => {
  const fields = [];
  for (const decl of body.split(';')) {
    const m = decl.trim().match(/^(?:const\s+)?\w+\s+(.+)$/);
    if (!m) continue;
    for (const part of m[1].split(',')) fields.push(part.trim().replace(/\[.*$/, ''));
  }
  return { name, fields: fields.filter((f) => /^\w+$/.test(f)) };
});

const numbers = [];
const strings = [];
for (const [, name, value] of source.matchAll(/^#define\s+(LB_\w+)\s+(.+?)\s*$/gm)) {
  (value.startsWith('"') ? strings : numbers).push(name);
}
for (const [, body] of source.matchAll(/enum\s+\w*\s*\{([^}]*)\}/g)) {
  for (const m of body.matchAll(/\b(LB_\w+)\s*(?:=[^,]*)?,?/g)) numbers.push(m[1]);
}

const macro = (name, items) => `#define ${name}(X) ${items.map((i) => `X(${i})`).join(' ')}\n`;
let out = '// Generated from bpf/lb.h by native/gen-lb-names.mjs; do not edit.\n';
out += macro(
  'VX_LB_STRUCTS',
  structs.map((s) => s.name),
);
for (const s of structs)
  out += `#define VX_LB_FIELDS_${s.name}(X) ${s.fields.map((f) => `X(${s.name}, ${f})`).join(' ')}\n`;
out += macro('VX_LB_NUMBERS', numbers);
out += macro('VX_LB_STRINGS', strings);
writeFileSync(output, out);
