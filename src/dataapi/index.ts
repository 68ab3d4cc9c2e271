export { dataApiRoutes } from './routes.js';
export { createDataApi, type DataApi, type DataApiOptions } from './service.js';
export {
  planQuery,
  selectSql,
  countSql,
  type RecordsRequest,
  type QueryPlan,
} from './query-plan.js';
export { columnsOf, type Column } from './columns.js';
