// schedsync's filter pushdown for FerretDB v1.24.2's SQLite backend (docs/store.md, "Filter
// pushdown"): a new Go file plus the two call sites in collection.go. Kept apart from
// ferretdb-patches.ts, whose patches are one line each.
import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { applyPatches, type SourcePatch } from "./ferretdb-patches.js";

const QUERY_BLOCK = `\tif params.Filter.Len() == 1 {
\t\tv, _ := params.Filter.Get("_id")
\t\tswitch v.(type) {
\t\tcase string, types.ObjectID:
\t\t\twhereClause = fmt.Sprintf(\` WHERE %s = ?\`, metadata.IDColumn)
\t\t\targs = []any{string(must.NotFail(sjson.MarshalSingleValue(v)))}
\t\t}
\t}

\tq += whereClause`;

const EXPLAIN_TAIL = `\t\t\tfilterPushdown = true
\t\t\twhereClause = fmt.Sprintf(\` WHERE %s = ?\`, metadata.IDColumn)
\t\t\targs = []any{string(must.NotFail(sjson.MarshalSingleValue(v)))}
\t\t}
\t}
`;

export const PUSHDOWN_PATCHES: SourcePatch[] = [
  {
    file: "internal/backends/sqlite/collection.go",
    find: QUERY_BLOCK,
    replace: "\twhereClause, args = pushdownWhere(params.Filter)\n\n\tq += whereClause",
    why: "push simple conditions down to SQLite instead of decoding every document in Go",
  },
  {
    file: "internal/backends/sqlite/collection.go",
    find: EXPLAIN_TAIL,
    replace: `${EXPLAIN_TAIL}\tif !filterPushdown {\n\t\twhereClause, args = pushdownWhere(params.Filter)\n\t}\n`,
    why: "explain shows the plan of the query that Query() really runs",
  },
];

/** Writes pushdown.go and points Query and Explain at it; throws like applyPatches. */
export async function applyPushdown(srcDir: string): Promise<void> {
  await applyPatches(srcDir, PUSHDOWN_PATCHES);
  await writeFile(join(srcDir, "internal/backends/sqlite/pushdown.go"), PUSHDOWN_GO);
}

