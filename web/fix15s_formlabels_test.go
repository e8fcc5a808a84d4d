package web_test

import (
	"net/url"
	"regexp"
	"testing"
)

// TestFormErrorsNameFieldsByTheirLabels (issue 15, fix15s item 4): the
// import page said "kind : choose weighbridge tickets or laboratory
// results" where the form's field is labelled "Kind of file". Every
// error list of a form (import, tokens, capture) names the field as the
// form labels it: Source, Kind of file, CSV file; Name, Role, Valid
// through (not the API's name, role, expires); Document — never the
// request's own parameter name.
func TestFormErrorsNameFieldsByTheirLabels(t *testing.T) {
	ts := MustServe(t, false, nil)
	for _, c := range []struct {
		path, secret string
		form         url.Values
		want, not    []string
	}{
		{"/import", operatorSecret, url.Values{"source": {"fix15s-nokind"}, "csv": {"a,b\n1,2\n"}, "step": {"check"}},
			[]string{"Kind of file"}, []string{"kind"}},
		{"/import", operatorSecret, url.Values{"step": {"check"}, "kind": {"weighbridge"}},
			[]string{"Source", "CSV file"}, []string{"source", "file"}},
		{"/tokens", adminSecret, url.Values{"name": {""}, "role": {"boss"}, "expires": {"soon"}},
			[]string{"Name", "Role", "Valid through"}, []string{"name", "role", "expires"}},
		{"/capture", operatorSecret, url.Values{"document": {""}},
			[]string{"Document"}, []string{"document"}},
	} {
		_, b := do(t, "POST", ts.URL+c.path, c.secret, []byte(c.form.Encode()), formHeader)
		var named []string
		for _, m := range regexp.MustCompile(`<li><code>([^<]*)</code>: `).FindAllStringSubmatch(string(b), -1) {
			named = append(named, m[1])
		}
		for _, w := range c.want {
			if !contains(named, w) {
				t.Errorf("%s %v: errors name %q, want %q", c.path, c.form, named, w)
			}
		}
		for _, n := range c.not {
			if contains(named, n) {
				t.Errorf("%s %v: an error is named by the parameter %q, not its label (%q)", c.path, c.form, n, named)
			}
		}
	}
}

// contains says whether list holds s.
func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}
