// Ordered reads for FerretDB v1.24.2's SQLite backend (docs/store.md, "Ordered reads"). FerretDB
// sorts in Go: a find with a sort and a limit decodes every document its filter lets through, then
// sorts them and keeps the first few. Agenda's lock window reads the first `--lock-limit` due jobs of
// a name in due order (src/jobs/lock-window.ts), so each read cost as much as the worker was behind
// (112 ms a read with 2 workers behind on 5,200 jobs; the store then spent its time there). Here a
// find whose filter has an equality on a string field k and whose sort starts with field s, where an
// index starts {k, s}, reads the rows of that k in s's order from an "order index" on (k's value, s's
// BSON type order, s's value): SQLite walks the index, the handler filters the rows as they come and
// stops at the limit. Exact only where SQL orders s as BSON does: null and missing, numbers, strings,
// ObjectIds, booleans and dates each compare as SQL values within their type, and the type order
// comes first. Two index searches before each read check that: no row of that k has an array for k
// (FerretDB's equality would match it, the SQL one does not), and none has s of a type SQL cannot
// order (document, array, binary, timestamp, regex); otherwise the read is FerretDB's own. Rows whose
// s is equal come as one group, which the handler sorts by the whole sort.
import type { SourcePatch } from "./ferretdb-patches.js";

const QUERY_WHERE = "\twhereClause, args = pushdownWhere(meta, params.Filter, q)\n\n\tq += whereClause";

export const ORDER_PATCHES: SourcePatch[] = [
  {
    file: "internal/backends/collection.go",
    find: "\tOnlyRecordIDs bool\n\tComment       string\n}",
    replace:
      "\tOnlyRecordIDs bool\n\tComment       string\n\n\t// OrderBy (schedsync): the find's sort, which the backend may apply (QueryResult.Ordered).\n\tOrderBy *types.Document\n\n\t// OrderLimit (schedsync): the find's limit, with OrderBy.\n\tOrderLimit int64\n}",
    why: "the handler offers a find's sort to the backend",
  },
  {
    file: "internal/backends/collection.go",
    find: "type QueryResult struct {\n\tIter types.DocumentsIterator\n}",
    replace:
      "type QueryResult struct {\n\tIter types.DocumentsIterator\n\n\t// Ordered (schedsync): Iter is in the order of OrderBy's first key; equal keys are not sorted further.\n\tOrdered bool\n}",
    why: "the backend says whether it applied the order",
  },
  {
    file: "internal/backends/sqlite/collection.go",
    find: QUERY_WHERE,
    replace: `\twhereClause, args = pushdownWhere(meta, params.Filter, q)

\torderBy := ""
\tif params.OrderBy != nil {
\t\tif w, a, o, ok := pushdownOrder(ctx, db, meta, params.Filter, params.OrderBy, params.OrderLimit, q+whereClause, args); ok {
\t\t\twhereClause, args, orderBy = w, a, o
\t\t}
\t}

\tq += whereClause + orderBy`,
    why: "read in the sort's order from an order index when that is exact",
  },
  {
    file: "internal/backends/sqlite/collection.go",
    find: "\t\tIter: newQueryIterator(ctx, rows, params.OnlyRecordIDs),\n\t}, nil",
    replace:
      '\t\tIter:    newQueryIterator(ctx, rows, params.OnlyRecordIDs),\n\t\tOrdered: orderBy != "",\n\t}, nil',
    why: "tell the handler the rows are ordered",
  },
  {
    file: "internal/handler/msg_find.go",
    find: "\t// Limit pushdown is not applied if:",
    replace: `\tif !h.DisablePushdown && params.Limit > 0 && params.Sort.Len() > 0 && !params.Sort.Has("$natural") && !cInfo.Capped() {
\t\tqp.OrderBy = params.Sort
\t\tqp.OrderLimit = params.Limit
\t}

\t// Limit pushdown is not applied if:`,
    why: "offer the sort of a find with a limit to the backend",
  },
  {
    file: "internal/handler/msg_find.go",
    find: "\titer, err := h.makeFindIter(queryRes.Iter, closer, params)",
    replace: "\titer, err := h.findIter(queryRes, closer, params)",
    why: "an ordered result is filtered and limited as it streams",
  },
];

