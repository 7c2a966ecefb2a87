// schedsync's filter pushdown for FerretDB v1.24.2's SQLite backend (docs/store.md, "Filter
// pushdown"): a new Go file plus the two call sites in collection.go, searching the value indexes
// of ferretdb-value-indexes.ts. Kept apart from ferretdb-patches.ts, whose patches are one line each.
import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { ORDER_GO, ORDER_HANDLER_GO, ORDER_PATCHES } from "./ferretdb-order.js";
import { applyPatches, type SourcePatch } from "./ferretdb-patches.js";
import { VALUE_INDEX_GO, VALUE_INDEX_PATCHES } from "./ferretdb-value-indexes.js";

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
    replace: "\twhereClause, args = pushdownWhere(meta, params.Filter, q)\n\n\tq += whereClause",
    why: "push simple conditions down to SQLite instead of decoding every document in Go",
  },
  {
    file: "internal/backends/sqlite/collection.go",
    find: EXPLAIN_TAIL,
    replace: `${EXPLAIN_TAIL}\tif !filterPushdown {\n\t\twhereClause, args = pushdownWhere(meta, params.Filter, selectClause)\n\t}\n`,
    why: "explain shows the plan of the query that Query() really runs",
  },
];

/** Writes pushdown.go and value_indexes.go and points FerretDB at them; throws like applyPatches. */
export async function applyPushdown(srcDir: string): Promise<void> {
  await applyPatches(srcDir, [...PUSHDOWN_PATCHES, ...VALUE_INDEX_PATCHES]);
  // After PUSHDOWN_PATCHES: one of ORDER_PATCHES finds what they wrote.
  await applyPatches(srcDir, ORDER_PATCHES);
  await writeFile(join(srcDir, "internal/backends/sqlite/pushdown.go"), PUSHDOWN_GO);
  await writeFile(join(srcDir, "internal/backends/sqlite/order.go"), ORDER_GO);
  await writeFile(join(srcDir, "internal/handler/find_ordered.go"), ORDER_HANDLER_GO);
  await writeFile(join(srcDir, "internal/backends/sqlite/metadata/value_indexes.go"), VALUE_INDEX_GO);
}