/** The Go source (package sqlite). Superset conditions only: FerretDB filters every row again. */
export const PUSHDOWN_GO = String.raw`package sqlite

// Added by schedsync (src/store/ferretdb-pushdown.ts). FerretDB 1.24 pushes down only a filter
// that is exactly {_id: value}; any other filter decodes every document of the collection in Go.
// pushdownWhere turns simple top-level conditions into a SQL condition that every matching
// document satisfies (a superset: the handler still filters each returned document), written on
// the same expressions as FerretDB's indexes (_ferretdb_sjson->'field') so SQLite can use them.

import (
	"strconv"
	"strings"
	"time"

	"github.com/FerretDB/FerretDB/internal/backends/sqlite/metadata"
	"github.com/FerretDB/FerretDB/internal/handler/sjson"
	"github.com/FerretDB/FerretDB/internal/types"
)

// pushdownWhere returns " WHERE …" and its arguments, or "" when nothing can be pushed down.
func pushdownWhere(filter *types.Document) (string, []any) {
	cond, args := pushdownAnd(filter, 0)
	if cond == "" {
		return "", nil
	}

	return " WHERE " + cond, args
}

// pushdownAnd pushes down the conditions it understands; the others are left to the handler.
func pushdownAnd(filter *types.Document, depth int) (string, []any) {
	keys, values := filter.Keys(), filter.Values()
	seen := make(map[string]bool, len(keys))

	for _, k := range keys {
		if seen[k] {
			return "", nil
		}

		seen[k] = true
	}

	var parts []string
	var args []any

	for i, k := range keys {
		if c, a := pushdownField(k, values[i], depth); c != "" {
			parts = append(parts, c)
			args = append(args, a...)
		}
	}

	return strings.Join(parts, " AND "), args
}

func pushdownField(k string, v any, depth int) (string, []any) {
	if k == "$or" {
		return pushdownOr(v, depth)
	}

	if !plainField(k) {
		return "", nil
	}

	if k == "_id" {
		return pushdownID(v)
	}

	expr := metadata.DefaultColumn + "->'" + k + "'"

	if ops, ok := v.(*types.Document); ok {
		return pushdownOps(expr, ops)
	}

	return pushdownEq(expr, v)
}

// pushdownID: _id is never an array, so equality and $in are exact on the _id index.
func pushdownID(v any) (string, []any) {
	switch v := v.(type) {
	case string, types.ObjectID:
		return metadata.IDColumn + " = ?", []any{sjsonText(v)}
	case *types.Document:
		if v.Len() != 1 {
			return "", nil
		}

		in, ok := v.Values()[0].(*types.Array)
		if v.Keys()[0] != "$in" || !ok || in.Len() == 0 || in.Len() > 500 {
			return "", nil
		}

		args := make([]any, in.Len())
		for i := 0; i < in.Len(); i++ {
			elem, _ := in.Get(i)
			switch elem.(type) {
			case string, types.ObjectID:
				args[i] = sjsonText(elem)
			default:
				return "", nil
			}
		}

		return metadata.IDColumn + " IN (" + strings.TrimSuffix(strings.Repeat("?, ", len(args)), ", ") + ")", args
	}

	return "", nil
}

// pushdownOr ORs its branches; one branch without a pushed-down condition drops the whole $or.
func pushdownOr(v any, depth int) (string, []any) {
	arr, ok := v.(*types.Array)
	if !ok || arr.Len() == 0 || depth > 2 {
		return "", nil
	}

	var parts []string
	var args []any

	for i := 0; i < arr.Len(); i++ {
		elem, _ := arr.Get(i)

		branch, ok := elem.(*types.Document)
		if !ok {
			return "", nil
		}

		c, a := pushdownAnd(branch, depth+1)
		if c == "" {
			return "", nil
		}

		parts = append(parts, "("+c+")")
		args = append(args, a...)
	}

	return "(" + strings.Join(parts, " OR ") + ")", args
}

// pushdownOps handles {$eq: v} and {$lt/$lte: date}; other operators are left to the handler.
func pushdownOps(expr string, ops *types.Document) (string, []any) {
	keys, values := ops.Keys(), ops.Values()
	if len(keys) == 0 || !strings.HasPrefix(keys[0], "$") {
		return "", nil // an embedded document compared as a value
	}

	var parts []string
	var args []any

	for i, op := range keys {
		var c string
		var a []any

		switch op {
		case "$eq":
			c, a = pushdownEq(expr, values[i])
		case "$lt", "$lte":
			if t, ok := values[i].(time.Time); ok {
				c, a = pushdownDateAtMost(expr, t)
			}
		}

		if c != "" {
			parts = append(parts, c)
			args = append(args, a...)
		}
	}

	return strings.Join(parts, " AND "), args
}

// pushdownEq: a string, a date or null; arrays always pass (an array may contain the value).
func pushdownEq(expr string, v any) (string, []any) {
	switch v := v.(type) {
	case string, time.Time:
		return "(" + expr + " = ? OR " + arrayText(expr) + ")", []any{sjsonText(v)}
	case types.NullType:
		return "(" + expr + " IS NULL OR " + expr + " = 'null' OR " + arrayText(expr) + ")", nil
	}

	return "", nil
}

// pushdownDateAtMost: sjson stores a date as its milliseconds since the epoch (a JSON number),
// and -> returns that number's text. Text order is numeric order only among 13-digit numbers
// (2001-09-09 to 2286), so negative numbers ('-' sorts before digits) and shorter digit strings
// always pass; strings ('"'), null, true, false and objects never do.
func pushdownDateAtMost(expr string, t time.Time) (string, []any) {
	ms := t.UnixMilli()
	if ms < 1e12 || ms >= 1e13 {
		return "", nil
	}

	c := "((" + expr + " >= '-' AND " + expr + " <= ?) OR (" + expr + " >= '0' AND " + expr + " < ':' AND length(" +
		expr + ") < 13) OR " + arrayText(expr) + ")"

	return c, []any{strconv.FormatInt(ms, 10)}
}

// arrayText is true for a JSON array's text (it starts with '[' and '\' follows '[' in ASCII).
func arrayText(expr string) string {
	return "(" + expr + " >= '[' AND " + expr + " < '\\')"
}

func plainField(k string) bool {
	if k == "" {
		return false
	}

	for _, r := range k {
		if !(r == '_' || r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9') {
			return false
		}
	}

	return true
}

func sjsonText(v any) string {
	b, err := sjson.MarshalSingleValue(v)
	if err != nil {
		panic(err)
	}

	return string(b)
}
`;
