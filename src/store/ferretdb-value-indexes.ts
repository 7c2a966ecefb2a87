// Value indexes for FerretDB v1.24.2's SQLite backend (docs/store.md, "Filter pushdown"). FerretDB
// builds each index on `_ferretdb_sjson->"field"`, the field's JSON text: dates are numbers of any
// length, so "at most this date" is no range of that text and the pushdown had to read every row
// of the index's first key. Beside each index (but _id's) this build keeps a value index on the same
// keys with `->>` on each path's last step: SQL values, where numbers compare as numbers, strings
// unquoted, null and missing are NULL. pushdown.go searches those. Created with the index, dropped
// with it, and made at start-up (within limits) for the indexes of data dirs written by older builds.
import { ORDER_METADATA_GO } from "./ferretdb-order.js";
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

\tif err = createValueIndexesAtStart(ctx, db, colls); err != nil {
\t\treturn lazyerrors.Error(err)
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
	"time"

	"github.com/FerretDB/FerretDB/internal/util/fsql"
)

// Limits on the value indexes built at start-up for a data dir written by an older build: FerretDB
// listens only once they are built, and the supervisor waits 30 s for that (a build reads every row,
// ~20 µs each). A larger table, or one past the time, keeps its queries correct but unindexed until
// its index is created again (docs/store.md).
const (
	startupIndexRows = 300_000
	startupIndexTime = 10 * time.Second
)

// createValueIndexesAtStart creates the missing value indexes of colls within those limits.
func createValueIndexesAtStart(ctx context.Context, db *fsql.DB, colls map[string]*Collection) error {
	started := time.Now()

	for _, c := range colls {
		for _, index := range c.Settings.Indexes {
			if !HasValueIndex(index) || time.Since(started) > startupIndexTime {
				continue
			}

			var exists int
			q := "SELECT count(*) FROM sqlite_master WHERE type = 'index' AND name IN (?, ?)"
			if err := db.QueryRowContext(ctx, q, valueIndexName(c.TableName, index.Name), orderIndexName(c.TableName, index.Name)).Scan(&exists); err != nil {
				return err
			}

			if exists > 0 && (exists > 1 || !HasOrderIndex(index)) {
				continue
			}

			var rows int64
			if err := db.QueryRowContext(ctx, fmt.Sprintf("SELECT count(*) FROM %q", c.TableName)).Scan(&rows); err != nil {
				return err
			}

			if rows > startupIndexRows {
				continue
			}

			if err := createValueIndex(ctx, db, c.TableName, index); err != nil {
				return err
			}
		}
	}

	return nil
}

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
	if _, err := db.ExecContext(ctx, q); err != nil {
		return err
	}

	return createOrderIndex(ctx, db, table, index)
}

func dropValueIndex(ctx context.Context, db *fsql.DB, table, index string) error {
	for _, name := range []string{valueIndexName(table, index), orderIndexName(table, index)} {
		if _, err := db.ExecContext(ctx, fmt.Sprintf("DROP INDEX IF EXISTS %q", name)); err != nil {
			return err
		}
	}

	return nil
}
${ORDER_METADATA_GO}`;
