/**
 * pandas column dtypes and GE's `type_` names, for expect_column_values_to_be_of_type and
 * expect_column_values_to_be_in_type_list.
 *
 * GE's pandas engine checks the column's numpy dtype (`int64`, `float64`, `bool_`, `object_`, ...)
 * against `np.dtype(type_).type` and the Python type named by `type_`; only for an `object` column
 * does it check each value's Python type (`int`, `str`, ...). mlops infers the dtype pandas'
 * readers would give the column: integers without missing values are `int64`, numbers otherwise
 * `float64` (a missing value turns integers into floats), booleans without missing values `bool_`,
 * a column with no value at all `float64`, anything else `object_`.
 */
import type { Cell } from '../data/dataset.js';
import type { Typed } from './cells.js';

/** The numpy scalar type names mlops can infer for a column. */
export type NumpyType = 'int64' | 'float64' | 'bool_' | 'object_';

/** numpy type names for the strings `np.dtype()` accepts (numpy 1.x on 64-bit Linux). */
const NUMPY_ALIASES: Record<string, string> = {
  int: 'int64',
  int_: 'int64',
  int64: 'int64',
  i8: 'int64',
  long: 'int64',
  longlong: 'int64',
  intp: 'int64',
  int32: 'int32',
  i4: 'int32',
  intc: 'int32',
  int16: 'int16',
  i2: 'int16',
  short: 'int16',
  int8: 'int8',
  i1: 'int8',
  byte: 'int8',
  uint: 'uint64',
  uint64: 'uint64',
  u8: 'uint64',
  ulonglong: 'uint64',
  uint32: 'uint32',
  u4: 'uint32',
  uintc: 'uint32',
  uint16: 'uint16',
  u2: 'uint16',
  ushort: 'uint16',
  uint8: 'uint8',
  u1: 'uint8',
  ubyte: 'uint8',
  float: 'float64',
  float_: 'float64',
  float64: 'float64',
  f8: 'float64',
  double: 'float64',
  d: 'float64',
  float32: 'float32',
  f4: 'float32',
  single: 'float32',
  float16: 'float16',
  f2: 'float16',
  half: 'float16',
  longdouble: 'float128',
  float128: 'float128',
  bool: 'bool_',
  bool_: 'bool_',
  bool8: 'bool_',
  '?': 'bool_',
  b1: 'bool_',
  str: 'str_',
  str_: 'str_',
  unicode: 'str_',
  unicode_: 'str_',
  U: 'str_',
  bytes: 'bytes_',
  bytes_: 'bytes_',
  S: 'bytes_',
  object: 'object_',
  object_: 'object_',
  O: 'object_',
  complex: 'complex128',
  complex128: 'complex128',
  c16: 'complex128',
  complex64: 'complex64',
  c8: 'complex64',
  datetime64: 'datetime64',
  M8: 'datetime64',
  M: 'datetime64',
  timedelta64: 'timedelta64',
  m8: 'timedelta64',
  m: 'timedelta64',
};

/** GE's `_native_type_type_map`: the Python types a name stands for. */
function nativeTypes(name: string): string[] {
  switch (name.toLowerCase()) {
    case 'none':
      return ['NoneType'];
    case 'bool':
      return ['bool'];
    case 'int':
    case 'long':
      return ['int'];
    case 'float':
      return ['float'];
    case 'bytes':
      return ['bytes'];
    case 'complex':
      return ['complex'];
    case 'str':
    case 'string_types':
      return ['str'];
    case 'list':
      return ['list'];
    case 'dict':
      return ['dict'];
    default:
      return [];
  }
}

/** The numpy scalar type `np.dtype(name).type` names, or undefined when numpy rejects the name. */
export function numpyTypeOf(name: string): string | undefined {
  const direct = NUMPY_ALIASES[name];
  if (direct) return direct;
  // Sized and unit-qualified spellings: <i8, =f4, U10, S5, datetime64[ns], M8[s].
  const stripped = name.replace(/^[<>=|]/, '');
  if (stripped !== name && NUMPY_ALIASES[stripped]) return NUMPY_ALIASES[stripped];
  const sized = /^([USa])\d+$/.exec(stripped);
  if (sized) return sized[1] === 'U' ? 'str_' : 'bytes_';
  const unit = /^(datetime64|timedelta64|M8|m8)\[[a-zA-Z]+\]$/.exec(stripped);
  if (unit) return unit[1]!.startsWith('d') || unit[1] === 'M8' ? 'datetime64' : 'timedelta64';
  return undefined;
}

/** True when GE's comparison list for `name` contains anything at all. */
export function isRecognizedTypeName(name: string): boolean {
  return numpyTypeOf(name) !== undefined || nativeTypes(name).length > 0;
}

/** The aggregate check: the column's numpy type is the one `name` names. */
export function dtypeMatches(dtype: NumpyType, name: string): boolean {
  return numpyTypeOf(name) === dtype;
}

/** The per-value check for object columns: `isinstance(value, types)`, where bool is an int. */
export function pythonTypeMatches(pythonType: string, name: string): boolean {
  const natives = nativeTypes(name);
  if (natives.includes(pythonType)) return true;
  return pythonType === 'bool' && natives.includes('int');
}

/** GE uses the aggregate (dtype) check when the column is not object, or type_ names object. */
export const OBJECT_TYPE_NAMES: readonly string[] = ['object', 'object_', 'O'];

/** Infers a column's pandas dtype from its cells, in one pass and constant memory. */
export class DtypeAccumulator {
  private integers = 0;
  private floats = 0;
  private booleans = 0;
  private others = 0;
  private missing = 0;
  private present = 0;

  /** Adds one cell, as read (`raw`) and as typed. */
  add(raw: Cell | undefined, typed: Typed | null): void {
    if (typed === null) {
      this.missing++;
      return;
    }
    this.present++;
    switch (typeof typed) {
      case 'number':
        if (typeof raw === 'string') {
          if (/[.eEnN]/.test(raw)) this.floats++;
          else this.integers++;
        } else if (Number.isInteger(typed)) this.integers++;
        else this.floats++;
        break;
      case 'boolean':
        this.booleans++;
        break;
      default:
        this.others++;
    }
  }

  /** True when every present value is a boolean (pandas keeps Python bools in such a column). */
  get allBoolean(): boolean {
    return this.present > 0 && this.booleans === this.present;
  }

  /** The dtype pandas would give the column; `rows` is the table's row count. */
  dtype(rows: number): NumpyType {
    if (this.present === 0) return rows === 0 ? 'object_' : 'float64';
    if (this.others > 0) return 'object_';
    if (this.booleans > 0) return this.booleans === this.present && this.missing === 0 ? 'bool_' : 'object_';
    if (this.floats === 0 && this.missing === 0) return 'int64';
    return 'float64';
  }
}
