package webui

// german translates every text of the pages; the keys are the English
// texts as the templates and handlers write them.
var german = map[string]string{}
