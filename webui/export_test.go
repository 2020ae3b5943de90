package webui

// German returns the German text of an English one of the pages, and
// whether it has one, for the browser tests' check of German pages.
func German(en string) (string, bool) {
	de, ok := german[en]
	return de, ok
}