/** Go source, package sqlite. */
export const ORDER_GO = String.raw`package sqlite

// Added by schedsync (src/store/ferretdb-order.ts): ordered reads from an order index.

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"

	"github.com/FerretDB/FerretDB/internal/backends/sqlite/metadata"
	"github.com/FerretDB/FerretDB/internal/types"
	"github.com/FerretDB/FerretDB/internal/util/fsql"
)

// orderMaxMinRows caps the rows that must pass the pushed-down filter for the ordered read.
const orderMaxMinRows = 200

// pushdownOrder returns " WHERE k = ? AND (pushed-down filter)", its arguments and
// " ORDER BY" the rank and then the value of s, for a filter
// with a string equality on a top-level field k and a sort whose first key s is a top-level field,
// when an index starts {k, s} and the order is exact for the rows of that k (see the file comment of
// ferretdb-order.ts); ok false otherwise, or when a check fails.
func pushdownOrder(ctx context.Context, db *fsql.DB, meta *metadata.Collection, filter, sort *types.Document, limit int64, query string, args []any) (string, []any, string, bool) {
	// An _id condition is searched by the _id index (pushdownWhere), which is faster.
	if sort.Len() == 0 || filter == nil || filter.Has("_id") || limit <= 0 {
		return "", nil, "", false
	}

	// Fewer rows than the limit pass the pushed-down filter: the walk would not stop early but read
	// every row of k, so decoding and sorting those few costs less (a worker on time: its due jobs).
	// From the limit on, the walk stops after about limit rows: with 2 workers behind, a read of the
	// first 6 of 150 due jobs decoded 150 before (patch level 4 started the walk at 200 rows).
	minRows := min(limit, orderMaxMinRows)

	var n int64
	if err := db.QueryRowContext(ctx, "SELECT count(*) FROM ("+query+" LIMIT ?)", append(append([]any{}, args...), minRows)...).Scan(&n); err != nil || n < minRows {
		return "", nil, "", false
	}

	s := sort.Keys()[0]
	dir, _ := sort.Values()[0].(int64)

	if !plainField(s) || (dir != 1 && dir != -1) {
		return "", nil, "", false
	}

	for _, index := range meta.Settings.Indexes {
		if !metadata.HasOrderIndex(index) || index.Key[1].Field != s {
			continue
		}

		k := index.Key[0].Field
		if !plainField(k) || !filter.Has(k) {
			continue
		}

		v, err := filter.Get(k)
		if err != nil {
			continue
		}

		value, isString := v.(string)
		if !isString {
			continue
		}

		if !orderExact(ctx, db, meta.TableName, k, value, s) {
			return "", nil, "", false
		}

		order := ""
		if dir == -1 {
			order = " DESC"
		}

		where := fmt.Sprintf(" WHERE %s = ?", metadata.ValueExpr(k))
		args := []any{value}

		// The rest of the filter as SQLite can test it, so rows that fail it are skipped in SQLite, not
		// decoded: with few matches the walk reads the whole k, and that costs less in SQL.
		if d, ok := pushdownAnd(filter, 0); ok {
			d = distinct(d)
			parts := make([]string, len(d))

			for i, c := range d {
				parts[i] = joinTerms(c)
			}

			where += " AND ((" + strings.Join(parts, ") OR (") + "))"
			args = append(args, argsOf(d)...)
		}

		by := fmt.Sprintf(" ORDER BY %s%s, %s%s", metadata.RankExpr(s), order, metadata.ValueExpr(s), order)

		return where, args, by, true
	}

	return "", nil, "", false
}

// orderExact: no row has an array for k (its value index: strings sort before '[', numbers before
// strings), and none of k = value has s of a type SQL does not order as BSON does (the order index).
func orderExact(ctx context.Context, db *fsql.DB, table, k, value, s string) bool {
	var one int

	q := fmt.Sprintf("SELECT 1 FROM %q WHERE %s >= '[' AND %s < '\\' LIMIT 1", table, metadata.ValueExpr(k), metadata.ValueExpr(k))
	if err := db.QueryRowContext(ctx, q).Scan(&one); !errors.Is(err, sql.ErrNoRows) {
		return false
	}

	q = fmt.Sprintf("SELECT 1 FROM %q WHERE %s = ? AND %s IN (%s) LIMIT 1", table, metadata.ValueExpr(k), metadata.RankExpr(s), metadata.InexactRanks)
	if err := db.QueryRowContext(ctx, q, value).Scan(&one); !errors.Is(err, sql.ErrNoRows) {
		return false
	}

	return true
}
`;

