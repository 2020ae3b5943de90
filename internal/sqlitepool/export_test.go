package sqlitepool

// EmptyDir returns the directory of e's database file.
func EmptyDir(e *Empty) string { return e.dir }
