package webui

// germanConsole are the texts of the provider console.
var germanConsole = map[string]string{}

// consoleLabels name the values of enumerations the console shows beyond
// those of labels, in the same form ("kind:value").
var consoleLabels = map[string][2]string{}
