/**
 * Where a row of a batch is, for messages and annotations: `file:line` for text formats (the line
 * where the row starts, so an editor opens at it), `file, row N` for Parquet (no lines there).
 */
import type { SourceLocation } from '../errors.js';
import type { RowBatch } from './dataset.js';

/** The location of row `index` of `batch` (and of `column` when given, as a key). */
export function rowLocation(batch: RowBatch, index: number, column?: string): SourceLocation {
  const at = batch.lines[index];
  const location: SourceLocation = { file: batch.file };
  if (at !== undefined) {
    if (batch.linesAreRows) location.row = at;
    else location.line = at;
  }
  if (column !== undefined) location.key = column;
  return location;
}
