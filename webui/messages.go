package webui

// german translates every text of the pages: the keys are the English
// texts as the templates and handlers write them. Each part of the pages
// keeps its texts in a map of its own.
var german = merged(germanPortal, germanConsole)

// labels name the values of enumerations in both languages: keys are
// "kind:value", such as "status:submitted" or "role:admin".
var labels = map[string][2]string{}

// germanPortal are the texts of the sign-in pages and the customer portal.
var germanPortal = map[string]string{}

func merged(maps ...map[string]string) map[string]string {
	out := map[string]string{}
	for _, m := range maps {
		for k, v := range m {
			out[k] = v
		}
	}
	return out
}
