package portal_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/portalkit/portalkit/customer"
	"github.com/portalkit/portalkit/identity"
	"github.com/portalkit/portalkit/mailer"
	"github.com/portalkit/portalkit/outbox"
	"github.com/portalkit/portalkit/portal"
	"github.com/portalkit/portalkit/portal/portaltest"
	"github.com/portalkit/portalkit/portalerr"
)

func TestPutMailTemplateRefusesBrokenOverrides(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name   string
		kind   mailer.Kind
		locale string
		params portal.MailTemplateParams
		fields []string
	}{
		{"does not parse", mailer.KindInvitation, "en", portal.MailTemplateParams{Text: "Accept: {{.Link"}, []string{"text"}},
		{"no link in the text", mailer.KindInvitation, "en", portal.MailTemplateParams{Text: "Welcome!"}, []string{"text"}},
		{"no link in the HTML", mailer.KindLoginLink, "de", portal.MailTemplateParams{HTML: "<p>Hallo</p>"}, []string{"html"}},
		{"unknown placeholder", mailer.KindInvitation, "en", portal.MailTemplateParams{Subject: "Hi {{.Nickname}}"}, []string{"subject"}},
		{"calls another template", mailer.KindInvitation, "en", portal.MailTemplateParams{Text: `{{template "html" .}} {{.Link}}`}, []string{"text"}},
		{"several parts at once", mailer.KindInvitation, "en", portal.MailTemplateParams{Subject: "{{if}}", Text: "no link"}, []string{"subject", "text"}},
		{"too long", mailer.KindInvitation, "en", portal.MailTemplateParams{Text: strings.Repeat("x", 65537) + "{{.Link}}"}, []string{"text"}},
		{"nothing at all", mailer.KindInvitation, "en", portal.MailTemplateParams{}, []string{"text"}},
		{"unknown kind", "newsletter", "en", portal.MailTemplateParams{Subject: "Hi"}, []string{"kind"}},
		{"unknown locale", mailer.KindInvitation, "fr", portal.MailTemplateParams{Subject: "Salut"}, []string{"locale"}},
	}
	eachSignInBackend(t, func(t *testing.T, s signInEnv) {
		c := s.createCustomer(t, "Acme")
		for _, tc := range cases {
			_, err := s.p.PutMailTemplate(s.owner, c.ID, tc.kind, tc.locale, tc.params)
			assertCode(t, portalerr.Invalid, err, tc.name)
			assert.ElementsMatch(t, tc.fields, fieldsOf(err), "%s: %v", tc.name, err)
		}
		l, err := s.p.ListMailTemplates(s.owner, c.ID)
		require.NoError(t, err)
		assert.Empty(t, l, "nothing was saved")
		assert.Empty(t, s.auditOf(t, "mail_template:invitation/en"), "nor recorded")

		// A refused override leaves the one before in place.
		_, err = s.p.PutMailTemplate(s.owner, c.ID, mailer.KindInvitation, "en", portal.MailTemplateParams{Subject: "Join {{.CustomerName}}"})
		require.NoError(t, err)
		_, err = s.p.PutMailTemplate(s.owner, c.ID, mailer.KindInvitation, "en", portal.MailTemplateParams{Subject: "{{.Broken"})
		assertCode(t, portalerr.Invalid, err)
		got, err := s.p.GetMailTemplate(s.owner, c.ID, mailer.KindInvitation, "en")
		require.NoError(t, err)
		assert.Equal(t, "Join {{.CustomerName}}", got.Subject)
	})
}

