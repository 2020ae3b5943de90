// Package oapi holds the server interface, the strict request and response types and the models
// generated from openapi.yaml, and the embedded spec for request validation. Nothing here is
// written by hand: edit openapi.yaml and run `go generate ./...`.
package oapi

//go:generate go tool -modfile=../../tools/go.mod oapi-codegen -config cfg.yaml ../../openapi.yaml
