/**
 * The checksums file register writes beside a version (its `checksums` output): the line GNU
 * `sha256sum <asset>` prints for the stored asset, so that `sha256sum -c` passes beside a
 * downloaded copy and actions/attest takes the file as `subject-checksums`.
 */

/** Where register writes checksums files outside Actions, relative to the repository root. */
export const LOCAL_CHECKSUMS_DIR = '.mlops/checksums';

/** `<model>-v<N>.sha256`: the default checksums file's name, one per version. */
export function checksumsFileName(model: string, version: number): string {
  return `${model}-v${version}.sha256`;
}

const SHA256_HEX = /^[0-9a-f]{64}$/;

/**
 * `<sha256>  <name>\n`, exactly what GNU coreutils' `sha256sum` prints for a file called `name`
 * (text mode: two spaces). A name with a backslash, newline or carriage return is escaped as
 * sha256sum escapes it (`\\`, `\n`, `\r`, and the line starts with a backslash), so that
 * `sha256sum -c` reads it back as the same name.
 */
export function sha256sumLine(sha256: string, name: string): string {
  if (!SHA256_HEX.test(sha256)) throw new Error(`Internal error: ${JSON.stringify(sha256)} is not a sha256 in hex.`);
  if (name === '') throw new Error('Internal error: a checksums line needs a file name.');
  if (!/[\\\n\r]/.test(name)) return `${sha256}  ${name}\n`;
  const escaped = name.replace(/\\/g, '\\\\').replace(/\n/g, '\\n').replace(/\r/g, '\\r');
  return `\\${sha256}  ${escaped}\n`;
}