func TestMailTemplateLifecycle(t *testing.T) {
	t.Parallel()
	eachSignInBackend(t, func(t *testing.T, s signInEnv) {
		c := s.createCustomer(t, "Acme")
		other := s.createCustomer(t, "Globex")
		admin := portaltest.As(t.Context(), identity.Staff("stf_admin", identity.StaffAdmin))

		_, err := s.p.GetMailTemplate(s.owner, c.ID, mailer.KindInvitation, "de")
		assertCode(t, portalerr.NotFound, err, "the defaults are no override")

		params := portal.MailTemplateParams{Subject: "Willkommen bei {{.CustomerName}}", Text: "Bitte hier entlang: {{.Link}}"}
		saved, err := s.p.PutMailTemplate(admin, c.ID, mailer.KindInvitation, "de", params)
		require.NoError(t, err)
		assert.Equal(t, customer.MailTemplate{
			CustomerID: c.ID, Kind: "invitation", Locale: "de", Subject: params.Subject, Text: params.Text,
			UpdatedBy: "staff:stf_admin", CreatedAt: s.clock.Now(), UpdatedAt: s.clock.Now(),
		}, saved)
		got, err := s.p.GetMailTemplate(s.owner, c.ID, mailer.KindInvitation, "de")
		require.NoError(t, err)
		assert.Equal(t, saved, got)
		_, err = s.p.GetMailTemplate(s.owner, other.ID, mailer.KindInvitation, "de")
		assertCode(t, portalerr.NotFound, err, "overrides are per customer")

		s.clock.Advance(time.Hour)
		replaced, err := s.p.PutMailTemplate(s.owner, c.ID, mailer.KindInvitation, "de", portal.MailTemplateParams{HTML: `<p><a href="{{.Link}}">Los</a></p>`})
		require.NoError(t, err)
		assert.Empty(t, replaced.Subject, "a put replaces the whole override")
		assert.Equal(t, saved.CreatedAt, replaced.CreatedAt)
		assert.Equal(t, s.clock.Now(), replaced.UpdatedAt)
		assert.Equal(t, "staff:stf_owner", replaced.UpdatedBy)

		_, err = s.p.PutMailTemplate(s.owner, c.ID, mailer.KindLoginLink, "en", portal.MailTemplateParams{Subject: "Sign in"})
		require.NoError(t, err)
		l, err := s.p.ListMailTemplates(s.owner, c.ID)
		require.NoError(t, err)
		require.Len(t, l, 2)
		assert.Equal(t, []string{"invitation", "login_link"}, []string{l[0].Kind, l[1].Kind})

		require.NoError(t, s.p.DeleteMailTemplate(s.owner, c.ID, mailer.KindInvitation, "de"))
		_, err = s.p.GetMailTemplate(s.owner, c.ID, mailer.KindInvitation, "de")
		assertCode(t, portalerr.NotFound, err)
		assertCode(t, portalerr.NotFound, s.p.DeleteMailTemplate(s.owner, c.ID, mailer.KindInvitation, "de"), "deleting twice")

		var actions []string
		for _, e := range s.auditOf(t, "mail_template:invitation/de") {
			assert.Equal(t, c.ID, e.CustomerID)
			actions = append(actions, e.Actor+" "+e.Action)
		}
		assert.Equal(t, []string{
			"staff:stf_admin mail_template.saved", "staff:stf_owner mail_template.saved", "staff:stf_owner mail_template.deleted",
		}, actions)

		_, err = s.p.PutMailTemplate(s.owner, "cus_ghost", mailer.KindInvitation, "de", params)
		assertCode(t, portalerr.NotFound, err)
		_, err = s.p.ListMailTemplates(s.owner, "cus_ghost")
		assertCode(t, portalerr.NotFound, err)
	})
}

func TestPreviewMailTemplate(t *testing.T) {
	t.Parallel()
	eachSignInBackend(t, func(t *testing.T, s signInEnv) {
		c := s.createCustomer(t, "Acme")
		def, err := s.p.PreviewMailTemplate(s.owner, c.ID, mailer.KindInvitation, "en", portal.MailTemplateParams{})
		require.NoError(t, err)
		assert.Equal(t, "You are invited to Acme on Portal Test", def.Subject, "the defaults, with the customer's name")
		assert.Contains(t, def.Text, "https://portal.example.com/accept?token=")
		assert.Contains(t, def.HTML, "<!DOCTYPE html>")

		draft := portal.MailTemplateParams{Subject: "{{.CustomerName}} wartet", Text: "Hier: {{.Link}}"}
		de, err := s.p.PreviewMailTemplate(s.owner, c.ID, mailer.KindInvitation, "de", draft)
		require.NoError(t, err)
		assert.Equal(t, "Acme wartet", de.Subject)
		assert.Contains(t, de.Text, "Hier: https://portal.example.com/accept?token=")
		assert.Contains(t, de.HTML, "Einladung annehmen", "the German default HTML")

		_, err = s.p.PreviewMailTemplate(s.owner, c.ID, mailer.KindInvitation, "en", portal.MailTemplateParams{Text: "{{.Link"})
		assertCode(t, portalerr.Invalid, err)
		assert.Equal(t, []string{"text"}, fieldsOf(err))

		l, err := s.p.ListMailTemplates(s.owner, c.ID)
		require.NoError(t, err)
		assert.Empty(t, l, "a preview saves nothing")
	})
}

