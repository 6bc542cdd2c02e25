// Column shorthands for migrations, so each table reads as a list of its fields.
import type { TableColumnOptions } from 'typeorm';

type Extra = Partial<TableColumnOptions>;

export const uuid = (name: string, extra: Extra = {}): TableColumnOptions => ({
  name,
  type: 'varchar',
  length: '36',
  ...extra,
});
export const str = (name: string, length: number, extra: Extra = {}): TableColumnOptions => ({
  name,
  type: 'varchar',
  length: String(length),
  ...extra,
});
export const text = (name: string, extra: Extra = {}): TableColumnOptions => ({ name, type: 'text', ...extra });
export const bool = (name: string): TableColumnOptions => ({ name, type: 'boolean', default: false });
export const int = (name: string, extra: Extra = {}): TableColumnOptions => ({
  name,
  type: 'int',
  default: 0,
  ...extra,
});
export const time = (name: string, extra: Extra = {}): TableColumnOptions => ({ name, type: 'datetime', ...extra });
export const optional = (column: TableColumnOptions): TableColumnOptions => ({ ...column, isNullable: true });
export const primary = (column: TableColumnOptions): TableColumnOptions => ({ ...column, isPrimary: true });
