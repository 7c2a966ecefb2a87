// Value indexes for FerretDB v1.24.2's SQLite backend (docs/store.md, "Filter pushdown"). FerretDB
// builds each index on `_ferretdb_sjson->"field"`, the field's JSON text: dates are numbers of any
// length, so "at most this date" is no range of that text and the pushdown had to read every row
// of the index's first key. Beside each index (but _id's) this build keeps a value index on the same
// keys with `->>` on each path's last step: SQL values, where numbers compare as numbers, strings
// unquoted, null and missing are NULL. pushdown.go searches those. Created with the index, dropped
// with it, and made at start-up for the indexes of data dirs written by older builds.
import type { SourcePatch } from "./ferretdb-patches.js";

const CREATED = `\t\tcreated = append(created, index.Name)
`;

const DROPPED = `\t\tq := fmt.Sprintf("DROP INDEX %q", c.TableName+"_"+name)
\t\tif _, err := db.ExecContext(ctx, q); err != nil {
\t\t\treturn lazyerrors.Error(err)
\t\t}
`;

const LOADED = `\tif err = rows.Err(); err != nil {
\t\treturn lazyerrors.Error(err)
\t}

\tr.colls[dbName] = colls
`;

export const VALUE_INDEX_PATCHES: SourcePatch[] = [
  {
    file: "internal/backends/sqlite/metadata/registry.go",
    find: CREATED,
    replace: `${CREATED}\t\tif err := createValueIndex(ctx, db, c.TableName, index); err != nil {
\t\t\t_ = r.indexesDrop(ctx, dbName, collectionName, created)
\t\t\treturn lazyerrors.Error(err)
\t\t}
`,
    why: "each new index gets its value index",
  },
  {
    file: "internal/backends/sqlite/metadata/registry.go",
    find: DROPPED,
    replace: `${DROPPED}\t\tif err := dropValueIndex(ctx, db, c.TableName, name); err != nil {
\t\t\treturn lazyerrors.Error(err)
\t\t}
`,
    why: "a dropped index takes its value index with it",
  },
  {
    file: "internal/backends/sqlite/metadata/registry.go",
    find: LOADED,
    replace: `${LOADED}
\t_ = rows.Close()

\tfor _, c := range colls {
\t\tfor _, index := range c.Settings.Indexes {
\t\t\tif err = createValueIndex(ctx, db, c.TableName, index); err != nil {
\t\t\t\treturn lazyerrors.Error(err)
\t\t\t}
\t\t}
\t}
`,
    why: "data dirs written by older builds get their value indexes at start-up",
  },
];

/** The Go source (package metadata). */
export const VALUE_INDEX_GO = `package metadata

// Added by schedsync (src/store/ferretdb-value-indexes.ts): value indexes beside FerretDB's own.

import (
	"context"
	"fmt"
	"strings"

	"github.com/FerretDB/FerretDB/internal/util/fsql"
)

// ValueExpr is the SQL value of a field path: ->'a'->'b' on the way, ->>'c' for the last step.
func ValueExpr(field string) string {
	parts := strings.Split(field, ".")
	expr := DefaultColumn

	for i, p := range parts {
		op := "->"
		if i == len(parts)-1 {
			op = "->>"
		}

		expr += op + "'" + strings.ReplaceAll(p, "'", "''") + "'"
	}

	return expr
}

// HasValueIndex: _id's own index is searched by its JSON text (IDColumn) and gets none.
func HasValueIndex(index IndexInfo) bool {
	return index.Name != "_id_" && len(index.Key) > 0
}

func valueIndexName(table, index string) string {
	return table + "_" + index + "__v"
}

func createValueIndex(ctx context.Context, db *fsql.DB, table string, index IndexInfo) error {
	if !HasValueIndex(index) {
		return nil
	}

	columns := make([]string, len(index.Key))

	for i, key := range index.Key {
		columns[i] = ValueExpr(key.Field)
		if key.Descending {
			columns[i] += " DESC"
		}
	}

	q := fmt.Sprintf("CREATE INDEX IF NOT EXISTS %q ON %q (%s)", valueIndexName(table, index.Name), table, strings.Join(columns, ", "))
	_, err := db.ExecContext(ctx, q)

	return err
}

func dropValueIndex(ctx context.Context, db *fsql.DB, table, index string) error {
	_, err := db.ExecContext(ctx, fmt.Sprintf("DROP INDEX IF EXISTS %q", valueIndexName(table, index)))
	return err
}
`;
