package http

import (
	"reflect"
	"sort"
	"strings"
	"testing"

	"github.com/critmin/critmin"
	"github.com/critmin/critmin/commercial"
	"github.com/critmin/critmin/risk"
	"github.com/critmin/critmin/scenario"
)

// TestRequestDefaultsAudited keeps the audit of explicit zeros in /api/v1
// bodies current: for every named request type decoded by decodeJSON
// (and the types nested in it), each JSON field either carries a default
// tag (an explicit 0, "" or false is refused by explicitDefaults) or is
// listed here with why its zero needs none — it is required and its zero
// refused by the validator, or the zero means what it says (nothing is
// put in its place). A field added without either fails, so that a new
// "left out means X" field cannot turn a client's explicit 0 into X.
// (The anonymous bodies of the trade declarations, invoices, payments,
// certificate revocation and refinery reopen handlers are audited in
// place: declared_at, id and direction carry tags; the rest are required.)
func TestRequestDefaultsAudited(t *testing.T) {
	noDefault := map[reflect.Type]string{
		reflect.TypeOf(TokenRequest{}):                   "name role",
		reflect.TypeOf(PlanRequest{}):                    "scenarios elastic gap time_limit_seconds",
		reflect.TypeOf(risk.CorridorInput{}):             "commodity base_year tonnes_per_year us_imports_per_year stockpile_target",
		reflect.TypeOf(risk.StockpileInput{}):            "commodity start_year years demand domestic_output recycling_share substitution_share import_loss disrupted_years draws seed",
		reflect.TypeOf(risk.EndUse{}):                    "name tonnes growth",
		reflect.TypeOf(risk.Param{}):                     "value low high source",
		reflect.TypeOf(scenario.Scenario{}):              "id title description sources commodities measures",
		reflect.TypeOf(scenario.Source{}):                "title url ref",
		reflect.TypeOf(scenario.Measure{}):               "kind country commodities destination share exported_share elements tonnes_per_year from to basis target delay_periods price_factor price_per_t contract",
		reflect.TypeOf(critmin.MassBalanceDeclaration{}): "categories periods carryForward",
		reflect.TypeOf(critmin.MaterialCategory{}):       "id inputs product elements conversionFactor",
		reflect.TypeOf(critmin.ClaimPeriod{}):            "id from to",
		reflect.TypeOf(commercial.ExchangeSubmission{}):  "lot party lab sublot sublot_dmt at location results",
		reflect.TypeOf(commercial.ExchangeResult{}):      "analyte value unit",
	}
	for typ, listed := range noDefault {
		want := strings.Fields(listed)
		sort.Strings(want)
		var got []string
		for i := 0; i < typ.NumField(); i++ {
			f := typ.Field(i)
			name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
			if !f.IsExported() || name == "-" {
				continue
			}
			if _, tagged := f.Tag.Lookup("default"); tagged {
				continue
			}
			got = append(got, name)
		}
		sort.Strings(got)
		if strings.Join(got, " ") != strings.Join(want, " ") {
			t.Errorf("%v: untagged fields %v, audited %v: tag a field whose absence means a default (`default:\"…\"`), or list it here with why its zero needs none", typ, got, want)
		}
	}
}
