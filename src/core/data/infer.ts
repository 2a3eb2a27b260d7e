/**
 * Column type inference: every present cell is classified (`inferCellType`), and a column's type is
 * the narrowest type that holds all of them. Missing values do not take part (unlike pandas, where
 * one missing value turns an int64 column into float64). The rules are in docs/data-formats.md.
 */
import type { Cell, ColumnType, Dataset } from './dataset.js';
import { inferCellType, type CellType } from './values.js';

const BIT: Record<CellType, number> = {
  null: 0,
  integer: 1,
  number: 2,
  boolean: 4,
  date: 8,
  datetime: 16,
  string: 32,
  nested: 64,
};

/**
 * Folds cells into a column type, in constant memory:
 * - no present cell: `null`;
 * - only integers: `integer`; integers and other numbers: `number`;
 * - only booleans: `boolean`;
 * - only dates: `date`; dates and date-times, or only date-times: `datetime`;
 * - anything else (text, nested values, or a mix such as numbers and booleans): `string`.
 */
export class ColumnTypeAccumulator {
  private seen = 0;
  /** Count of present (non-missing) cells added. */
  present = 0;
  /** Count of missing cells added. */
  missing = 0;

  /** Adds one cell. */
  add(cell: Cell | undefined): void {
    this.addType(inferCellType(cell));
  }

  /** The type of one cell already inferred by the caller (saves a second inference). */
  addType(type: CellType): void {
    if (type === 'null') {
      this.missing++;
      return;
    }
    this.present++;
    this.seen |= BIT[type];
  }

  /** The column type of the cells added so far. */
  get type(): ColumnType {
    return typeFromKinds(this.seen);
  }
}

function typeFromKinds(seen: number): ColumnType {
  if (seen === 0) return 'null';
  if (seen === BIT.integer) return 'integer';
  if ((seen & ~(BIT.integer | BIT.number)) === 0) return 'number';
  if (seen === BIT.boolean) return 'boolean';
  if (seen === BIT.date) return 'date';
  if ((seen & ~(BIT.date | BIT.datetime)) === 0) return 'datetime';
  return 'string';
}

/** The column type of a sequence of cells (see {@link ColumnTypeAccumulator} for the rules). */
export function inferColumnType(cells: Iterable<Cell | undefined>): ColumnType {
  const accumulator = new ColumnTypeAccumulator();
  for (const cell of cells) accumulator.add(cell);
  return accumulator.type;
}

/** Per-column result of {@link inferColumnTypes}. */
export interface InferredColumn {
  name: string;
  type: ColumnType;
  present: number;
  missing: number;
}

/**
 * Reads a dataset once and infers every column's type, in constant memory. Stops early once every
 * column has become `string` (no later cell can change that), unless `countAll` asks for exact
 * present/missing counts.
 */
export async function inferColumnTypes(
  dataset: Dataset,
  options: { countAll?: boolean } = {},
): Promise<InferredColumn[]> {
  const accumulators = dataset.columns.map(() => new ColumnTypeAccumulator());
  for await (const batch of dataset.batches()) {
    for (const row of batch.rows) {
      for (let index = 0; index < accumulators.length; index++) accumulators[index]!.add(row[index]);
    }
    if (!options.countAll && accumulators.every((accumulator) => accumulator.type === 'string')) break;
  }
  return dataset.columns.map((name, index) => {
    const accumulator = accumulators[index]!;
    return { name, type: accumulator.type, present: accumulator.present, missing: accumulator.missing };
  });
}
