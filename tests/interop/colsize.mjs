// temp helper (not committed): per-column compressed bytes of the given Parquet files
import { DuckDBInstance } from '@duckdb/node-api';
const files = process.argv.slice(2).map((f) => `'${f}'`).join(',');
const db = await (await DuckDBInstance.create(':memory:')).connect();
const r = await db.runAndReadAll(`SELECT path_in_schema, sum(total_compressed_size) c, count(*) n, string_agg(DISTINCT encodings, '|') e FROM parquet_metadata([${files}]) GROUP BY 1 ORDER BY 1`);
for (const row of r.getRows()) console.log(String(row[0]).padEnd(12), (Number(row[1])/1e6).toFixed(3).padStart(8), 'MB', String(row[2]).padStart(4), row[3]);
