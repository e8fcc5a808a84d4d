package ledger_test

import (
	"strings"
	"testing"

	"github.com/critmin/critmin"
	"github.com/critmin/critmin/ledger"
)

// TestAssayClosureByElement (issue 9, second new-user check): one event's
// assays are summed as the element mass they report, whatever the form,
// with the stoichiometric factors of units (IUPAC atomic weights:
// Nd2O3 → 2 × 144.242 / (2 × 144.242 + 3 × 15.999) = 0.857356 Nd).
//
//   - Nd2O3 80 % + Pr6O11 40 %: Nd 80 × 0.8574 = 68.59 %, Pr 40 × 0.8277
//     = 33.11 %: 101.70 % > 100.5 % → refused at the assay that crossed.
//   - Nd2O3 99 % + CeO2 99 % + La2O3 99 %: 84.88 + 80.60 + 84.42 = 249.9 %
//     → refused.
//   - TREO 50 % + Nd2O3 80 %: the rare-earth oxides (80 %) exceed their
//     total (50 % + 0.5) → refused; TREO 90 % + Nd2O3 60 % + Pr6O11 20 %:
//     80 % ≤ 90 %, elements 51.44 + 16.55 = 67.99 % → accepted.
//   - Nd 60 % dry and Nd 60 % as received at moisture 0.3 (60 / 0.7 =
//     85.71 % dry) in one event: two grades for one analyte → refused;
//     the same dry grade twice is no conflict → accepted.
//   - Nd 60 % and Nd2O3 70 % (Nd 60.02 %) report one element: the higher
//     counts once, 60.02 % → accepted.
//   - analyte "ND" (N and D: D is no IUPAC symbol) → refused, naming Nd.
func TestAssayClosureByElement(t *testing.T) {
	t.Parallel()
	ns := ledger.Namespace
	as := func(el, v, basis string) map[string]any {
		return map[string]any{ns + "analyte": el, ns + "value": num(v), ns + "unit": "%", ns + "basis": basis}
	}
	for _, tc := range []struct {
		name   string
		ilmd   map[string]any
		field  string // "" when accepted
		reason string
	}{
		{name: "oxides 101.7 %", ilmd: map[string]any{ns + "assay": []any{as("Nd2O3", "80", "dry"), as("Pr6O11", "40", "dry")}},
			field: "/ilmd/cm:assay/1", reason: "add up to 101.7 % (Nd 68.59 % as Nd2O3 × 0.8574, Pr 33.11 % as Pr6O11 × 0.8277"},
		{name: "three oxides at 99 %", ilmd: map[string]any{ns + "assay": []any{as("Nd2O3", "99", "dry"), as("CeO2", "99", "dry"), as("La2O3", "99", "dry")}},
			field: "/ilmd/cm:assay/2", reason: "add up to 249.9 %"},
		{name: "oxide over TREO", ilmd: map[string]any{ns + "assay": []any{as("TREO", "50", "dry"), as("Nd2O3", "80", "dry")}},
			field: "/ilmd/cm:assay/1", reason: "the rare-earth oxides add up to 80 % (Nd2O3 80 %), over the TREO assay of 50 %"},
		{name: "oxides within TREO", ilmd: map[string]any{ns + "assay": []any{as("TREO", "90", "dry"), as("Nd2O3", "60", "dry"), as("Pr6O11", "20", "dry")}}},
		{name: "conflicting bases", ilmd: map[string]any{ns + "moisture": num("0.3"), ns + "assay": []any{as("Nd", "60", "dry"), as("Nd", "60", "as_received")}},
			field: "/ilmd/cm:assay/1", reason: "Nd is assayed twice in this event with different dry grades: 60 % (60 % dry) and 85.71 % (60 % as received at 0.3 moisture"},
		{name: "same grade twice", ilmd: map[string]any{ns + "assay": []any{as("Nd", "60", "dry"), as("Nd", "60", "dry")}}},
		{name: "element and its oxide", ilmd: map[string]any{ns + "assay": []any{as("Nd", "60", "dry"), as("Nd2O3", "70", "dry"), as("Pr", "39", "dry")}}},
		{name: "ND", ilmd: map[string]any{ns + "assay": []any{as("ND", "4", "dry")}},
			field: "/ilmd/cm:assay/0/cm:analyte", reason: `"D" is not an IUPAC element symbol in exact case (did you mean Nd?`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, errs := ledger.DecodeMineral(&critmin.Event{EventID: "urn:e:1", ILMDTree: tc.ilmd}, "/epcisBody/eventList/0")
			if tc.field == "" {
				if len(errs) > 0 {
					t.Fatalf("refused: %+v", errs)
				}
				return
			}
			if len(errs) != 1 || errs[0].Pointer != "/epcisBody/eventList/0"+tc.field || !strings.Contains(errs[0].Reason, tc.reason) {
				t.Errorf("errors %+v; want one at %s saying %q", errs, tc.field, tc.reason)
			}
		})
	}
}