/** Go source, package handler. */
export const ORDER_HANDLER_GO = String.raw`package handler

// Added by schedsync (src/store/ferretdb-order.ts): the iterator chain of an ordered find.

import (
	"errors"

	"github.com/FerretDB/FerretDB/internal/backends"
	"github.com/FerretDB/FerretDB/internal/handler/common"
	"github.com/FerretDB/FerretDB/internal/types"
	"github.com/FerretDB/FerretDB/internal/util/iterator"
	"github.com/FerretDB/FerretDB/internal/util/lazyerrors"
)

// findIter is makeFindIter, but for a result the backend ordered by the sort's first key: filter,
// then sort each group of equal first keys by the whole sort, skip, limit and project as rows come,
// so a limit stops the read.
func (h *Handler) findIter(res *backends.QueryResult, closer *iterator.MultiCloser, params *common.FindParams) (types.DocumentsIterator, error) {
	if !res.Ordered {
		return h.makeFindIter(res.Iter, closer, params)
	}

	closer.Add(res.Iter)

	iter := common.FilterIterator(res.Iter, closer, params.Filter)

	path, err := types.NewPathFromString(params.Sort.Keys()[0])
	if err != nil {
		closer.Close()
		return nil, lazyerrors.Error(err)
	}

	groups := &groupSortIterator{src: iter, sort: params.Sort, first: path}
	closer.Add(groups)

	iter = common.SkipIterator(groups, closer, params.Skip)
	iter = common.LimitIterator(iter, closer, params.Limit)

	if iter, err = common.ProjectionIterator(iter, closer, params.Projection, params.Filter); err != nil {
		closer.Close()
		return nil, lazyerrors.Error(err)
	}

	return iterator.WithClose(iter, closer.Close), nil
}

// groupSortIterator reads documents ordered by the sort's first key and sorts each run of equal
// first keys by the whole sort.
type groupSortIterator struct {
	src     types.DocumentsIterator
	sort    *types.Document
	first   types.Path
	pending *types.Document
	out     []*types.Document
	done    bool
}

func (g *groupSortIterator) key(doc *types.Document) any {
	v, err := doc.GetByPath(g.first)
	if err != nil {
		return types.Null
	}

	return v
}

// Next implements iterator.Interface.
func (g *groupSortIterator) Next() (struct{}, *types.Document, error) {
	for len(g.out) == 0 {
		if g.done {
			return struct{}{}, nil, iterator.ErrIteratorDone
		}

		var group []*types.Document
		if g.pending != nil {
			group = append(group, g.pending)
			g.pending = nil
		}

		for {
			_, doc, err := g.src.Next()
			if errors.Is(err, iterator.ErrIteratorDone) {
				g.done = true
				break
			}

			if err != nil {
				return struct{}{}, nil, lazyerrors.Error(err)
			}

			if len(group) > 0 && types.CompareOrderForSort(g.key(group[0]), g.key(doc), types.Ascending) != types.Equal {
				g.pending = doc
				break
			}

			group = append(group, doc)
		}

		if len(group) > 1 {
			if err := common.SortDocuments(group, g.sort); err != nil {
				return struct{}{}, nil, lazyerrors.Error(err)
			}
		}

		g.out = group
	}

	doc := g.out[0]
	g.out = g.out[1:]

	return struct{}{}, doc, nil
}

// Close implements iterator.Interface.
func (g *groupSortIterator) Close() {
	g.src.Close()
}
`;

/** Go for value_indexes.go (package metadata): the order index and the rank expression. */
export const ORDER_METADATA_GO = `
// RankExpr is the BSON type order (FerretDB's types.compareTypeOrder) of a top-level field's value,
// read from the document's sjson schema: 1 null or missing, 3 numbers, 4 string, 5 object, 6 array,
// 7 binData, 8 objectId, 9 bool, 10 date, 11 timestamp, 12 regex; 0 a type not listed.
func RankExpr(field string) string {
	t := DefaultColumn + "->>'$.\\"$s\\".p.\\"" + strings.ReplaceAll(field, "'", "''") + "\\".t'"

	return "(CASE coalesce(" + t + ", 'null') WHEN 'null' THEN 1 WHEN 'int' THEN 3 WHEN 'long' THEN 3 " +
		"WHEN 'double' THEN 3 WHEN 'string' THEN 4 WHEN 'object' THEN 5 WHEN 'array' THEN 6 " +
		"WHEN 'binData' THEN 7 WHEN 'objectId' THEN 8 WHEN 'bool' THEN 9 WHEN 'date' THEN 10 " +
		"WHEN 'timestamp' THEN 11 WHEN 'regex' THEN 12 ELSE 0 END)"
}

// InexactRanks: types whose SQL value does not compare as BSON does.
const InexactRanks = "0, 5, 6, 7, 11, 12"

// HasOrderIndex: an index of two or more keys on top-level fields gets an order index on
// (first key's value, second key's RankExpr, second key's value).
func HasOrderIndex(index IndexInfo) bool {
	return HasValueIndex(index) && len(index.Key) >= 2 &&
		!strings.Contains(index.Key[0].Field, ".") && !strings.Contains(index.Key[1].Field, ".")
}

func orderIndexName(table, index string) string {
	return table + "_" + index + "__o"
}

func createOrderIndex(ctx context.Context, db *fsql.DB, table string, index IndexInfo) error {
	if !HasOrderIndex(index) {
		return nil
	}

	k, s := index.Key[0].Field, index.Key[1].Field
	q := fmt.Sprintf("CREATE INDEX IF NOT EXISTS %q ON %q (%s, %s, %s)", orderIndexName(table, index.Name), table, ValueExpr(k), RankExpr(s), ValueExpr(s))
	_, err := db.ExecContext(ctx, q)

	return err
}
`;