// Only a caller allowed to preview or save overrides makes the portal
// check and render one: anyone else learns nothing about the template and
// costs no rendering.
func TestMailTemplatesAuthorizeBeforeChecking(t *testing.T) {
	t.Parallel()
	eachSignInBackend(t, func(t *testing.T, s signInEnv) {
		c := s.createCustomer(t, "Acme")
		admin := s.addMember(t, c.ID, "ada@acme.example", customer.RoleAdmin)
		agent := portaltest.As(t.Context(), identity.Staff("stf_agent", identity.StaffAgent))
		callers := []struct {
			name    string
			ctx     context.Context
			preview portalerr.Code // "": allowed
			put     portalerr.Code
		}{
			{"nobody", t.Context(), portalerr.Unauthenticated, portalerr.Unauthenticated},
			{"a customer admin", as(t, admin), portalerr.PermissionDenied, portalerr.PermissionDenied},
			{"a staff agent", agent, "", portalerr.PermissionDenied},
		}
		overrides := []portal.MailTemplateParams{
			{Text: "{{"},
			{HTML: "{{.Link}}{{range 1000000000}}x{{end}}"},
			{Subject: strings.Repeat("y", 70000)},
		}
		for _, caller := range callers {
			for _, o := range overrides {
				_, err := s.p.PreviewMailTemplate(caller.ctx, c.ID, mailer.KindInvitation, "en", o)
				if caller.preview != "" {
					assertCode(t, caller.preview, err, "%s previews", caller.name)
				} else {
					assertCode(t, portalerr.Invalid, err, "%s previews", caller.name)
				}
				_, err = s.p.PutMailTemplate(caller.ctx, c.ID, mailer.KindInvitation, "en", o)
				assertCode(t, caller.put, err, "%s saves", caller.name)
			}
			_, err := s.p.PutMailTemplate(caller.ctx, c.ID, "newsletter", "fr", portal.MailTemplateParams{})
			assertCode(t, caller.put, err, "%s saves an unknown kind", caller.name)
		}
		l, err := s.p.ListMailTemplates(s.owner, c.ID)
		require.NoError(t, err)
		assert.Empty(t, l)
	})
}

// An override may not make the portal render without bound, neither in a
// preview nor when it is saved.
func TestMailTemplatesAreBounded(t *testing.T) {
	t.Parallel()
	eachSignInBackend(t, func(t *testing.T, s signInEnv) {
		c := s.createCustomer(t, "Acme")
		for name, o := range map[string]portal.MailTemplateParams{
			"a loop":           {HTML: "{{.Link}}{{range 2000000}}xxxxxxxxxx{{end}}"},
			"a growing value":  {HTML: `{{.Link}}{{$s := .Link}}{{$s = print $s $s $s $s}}{{$s = print $s $s $s $s}}{{$s}}`},
			"too much content": {HTML: "{{.Link}}" + strings.Repeat("{{.Reason}}", 5000)},
		} {
			content, err := s.p.PreviewMailTemplate(s.owner, c.ID, mailer.KindInvitation, "en", o)
			assertCode(t, portalerr.Invalid, err, "%s previewed", name)
			assert.Equal(t, []string{"html"}, fieldsOf(err), name)
			assert.Zero(t, len(content.HTML), name)
			_, err = s.p.PutMailTemplate(s.owner, c.ID, mailer.KindInvitation, "en", o)
			assertCode(t, portalerr.Invalid, err, "%s saved", name)
			assert.Equal(t, []string{"html"}, fieldsOf(err), name)
		}
		l, err := s.p.ListMailTemplates(s.owner, c.ID)
		require.NoError(t, err)
		assert.Empty(t, l, "nothing was saved")
	})
}

func TestListMail(t *testing.T) {
	t.Parallel()
	eachSignInBackend(t, func(t *testing.T, s signInEnv) {
		acme := s.createCustomer(t, "Acme")
		globex := s.createCustomer(t, "Globex")
		s.addMember(t, acme.ID, "ada@acme.example", customer.RoleAdmin)
		for i, cid := range []customer.ID{acme.ID, globex.ID, acme.ID} {
			_, err := s.p.Invite(s.owner, cid, portal.InviteParams{Email: string(rune('a'+i)) + "x@example.com", Role: customer.RoleViewer})
			require.NoError(t, err)
		}
		all, err := s.p.ListMail(s.owner, portal.ListMailParams{Limit: 2})
		require.NoError(t, err)
		require.Len(t, all.Items, 2)
		require.NotEmpty(t, all.NextCursor)
		rest, err := s.p.ListMail(s.owner, portal.ListMailParams{Cursor: all.NextCursor, Limit: 2})
		require.NoError(t, err)
		require.Len(t, rest.Items, 1)
		assert.Empty(t, rest.NextCursor)
		for _, m := range append(all.Items, rest.Items...) {
			assert.Equal(t, outbox.Pending, m.Status)
			assert.Nil(t, m.Payload, "never the payload")
		}

		mine, err := s.p.ListMail(s.owner, portal.ListMailParams{CustomerID: acme.ID})
		require.NoError(t, err)
		assert.Len(t, mine.Items, 2)

		s.rec.Mails() // the worker sends them
		sent, err := s.p.ListMail(s.owner, portal.ListMailParams{Status: outbox.Sent})
		require.NoError(t, err)
		assert.Len(t, sent.Items, 3)
		none, err := s.p.ListMail(s.owner, portal.ListMailParams{Status: outbox.Pending})
		require.NoError(t, err)
		assert.Empty(t, none.Items)

		_, err = s.p.ListMail(s.owner, portal.ListMailParams{Status: "lost"})
		assertCode(t, portalerr.Invalid, err)
		assert.Equal(t, []string{"status"}, fieldsOf(err))
	})
}
