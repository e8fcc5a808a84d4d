package web_test

import (
	"bytes"
	"context"
	"fmt"
	"mime/multipart"
	"net/http"
	"sort"
	"strings"
	"testing"

	"github.com/critmin/critmin"
	"github.com/critmin/critmin/custody"
)

// formBodies are valid-looking fields for each HTML form route: the
// refusal must come from the unknown field alone, whatever else the form
// would have done with them.
var formBodies = map[string]map[string]string{
	"POST /capture": {"document": `{"type":"EPCISDocument"}`, "behaviour": "rollback"},
	// Declaring an event in error (fix15z): its page's form.
	"POST /events/{id}/declare": {"reason": "incorrect_data", "corrective": "", "step": "preview"},
	"POST /login":               {"token": adminSecret, "next": "/"},
	"POST /logout":              {},
	// Issuing a certificate takes no field (fix14p): any field is unknown.
	"POST /lots/{id}/certificate": {},
	"POST /tokens":                {"name": "new-token", "role": "viewer"},
	"POST /tokens/{name}/revoke":  {},
	"POST /plans":                 {"scenario": "baseline"},
	"POST /refinery/close":        {"site": "urn:epc:id:sgln:0614141.00001.0", "period": "2026-10", "accept": "x"},
	"POST /trade/invoices":        {"contract": "c", "lot": "l", "kind": "final"},
	"POST /trade/notes":           {"contract": "c", "lot": "l", "reason": "r"},
	"POST /trade/payments":        {"invoice": "i", "amount": "1", "paid_on": "2025-12-01", "direction": "payment"},
	"POST /record/{form}":         {"step": "capture", "lot": "LOT-1"},
	"POST /import":                {"source": "s", "kind": critmin.ImportWeighbridge, "csv": "ticket,lot\n1,L\n", "step": "capture"},
}

// formState is what a form could store: events and capture jobs, the log,
// tokens (and whether revoked), import mappings, invoices, period
// records, plan jobs, credit or debit notes, payments and certificates.
func formState(t *testing.T, ts *testServer) string {
	t.Helper()
	ctx := context.Background()
	var b strings.Builder
	n, err := ts.Store.CountEvents(ctx)
	if err != nil {
		t.Fatal(err)
	}
	jobs, err := ts.Store.ListCaptureJobs(ctx, nil, 100)
	if err != nil {
		t.Fatal(err)
	}
	head, err := ts.Store.LogHead(ctx)
	if err != nil {
		t.Fatal(err)
	}
	fmt.Fprintf(&b, "events %d jobs %d log %+v\n", n, len(jobs), head)
	toks, err := ts.Store.ListTokens(ctx)
	if err != nil {
		t.Fatal(err)
	}
	for _, tk := range toks {
		fmt.Fprintf(&b, "token %s %s revoked=%v\n", tk.Name, tk.Role, tk.RevokedAt)
	}
	maps, err := ts.Store.ListImportMappings(ctx)
	if err != nil {
		t.Fatal(err)
	}
	inv, err := ts.Store.ListInvoices(ctx, critmin.InvoiceFilter{})
	if err != nil {
		t.Fatal(err)
	}
	ph, err := ts.Store.LastPeriodHash(ctx)
	if err != nil {
		t.Fatal(err)
	}
	notes, err := ts.Store.ListTradeDocs(ctx, critmin.TradeNotes)
	if err != nil {
		t.Fatal(err)
	}
	cs, ok := ts.Store.(interface {
		StandingCertificates(context.Context) ([]*custody.StoredCertificate, error)
	})
	if !ok {
		t.Fatal("the test store lists no certificates")
	}
	certs, err := cs.StandingCertificates(ctx)
	if err != nil {
		t.Fatal(err)
	}
	pays := 0
	for _, i := range inv {
		ps, err := ts.Store.ListPayments(ctx, i.ID)
		if err != nil {
			t.Fatal(err)
		}
		pays += len(ps)
	}
	fmt.Fprintf(&b, "mappings %d invoices %d notes %d payments %d certificates %d period %s plans %d\n", len(maps), len(inv), len(notes), pays, len(certs), ph, len(ts.PlanJobs()))
	return b.String()
}