// TestClosureOverLotAssays: Closure judges a lot's set of assays — a lot
// assayed Nd2O3 80 % at commissioning, then Pr6O11 40 % by a later sensor
// report: 68.59 + 33.11 = 101.70 % → refused, naming the later assay; the
// lot's moisture converts an as-received assay without its own (Nd 49 %
// as received at 0.3: 70 % dry; with Pr 31 % dry, 101 % → refused).
func TestClosureOverLotAssays(t *testing.T) {
	t.Parallel()
	lot := &critmin.Lot{Assays: []critmin.Assay{
		{Analyte: "Nd2O3", Value: 80, Unit: "%", Basis: "dry"},
		{Analyte: "Pr6O11", Value: 40, Unit: "%", Basis: "dry"},
	}}
	reason, i := ledger.Closure(ledger.EffectiveAssays(lot), nil)
	if i != 1 || !strings.Contains(reason, "add up to 101.7 %") {
		t.Errorf("Closure = %q at %d; want 101.7 %% at 1", reason, i)
	}
	m := 0.3
	wet := []critmin.Assay{{Analyte: "Nd", Value: 49, Unit: "%", Basis: "as_received"}, {Analyte: "Pr", Value: 31, Unit: "%", Basis: "dry"}}
	if reason, _ := ledger.Closure(wet, &m); !strings.Contains(reason, "add up to 101 %") {
		t.Errorf("Closure with lot moisture = %q; want 101 %%", reason)
	}
	// EffectiveAssays: the dry assay of an analyte wins over an
	// as-received one (as Contained reads them).
	both := &critmin.Lot{Assays: []critmin.Assay{{Analyte: "Nd", Value: 90, Unit: "%", Basis: "as_received"}, {Analyte: "Nd", Value: 20, Unit: "%", Basis: "dry"}}}
	if got := ledger.EffectiveAssays(both); len(got) != 1 || got[0].Value != 20 {
		t.Errorf("EffectiveAssays = %+v; want the dry 20 %%", got)
	}
}

// TestOriginClaimObjectRefused: an empty claim list, a claim with an
// unknown term, a share as a JSON string and a share below one part per
// million are refused, naming the field; nothing is read as a claim.
func TestOriginClaimObjectRefused(t *testing.T) {
	t.Parallel()
	ns := ledger.Namespace
	for _, tc := range []struct {
		name   string
		claim  any
		field  string
		reason string
	}{
		{"empty list", []any{}, "/ilmd/cm:originClaim", "missing (required)"},
		{"unknown term", []any{map[string]any{ns + "country": "PAK", ns + "share": num("1"), ns + "basis": "dry"}}, "/ilmd/cm:originClaim/0", "unknown term cm:basis"},
		{"string share", []any{map[string]any{ns + "country": "PAK", ns + "share": "0.5"}}, "/ilmd/cm:originClaim/0/cm:share", "must be a number, not a JSON string"},
		{"share 1e-7", []any{map[string]any{ns + "country": "PAK", ns + "share": num("1e-7")}}, "/ilmd/cm:originClaim/0/cm:share", "below the smallest share a claim may state, 0.000001"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, errs := ledger.DecodeMineral(&critmin.Event{EventID: "urn:e:1", ILMDTree: map[string]any{ns + "originClaim": tc.claim}}, "")
			if len(errs) != 1 || errs[0].Pointer != tc.field || !strings.Contains(errs[0].Reason, tc.reason) {
				t.Errorf("errors %+v; want one at %s saying %q", errs, tc.field, tc.reason)
			}
		})
	}
	// One part per million is accepted.
	_, errs := ledger.DecodeMineral(&critmin.Event{EventID: "urn:e:1", ILMDTree: map[string]any{ns + "originClaim": []any{map[string]any{ns + "country": "PAK", ns + "share": num("1e-6")}}}}, "")
	if len(errs) > 0 {
		t.Errorf("share 1e-6 refused: %+v", errs)
	}
}
