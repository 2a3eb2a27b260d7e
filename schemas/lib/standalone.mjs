// Shared by the validator generators (schemas/generate-suite-validator.mjs,
// schemas/registry/generate-validators.mjs): turns an ajv instance into an ESM module of
// standalone validation code that runs with no ajv compile at start-up.

/** ajv's ucs2length (string length in code points, as JSON Schema counts), inlined into the module. */
const UCS2LENGTH = `function ucs2length(str) {
  const len = str.length;
  let length = 0;
  let pos = 0;
  let value;
  while (pos < len) {
    length++;
    value = str.charCodeAt(pos++);
    if (value >= 0xd800 && value <= 0xdbff && pos < len) {
      value = str.charCodeAt(pos);
      if ((value & 0xfc00) === 0xdc00) pos++;
    }
  }
  return length;
}
`;

/**
 * The formatted module text for `exports` (export name → schema id) of `ajv`, which must have
 * been created with `code: { source: true, esm: true }`. `banner` lines open the file; `trailer`
 * is appended after the validators.
 */
export async function standaloneModule({ ajv, exports, banner, trailer = '', output }) {
  const [standalone, prettier] = await Promise.all([import('ajv/dist/standalone/index.js'), import('prettier')]);
  const standaloneCode = standalone.default.default ?? standalone.default;
  let code = standaloneCode(ajv, exports);
  // ajv's ESM output still calls require() for its runtime helpers: inline ucs2length (the common
  // one), import the rest as namespaces, the one CommonJS interop Node, esbuild and vitest agree on.
  const inlineUcs2 = code.includes('require("ajv/dist/runtime/ucs2length").default');
  code = code.replaceAll('require("ajv/dist/runtime/ucs2length").default', 'ucs2length');
  const imports = [];
  code = code.replace(/require\("([^"]+)"\)/g, (_, module) => {
    const specifier = module.endsWith('.js') ? module : `${module}.js`;
    let index = imports.indexOf(specifier);
    if (index === -1) index = imports.push(specifier) - 1;
    return `runtime${index}`;
  });
  code = code.replace(/^"use strict";/, '');
  const header = [
    ...banner,
    '/* eslint-disable */',
    ...imports.map((specifier, i) => `import * as runtime${i} from '${specifier}';`),
    '',
    ...(inlineUcs2 ? [UCS2LENGTH] : []),
  ].join('\n');
  const config = (await prettier.resolveConfig(output)) ?? {};
  return prettier.format(header + code + trailer, { ...config, parser: 'babel', filepath: output });
}
