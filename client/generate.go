package client

//go:generate go tool -modfile=../tools/go.mod oapi-codegen -config cfg.yaml ../openapi.yaml
