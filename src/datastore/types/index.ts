export type {
  ColumnDecision,
  ColumnType,
  DateFormat,
  NumberFormat,
  TypeOverride,
} from './decision.js';
export { columnTypes, overrideFormats } from './decision.js';
export { ColumnProfiler, headerSaysDate, headerSaysFlag } from './profile.js';
export type { ColumnProfile } from './tallies.js';
export { allowedMisfits, decide, decideColumn, decideWithOverride } from './decide.js';
export { convertCell, misfit, type CellValue, type Misfit } from './convert.js';
export { sqlConversion, sqlMisfitCondition, sqlNullCondition, sqlString, sqlType } from './sql.js';
export { nullMarkers } from './cells.js';