// TestEveryFormRefusesUnknownField walks every registered HTML form route
// (a POST outside /api/ and /epcis/) and posts its fields plus one it
// does not have, URL-encoded and as multipart: each answers 400 naming
// the field, and nothing is stored — no event, log entry, token change,
// mapping, invoice, period record, plan job or session. A form added
// without the check, or without an entry in formBodies, fails here.
func TestEveryFormRefusesUnknownField(t *testing.T) {
	ts := MustServe(t, true, nil)
	before := formState(t, ts)
	var routes []string
	for _, p := range ts.Routes() {
		if strings.HasPrefix(p, "POST /") && !strings.HasPrefix(p, "POST /api/") && !strings.HasPrefix(p, "POST /epcis/") {
			routes = append(routes, p)
		}
	}
	sort.Strings(routes)
	if len(routes) < len(formBodies) {
		t.Fatalf("form routes %v: fewer than the %d known", routes, len(formBodies))
	}
	for _, p := range routes {
		fields, ok := formBodies[p]
		if !ok {
			t.Errorf("%s: a form route with no entry in formBodies", p)
			continue
		}
		path := strings.TrimPrefix(p, "POST ")
		path = strings.NewReplacer("{form}", "commission", "{name}", "viewer", "{id}", "urn:critmin:demo:lot:NDPR-2025-001").Replace(path)
		for _, enc := range []string{"urlencoded", "multipart"} {
			var body bytes.Buffer
			var ct string
			if enc == "urlencoded" {
				v := make([]string, 0, len(fields)+1)
				for k, x := range fields {
					v = append(v, k+"="+strings.ReplaceAll(x, "\n", "%0A"))
				}
				v = append(v, "zz_unknown=1")
				body.WriteString(strings.Join(v, "&"))
				ct = "application/x-www-form-urlencoded"
			} else {
				mw := multipart.NewWriter(&body)
				for k, x := range fields {
					_ = mw.WriteField(k, x)
				}
				_ = mw.WriteField("zz_unknown", "1")
				_ = mw.Close()
				ct = mw.FormDataContentType()
			}
			resp, b := do(t, "POST", ts.URL+path, adminSecret, body.Bytes(), map[string]string{"Content-Type": ct})
			if resp.StatusCode != http.StatusBadRequest || !strings.Contains(string(b), "unknown field") || !strings.Contains(string(b), "&#34;zz_unknown&#34;") {
				t.Errorf("%s (%s): %d %.400s", p, enc, resp.StatusCode, b)
			}
			if c := resp.Header.Get("Set-Cookie"); c != "" {
				t.Errorf("%s (%s): a refused form set a cookie %q", p, enc, c)
			}
		}
		// A body that is not a form at all would lose every field.
		resp, b := do(t, "POST", ts.URL+path, adminSecret, []byte(`{"token":"x"}`), map[string]string{"Content-Type": "application/json"})
		if resp.StatusCode != http.StatusBadRequest || !strings.Contains(string(b), "is not a form") {
			t.Errorf("%s (JSON body): %d %.400s", p, resp.StatusCode, b)
		}
	}
	// A field sent twice would lose its second value.
	resp, b := do(t, "POST", ts.URL+"/tokens", adminSecret, []byte("name=a&role=viewer&role=admin"), map[string]string{"Content-Type": "application/x-www-form-urlencoded"})
	if resp.StatusCode != http.StatusBadRequest || !strings.Contains(string(b), "more than once") || !strings.Contains(string(b), "&#34;role&#34;") {
		t.Errorf("repeated field: %d %.400s", resp.StatusCode, b)
	}
	// A step or behaviour outside the form's vocabulary is not taken for
	// the default.
	for _, c := range []struct{ path, body, field string }{
		{"/record/commission", "step=Capture", "step"},
		{"/import", "source=s&kind=" + critmin.ImportWeighbridge + "&csv=a&step=capture&behaviour=yes", "behaviour"},
		{"/import", "source=s&kind=" + critmin.ImportWeighbridge + "&csv=a&step=store", "step"},
		{"/import", "source=s&kind=" + critmin.ImportWeighbridge + "&csv=a&step=preview&col_nosuch=x", "col_nosuch"},
	} {
		resp, b := do(t, "POST", ts.URL+c.path, adminSecret, []byte(c.body), map[string]string{"Content-Type": "application/x-www-form-urlencoded"})
		if resp.StatusCode != http.StatusBadRequest || !strings.Contains(string(b), c.field) {
			t.Errorf("%s %q: %d %.400s", c.path, c.body, resp.StatusCode, b)
		}
	}
	if after := formState(t, ts); after != before {
		t.Errorf("a refused form stored something:\nbefore %s\nafter  %s", before, after)
	}
}