/** The Go source (package sqlite). Superset conditions only: FerretDB filters every row again. */
export const PUSHDOWN_GO = String.raw`package sqlite

// Added by schedsync (src/store/ferretdb-pushdown.ts). FerretDB 1.24 pushes down only a filter
// that is exactly {_id: value}; any other filter decodes every document of the collection in Go.
// pushdownWhere turns simple conditions on fields and dotted paths into a SQL condition that every
// matching document satisfies (a superset: the handler still filters each returned document),
// written on the value indexes' expressions (metadata.ValueExpr) so SQLite can search them.

import (
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/FerretDB/FerretDB/internal/backends/sqlite/metadata"
	"github.com/FerretDB/FerretDB/internal/handler/sjson"
	"github.com/FerretDB/FerretDB/internal/types"
	"github.com/FerretDB/FerretDB/internal/util/must"
)

// A term of a conjunction; lead is the expression an index search can start from ("" for none).
type term struct {
	sql  string
	lead string
	args []any
}

// A condition in disjunctive normal form: an OR of conjunctions (ANDs) of terms. Each conjunction
// alone can be an index search, which SQLite's planner does not find in nested ORs.
type dnf [][]term

// Limits on the expansion; past them a factor is dropped (the condition stays a superset).
const (
	maxConjunctions = 64
	maxArgs         = 5000
)

func single(t term) dnf {
	return dnf{{t}}
}

// and pairs every conjunction of a with every one of b; false when that is too large.
func and(a, b dnf) (dnf, bool) {
	if len(a)*len(b) > maxConjunctions {
		return nil, false
	}

	out := make(dnf, 0, len(a)*len(b))
	n := 0

	for _, x := range a {
		for _, y := range b {
			c := append(append([]term{}, x...), y...)
			for _, t := range c {
				n += len(t.args)
			}

			out = append(out, c)
		}
	}

	return out, n <= maxArgs
}

// andAlso adds the factor d to out; a factor that makes the expansion too large is left out.
func andAlso(out, d dnf) dnf {
	if out == nil {
		return d
	}

	if both, ok := and(out, d); ok {
		return both
	}

	return out
}

// pushdownWhere returns " WHERE …" and its arguments, or "" when nothing can be pushed down.
// selectClause is the query's "SELECT … FROM …". When every conjunction can start an index search,
// three or more become a UNION ALL of searches, each leaving out what the ones before it found:
// SQLite's own OR plan picks one index for all of them and tests each found row against every
// branch's JSON expressions, and a UNION (or rowid IN) is read whole before the first row comes
// back, which a findOne of a common value would pay for. Otherwise one OR, which SQLite searches
// branch by branch or scans.
func pushdownWhere(meta *metadata.Collection, filter *types.Document, selectClause string) (string, []any) {
	d, ok := pushdownAnd(filter, 0)
	if !ok {
		return "", nil
	}

	d = distinct(d)

	if len(d) == 1 {
		return " WHERE " + joinTerms(d[0]), argsOf(d)
	}

	leads := map[string]bool{"_id": true}
	for _, index := range meta.Settings.Indexes {
		if metadata.HasValueIndex(index) {
			leads[metadata.ValueExpr(index.Key[0].Field)] = true
		}
	}

	parts := make([]string, len(d))
	searchable := true

	for i, c := range d {
		parts[i] = joinTerms(c)
		searchable = searchable && slices.ContainsFunc(c, func(t term) bool { return leads[t.lead] })
	}

	// Exclusions repeat the arguments of the branches before: n(n-1)/2 copies.
	n := 0
	for i, c := range d {
		n += (len(d) - i) * len(argsOf(dnf{c}))
	}

	if !searchable || len(d) <= 2 || n > maxArgs {
		return " WHERE (" + strings.Join(parts, ") OR (") + ")", argsOf(d)
	}

	var b strings.Builder
	var args []any

	for i := range parts {
		if i == 0 {
			b.WriteString(" WHERE " + parts[0])
		} else {
			b.WriteString(" UNION ALL " + selectClause + " WHERE " + parts[i])
		}

		args = append(args, argsOf(dnf{d[i]})...)

		// A row an earlier branch returned; coalesce: a NULL (a missing value) does not match.
		for j := 0; j < i; j++ {
			b.WriteString(" AND NOT coalesce((" + parts[j] + "), 0)")
			args = append(args, argsOf(dnf{d[j]})...)
		}
	}

	return b.String(), args
}

func joinTerms(c []term) string {
	s := make([]string, len(c))
	for i, t := range c {
		s[i] = t.sql
	}

	return strings.Join(s, " AND ")
}

func argsOf(d dnf) []any {
	var args []any

	for _, c := range d {
		for _, t := range c {
			args = append(args, t.args...)
		}
	}

	return args
}

// distinct drops repeated conjunctions (a dotted path's "unresolved" branch and its null branch).
func distinct(d dnf) dnf {
	seen := make(map[string]bool, len(d))
	out := d[:0]

	for _, c := range d {
		key := joinTerms(c) + fmt.Sprint(argsOf(dnf{c}))
		if !seen[key] {
			seen[key] = true
			out = append(out, c)
		}
	}

	return out
}

// pushdownAnd pushes down the conditions it understands; the others are left to the handler.
func pushdownAnd(filter *types.Document, depth int) (dnf, bool) {
	keys, values := filter.Keys(), filter.Values()
	seen := make(map[string]bool, len(keys))

	for _, k := range keys {
		if seen[k] {
			return nil, false
		}

		seen[k] = true
	}

	// An _id condition finds a few documents by the _id index; the handler checks the rest on them.
	if seen["_id"] {
		if d, ok := pushdownID(must.NotFail(filter.Get("_id"))); ok {
			return d, true
		}
	}

	var out dnf

	for i, k := range keys {
		d, ok := pushdownField(k, values[i], depth)
		if !ok {
			continue
		}

		out = andAlso(out, d)
	}

	return out, out != nil
}

func pushdownField(k string, v any, depth int) (dnf, bool) {
	if k == "$or" {
		return pushdownOr(v, depth)
	}

	if k == "_id" {
		return pushdownID(v)
	}

	path := strings.Split(k, ".")
	for _, p := range path {
		if !plainField(p) {
			return nil, false
		}
	}

	expr := metadata.ValueExpr(k)

	var d dnf
	var ok bool

	if ops, isOps := v.(*types.Document); isOps {
		d, ok = pushdownOps(expr, ops)
	} else {
		d, ok = pushdownEq(expr, v)
	}

	if !ok || len(path) == 1 {
		return d, ok
	}

	// MongoDB looks into an array met on the way (a.b on [{b: 1}], a.0.b), which -> does not: there
	// the value is NULL, and such a document always passes. Searchable: few documents lack a path
	// that is worth an index.
	return append(d, single(term{sql: expr + " IS NULL", lead: expr})...), true
}

// pushdownID: _id is never an array, so equality and $in are exact on the _id index (its JSON text).
func pushdownID(v any) (dnf, bool) {
	switch v := v.(type) {
	case string, types.ObjectID:
		return single(term{sql: metadata.IDColumn + " = ?", lead: "_id", args: []any{sjsonText(v)}}), true
	case *types.Document:
		if v.Len() != 1 {
			return nil, false
		}

		in, ok := v.Values()[0].(*types.Array)
		if v.Keys()[0] != "$in" || !ok || in.Len() == 0 || in.Len() > 500 {
			return nil, false
		}

		args := make([]any, in.Len())

		for i := 0; i < in.Len(); i++ {
			elem, _ := in.Get(i)
			switch elem.(type) {
			case string, types.ObjectID:
				args[i] = sjsonText(elem)
			default:
				return nil, false
			}
		}

		return single(term{sql: metadata.IDColumn + " IN (" + placeholders(len(args)) + ")", lead: "_id", args: args}), true
	}

	return nil, false
}

// pushdownOr ORs its branches; one branch without a pushed-down condition drops the whole $or.
func pushdownOr(v any, depth int) (dnf, bool) {
	arr, ok := v.(*types.Array)
	if !ok || arr.Len() == 0 || depth > 2 {
		return nil, false
	}

	var out dnf

	for i := 0; i < arr.Len(); i++ {
		elem, _ := arr.Get(i)

		branch, ok := elem.(*types.Document)
		if !ok {
			return nil, false
		}

		d, ok := pushdownAnd(branch, depth+1)
		if !ok {
			return nil, false
		}

		out = append(out, d...)
	}

	return out, len(out) <= maxConjunctions
}

// pushdownOps handles {$eq: v}, {$in: [...]} and {$lt/$lte: date}; other operators are left to the handler.
func pushdownOps(expr string, ops *types.Document) (dnf, bool) {
	keys, values := ops.Keys(), ops.Values()
	if len(keys) == 0 || !strings.HasPrefix(keys[0], "$") {
		return nil, false // an embedded document compared as a value
	}

	var out dnf

	for i, op := range keys {
		var d dnf
		var ok bool

		switch op {
		case "$eq":
			d, ok = pushdownEq(expr, values[i])
		case "$in":
			if in, isArr := values[i].(*types.Array); isArr {
				d, ok = pushdownIn(expr, in)
			}
		case "$lt", "$lte":
			if t, isTime := values[i].(time.Time); isTime {
				cmp := map[string]string{"$lt": " < ?", "$lte": " <= ?"}[op]
				d, ok = withArrays(expr, term{sql: expr + cmp, lead: expr, args: []any{t.UnixMilli()}}), true
			}
		}

		if !ok {
			continue
		}

		out = andAlso(out, d)
	}

	return out, out != nil
}

// sqlValue is v as ->> returns it: a string, a date's milliseconds, a boolean's 1 or 0.
func sqlValue(v any) (any, bool) {
	switch v := v.(type) {
	case string:
		return v, true
	case time.Time:
		return v.UnixMilli(), true
	case bool:
		if v {
			return int64(1), true
		}

		return int64(0), true
	}

	return nil, false
}

// pushdownEq: a string, a date, a boolean or null. A number equals a date or a boolean of the
// same SQL value and a string another string: supersets, the handler tells them apart.
func pushdownEq(expr string, v any) (dnf, bool) {
	if _, null := v.(types.NullType); null {
		return withArrays(expr, isNull(expr)), true
	}

	value, ok := sqlValue(v)
	if !ok {
		return nil, false
	}

	return withArrays(expr, term{sql: expr + " = ?", lead: expr, args: []any{value}}), true
}

// pushdownIn: $in of up to 500 strings and dates (anything else in the list: left to the handler).
func pushdownIn(expr string, in *types.Array) (dnf, bool) {
	if in.Len() == 0 || in.Len() > 500 {
		return nil, false
	}

	args := make([]any, in.Len())

	for i := 0; i < in.Len(); i++ {
		elem, _ := in.Get(i)

		switch elem.(type) {
		case string, time.Time:
			args[i], _ = sqlValue(elem)
		default:
			return nil, false
		}
	}

	return withArrays(expr, term{sql: expr + " IN (" + placeholders(len(args)) + ")", lead: expr, args: args}), true
}

// withArrays: t, or an array (->> gives an array's JSON text, which starts with '['; '\' follows '['
// in ASCII), which always passes because it may contain the value.
func withArrays(expr string, t term) dnf {
	return dnf{{t}, {{sql: expr + " >= '[' AND " + expr + " < '\\'", lead: expr}}}
}

// isNull: JSON null, a missing field, or a path that does not resolve. The unary + keeps SQLite
// from searching an index for it: nearly every job has no lockedAt, so such a search reads them all.
func isNull(expr string) term {
	return term{sql: "+" + expr + " IS NULL"}
}

func placeholders(n int) string {
	return strings.TrimSuffix(strings.Repeat("?, ", n), ", ")
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
