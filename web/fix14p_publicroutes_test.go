package web_test

import (
	"os"
	"regexp"
	"sort"
	"strings"
	"testing"

	critminhttp "github.com/critmin/critmin/http"
)

// TestThreatModelListsEveryPublicRoute (issue 14 final check, fix14p):
// docs/security.md's threat model said "every route but health, metrics,
// sign-in, the OpenAPI document, the mineral schema and the public signing
// key needs a token", while the log checkpoint and consistency proof, the
// certificate revocation list, verify and status, the trade schema and
// more answer without one. The list in docs/security.md (between the
// public-routes markers) is checked against the server's route access
// table, both ways, so it cannot drift: a new public route fails this
// test until it is documented.
func TestThreatModelListsEveryPublicRoute(t *testing.T) {
	ts := MustServe(t, false, nil)
	var public []string
	for pattern, access := range ts.RouteAccess() {
		if access != critminhttp.AccessPublic {
			continue
		}
		// The EPCIS binding's OPTIONS (its discovery, answered on every
		// /epcis path) is documented once, as OPTIONS /epcis/*.
		if strings.HasPrefix(pattern, "OPTIONS /epcis") {
			pattern = "OPTIONS /epcis/*"
			if len(public) > 0 && slicesContains(public, pattern) {
				continue
			}
		}
		public = append(public, pattern)
	}
	sort.Strings(public)
	doc, err := os.ReadFile("../docs/security.md")
	if err != nil {
		t.Fatal(err)
	}
	m := regexp.MustCompile(`(?s)<!-- public-routes -->(.*?)<!-- /public-routes -->`).FindSubmatch(doc)
	if m == nil {
		t.Fatalf("docs/security.md has no <!-- public-routes --> list; the public routes are:\n%s", strings.Join(public, "\n"))
	}
	var documented []string
	for _, c := range regexp.MustCompile("`((?:GET|POST|PUT|PATCH|DELETE|HEAD|OPTIONS) [^`]+)`").FindAllSubmatch(m[1], -1) {
		documented = append(documented, string(c[1]))
	}
	sort.Strings(documented)
	if strings.Join(documented, "\n") != strings.Join(public, "\n") {
		t.Errorf("docs/security.md lists as answering without a token:\n%s\nthe server's public routes:\n%s", strings.Join(documented, "\n"), strings.Join(public, "\n"))
	}
}

func slicesContains(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}
