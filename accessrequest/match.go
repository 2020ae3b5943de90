package accessrequest

import (
	"fmt"
	"net/url"
	"slices"
	"strings"
	"unicode"

	"github.com/portalkit/portalkit/customer"
)

// MatchKind says why a customer matched a request.
type MatchKind string

// Kinds of match, strongest first.
const (
	// MatchEmailDomain: the requester's e-mail domain is the domain of the
	// customer's contact e-mail, of its website or of one of its people.
	MatchEmailDomain MatchKind = "email_domain"
	// MatchVATID: the request names the customer's VAT ID.
	MatchVATID MatchKind = "vat_id"
	// MatchName: the company names are alike.
	MatchName MatchKind = "name"
)

// Scores of each kind of match; a customer's score is the sum of its
// reasons'. A same-domain customer outranks one that only shares the VAT
// ID, which outranks one whose name is alike: the domain is what the
// requester proved to own by confirming the address.
const (
	ScoreEmailDomain = 100
	ScoreVATID       = 90
	// ScoreName is the score of equal names; alike names get a share.
	ScoreName = 60
)

// Reason is one reason a customer matched, with an English explanation.
type Reason struct {
	Kind MatchKind
	// Score is what the reason adds to the match's score.
	Score int
	// Detail is what matched: the domain, the VAT ID, or how alike the
	// names are ("67%").
	Detail string
	// Explanation says what matched, in English, such as "acme.example is
	// the domain of a user of this customer".
	Explanation string
}

// Match is a customer a request may belong to.
type Match struct {
	Customer customer.Customer
	Score    int
	Reasons  []Reason
}

// Candidate is a customer to rank, with the e-mail domains of its people.
type Candidate struct {
	Customer customer.Customer
	// MemberDomains are the e-mail domains of the customer's users.
	MemberDomains []string
}

// Rank returns the candidates that match r, best first (ties by customer
// name, then ID), each with its reasons. Candidates that match in no way
// are left out; so is domain matching for addresses of public mail
// providers (FreeMailDomain), which many unrelated companies share.
func Rank(r Request, candidates []Candidate) []Match {
	domain := EmailDomain(r.Email)
	if FreeMailDomain(domain) {
		domain = ""
	}
	vat := NormalizeVATID(r.VATID)
	name := nameWords(r.CompanyName)
	var out []Match
	for _, c := range candidates {
		m := Match{Customer: c.Customer}
		if domain != "" {
			switch {
			case EmailDomain(c.Customer.ContactEmail) == domain:
				m.add(MatchEmailDomain, ScoreEmailDomain, domain, fmt.Sprintf("%s is the domain of the customer's contact e-mail %s", domain, c.Customer.ContactEmail))
			case slices.Contains(c.MemberDomains, domain):
				m.add(MatchEmailDomain, ScoreEmailDomain, domain, fmt.Sprintf("%s is the domain of a user of this customer", domain))
			case r.Website != "" && websiteDomain(r.Website) == domain && hostedAt(c.Customer, domain):
				m.add(MatchEmailDomain, ScoreEmailDomain, domain, fmt.Sprintf("%s is the domain of the customer's portal", domain))
			}
		}
		if vat != "" && NormalizeVATID(c.Customer.VATID) == vat {
			m.add(MatchVATID, ScoreVATID, c.Customer.VATID, fmt.Sprintf("VAT ID %s is the customer's", c.Customer.VATID))
		}
		if s := nameSimilarity(name, nameWords(c.Customer.Name), nameWords(c.Customer.LegalName)); s > 0 {
			score := ScoreName * s / 100
			expl := fmt.Sprintf("the name %q is the customer's name %q", r.CompanyName, c.Customer.Name)
			if s < 100 {
				expl = fmt.Sprintf("the name %q is %d%% like the customer's name %q", r.CompanyName, s, c.Customer.Name)
			}
			m.add(MatchName, score, fmt.Sprintf("%d%%", s), expl)
		}
		if len(m.Reasons) > 0 {
			out = append(out, m)
		}
	}
	slices.SortStableFunc(out, func(a, b Match) int {
		if a.Score != b.Score {
			return b.Score - a.Score
		}
		if c := strings.Compare(strings.ToLower(a.Customer.Name), strings.ToLower(b.Customer.Name)); c != 0 {
			return c
		}
		return strings.Compare(string(a.Customer.ID), string(b.Customer.ID))
	})
	return out
}

