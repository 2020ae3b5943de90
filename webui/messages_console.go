package webui

// germanConsole are the texts of the provider console.
var germanConsole = map[string]string{}
