package valid_test

import (
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/portalkit/portalkit/internal/valid"
	"github.com/portalkit/portalkit/portalerr"
)

type params struct {
	Name    string   `json:"name" validate:"required,max=5,singleline"`
	Limit   int      `json:"limit" validate:"min=0,max=100"`
	Tags    []string `json:"tags" validate:"max=2"`
	Country string   `json:"country" validate:"omitempty,iso3166_1_alpha2"`
	Nested  struct {
		Role string `json:"role" validate:"omitempty,oneof=viewer admin"`
	} `json:"nested"`
	Hidden string `json:"-" validate:"max=1"`
}

func TestStruct(t *testing.T) {
	assert.NoError(t, valid.Struct(params{Name: "Ada", Limit: 10}))

	p := params{Name: "Too long\n", Limit: 101, Tags: []string{"a", "b", "c"}, Country: "Germany"}
	p.Nested.Role = "boss"
	err := valid.Struct(p)
	assert.Equal(t, portalerr.Invalid, portalerr.CodeOf(err))
	got := map[string]string{}
	for _, f := range portalerr.FieldsOf(err) {
		got[f.Field] = f.Message
	}
	assert.Equal(t, map[string]string{
		"name":        "must be at most 5 characters",
		"limit":       "must be at most 100",
		"tags":        "must have at most 2 items",
		"country":     "must be an ISO 3166-1 alpha-2 country code such as DE",
		"nested.role": "must be one of: viewer, admin",
	}, got)

	err = valid.Struct(params{Name: "a\u0007b"})
	assert.Equal(t, []portalerr.FieldViolation{{Field: "name", Message: "must be a single line of printable text"}}, portalerr.FieldsOf(err))
	err = valid.Struct(params{})
	assert.Equal(t, []portalerr.FieldViolation{{Field: "name", Message: "is required"}}, portalerr.FieldsOf(err))
}

func TestColor(t *testing.T) {
	for s, want := range map[string]bool{
		"#2563eb": true, "#2563EB": true, "#26e": true,
		"": false, "2563eb": false, "#2563e": false, "#2563ebff": false, "#ggg": false, "red": false, "#fff;": false,
	} {
		assert.Equal(t, want, valid.Color(s), "Color(%q)", s)
	}
	type params struct {
		Accent string `json:"accent" validate:"omitempty,color"`
	}
	assert.NoError(t, valid.Struct(params{Accent: "#fff"}))
	assert.Equal(t, []portalerr.FieldViolation{{Field: "accent", Message: `must be a colour such as "#2563eb" or "#26e"`}},
		portalerr.FieldsOf(valid.Struct(params{Accent: "blue"})))
}
