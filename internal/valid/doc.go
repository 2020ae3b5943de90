// Package valid owns portalkit's one shared input validator: struct tags
// checked by go-playground/validator, reported as portalerr field violations
// named the way callers spell them (the json tag).
package valid