func (m *Match) add(k MatchKind, score int, detail, expl string) {
	m.Score += score
	m.Reasons = append(m.Reasons, Reason{Kind: k, Score: score, Detail: detail, Explanation: expl})
}

// hostedAt reports whether the customer's portal host name is domain or
// under it.
func hostedAt(c customer.Customer, domain string) bool {
	h := strings.ToLower(c.Branding.HostName)
	return h != "" && (h == domain || strings.HasSuffix(h, "."+domain))
}

// EmailDomain returns the domain of an e-mail address in lower case, or ""
// when it has none.
func EmailDomain(email string) string {
	i := strings.LastIndexByte(email, '@')
	if i < 0 {
		return ""
	}
	return strings.ToLower(strings.TrimSpace(email[i+1:]))
}

// websiteDomain returns the host of a website without "www.".
func websiteDomain(site string) string {
	u, err := url.Parse(site)
	if err != nil {
		return ""
	}
	return strings.TrimPrefix(strings.ToLower(u.Hostname()), "www.")
}

// freeMail are domains of public mail providers.
var freeMail = []string{
	"aol.com", "gmail.com", "gmx.at", "gmx.ch", "gmx.de", "gmx.net", "googlemail.com", "hotmail.com",
	"icloud.com", "live.com", "mail.de", "me.com", "outlook.com", "outlook.de", "posteo.de",
	"proton.me", "protonmail.com", "t-online.de", "web.de", "yahoo.com", "yahoo.de", "freenet.de",
}

// FreeMailDomain reports whether domain belongs to a public mail provider,
// whose addresses say nothing about the company.
func FreeMailDomain(domain string) bool {
	return slices.Contains(freeMail, strings.ToLower(domain))
}

// NormalizeVATID returns a VAT ID in the form compared: upper case, without
// spaces, dots and dashes.
func NormalizeVATID(s string) string {
	return strings.Map(func(r rune) rune {
		switch {
		case r == ' ' || r == '.' || r == '-' || unicode.IsSpace(r):
			return -1
		}
		return unicode.ToUpper(r)
	}, s)
}

// legalForms are words of company names that say nothing about which
// company it is.
var legalForms = []string{
	"ag", "co", "corp", "corporation", "e", "gbr", "gmbh", "inc", "kg", "kgaa", "llc", "llp", "ltd", "limited",
	"mbh", "ohg", "plc", "sa", "sarl", "se", "bv", "nv", "ug", "haftungsbeschränkt", "v", "the", "und", "and",
}

// nameWords returns the words of a company name that identify it: lower
// case, without punctuation and legal forms.
func nameWords(s string) []string {
	words := strings.FieldsFunc(strings.ToLower(s), func(r rune) bool { return !unicode.IsLetter(r) && !unicode.IsDigit(r) })
	words = slices.DeleteFunc(words, func(w string) bool { return slices.Contains(legalForms, w) })
	slices.Sort(words)
	return slices.Compact(words)
}

// nameSimilarity returns how alike the request's name words are to either
// of the customer's names, in percent (shared words over all words), and 0
// below one half: fewer shared words say little.
func nameSimilarity(req []string, names ...[]string) int {
	best := 0
	for _, n := range names {
		if len(req) == 0 || len(n) == 0 {
			continue
		}
		shared := 0
		for _, w := range req {
			if slices.Contains(n, w) {
				shared++
			}
		}
		all := len(req) + len(n) - shared
		if s := shared * 100 / all; s > best {
			best = s
		}
	}
	if best < 50 {
		return 0
	}
	return best
}

// SearchWords returns the words of a company name worth searching
// customers for (longest first, at most n): the words that identify it.
func SearchWords(name string, n int) []string {
	w := slices.DeleteFunc(nameWords(name), func(w string) bool { return len([]rune(w)) < 3 })
	slices.SortStableFunc(w, func(a, b string) int { return len(b) - len(a) })
	if len(w) > n {
		w = w[:n]
	}
	return w
}
