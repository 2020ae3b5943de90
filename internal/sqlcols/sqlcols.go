// Package sqlcols helps the SQL backends write joins from the column lists
// they already keep per table.
package sqlcols

import "strings"

// Qualify prefixes each column of the comma-separated list cols with alias:
// Qualify("u", "id, email") is "u.id, u.email". White space around the
// names (the lists span lines) is dropped.
func Qualify(alias, cols string) string {
	names := strings.Split(cols, ",")
	for i, n := range names {
		names[i] = alias + "." + strings.TrimSpace(n)
	}
	return strings.Join(names, ", ")
}
