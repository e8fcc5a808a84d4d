package epcis_test

import (
	"net/url"
	"reflect"
	"strings"
	"testing"

	"github.com/critmin/critmin"
	"github.com/critmin/critmin/epcis"
)

func TestParseQueryPatterns(t *testing.T) {
	t.Parallel()
	cases := []struct{ in, want string }{
		// GS1 key patterns are kept for the store, which matches them over
		// canonical Digital Link forms (epcis.PatternMatch).
		{"urn:epc:idpat:sgtin:0614141.107346.*", "urn:epc:idpat:sgtin:0614141.107346.*"},
		{"urn:epc:idpat:sgtin:0614141.*.*", "urn:epc:idpat:sgtin:0614141.*.*"},
		// Other EPC patterns become a prefix of the EPC URI.
		{"urn:epc:idpat:bic:*", "urn:epc:id:bic:*"},
		{"urn:epc:id:sgtin:0614141.107346.2017", "urn:epc:id:sgtin:0614141.107346.2017"},
		{"urn:critmin:lot:*", "urn:critmin:lot:*"},
	}
	for _, c := range cases {
		f, err := epcis.ParseQuery(url.Values{"MATCH_epc": {c.in}})
		if err != nil {
			t.Fatal(err)
		}
		if got := f.EPCMatches[0].Patterns[0]; got != c.want {
			t.Errorf("%s → %s, want %s", c.in, got, c.want)
		}
	}
}

func TestParseQueryNormalisesVocabulary(t *testing.T) {
	t.Parallel()
	f, err := epcis.ParseQuery(url.Values{"EQ_bizStep": {"urn:epcglobal:cbv:bizstep:shipping|https://ref.gs1.org/cbv/BizStep-receiving|urn:acme:step:weigh"},
		"EQ_source_urn:epcglobal:cbv:sdt:owning_party": {"urn:p:1"}, "orderBy": {"eventTime"}})
	if err != nil {
		t.Fatal(err)
	}
	if want := []string{"shipping", "receiving", "urn:acme:step:weigh"}; !reflect.DeepEqual(f.BizSteps, want) {
		t.Errorf("bizSteps %v, want %v", f.BizSteps, want)
	}
	if !reflect.DeepEqual(f.Sources, map[string][]string{"owning_party": {"urn:p:1"}}) {
		t.Errorf("sources %v", f.Sources)
	}
	// EPCIS 2.0 §8.2.7.1: orderBy without orderDirection sorts descending.
	if f.OrderAscending || f.Limit != epcis.DefaultPerPage {
		t.Errorf("order %v limit %d", f.OrderAscending, f.Limit)
	}
}

func TestParseQueryReportsEveryBadParameter(t *testing.T) {
	t.Parallel()
	_, err := epcis.ParseQuery(url.Values{"perPage": {"5000"}, "EQ_action": {"MOVE"}, "bogus": {"1"}})
	fields := critmin.ErrorFields(err)
	var names []string
	for _, f := range fields {
		names = append(names, f.Pointer)
	}
	if want := []string{"EQ_action", "bogus", "perPage"}; !reflect.DeepEqual(names, want) {
		t.Errorf("fields %v, want %v", names, want)
	}
}

func TestPageTokenRoundTrip(t *testing.T) {
	t.Parallel()
	c := &critmin.PageCursor{Key: "1761325200000000", PK: 27, Remaining: 3}
	got, err := epcis.DecodePageToken(epcis.EncodePageToken(c))
	if err != nil || *got != *c {
		t.Errorf("round trip %+v, %v", got, err)
	}
	if _, err := epcis.DecodePageToken("%%%"); err == nil {
		t.Error("garbage token accepted")
	}
}

// TestSensorValueSuffixMessage: GE_value_Temperature names a sensor type
// where the standard wants a unit code; the error says so and shows the
// right form, instead of "unknown query parameter".
func TestSensorValueSuffixMessage(t *testing.T) {
	for _, name := range []string{"GE_value_Temperature", "LT_maxValue_celsius"} {
		_, err := epcis.ParseQuery(url.Values{name: {"1"}})
		f := critmin.ErrorFields(err)
		if len(f) != 1 || f[0].Pointer != name || !strings.Contains(f[0].Reason, "UN/CEFACT") || !strings.Contains(f[0].Reason, "_CEL") {
			t.Errorf("%s: %v", name, err)
		}
	}
	if _, err := epcis.ParseQuery(url.Values{"GE_value_CEL": {"1"}}); err != nil {
		t.Errorf("GE_value_CEL: %v", err)
	}
}

// TestOrderByExtensionField: orderBy on an extension field is parsed
// into a sort key on the field's IRI (the order itself is tested against
// both stores in storetest, OrderByExtension); a word that is neither
// eventTime, recordTime nor a field name is a 400 naming orderBy.
func TestOrderByExtensionField(t *testing.T) {
	f, err := epcis.ParseQuery(url.Values{"orderBy": {"https://ex.example/grade"}})
	if err != nil || f.OrderKey == nil || f.OrderAscending {
		t.Errorf("orderBy extension field: %+v %v, want a sort key, DESC", f, err)
	}
	_, err = epcis.ParseQuery(url.Values{"orderBy": {"grade"}})
	if fe := critmin.ErrorFields(err); len(fe) != 1 || fe[0].Pointer != "orderBy" {
		t.Errorf("orderBy=grade: %v", err)
	}
}

// TestBareExtensionFieldNeedsCURIE: an extension or ILMD parameter whose
// field has no namespace is refused with a message saying to name it as
// a CURIE or IRI, not as an unknown parameter.
func TestBareExtensionFieldNeedsCURIE(t *testing.T) {
	for _, q := range []string{"EQ_INNER_ILMD_grade=1", "EQ_ILMD_grade=1", "GT_INNER_grade=1", "EXISTS_INNER_ILMD_grade", "EQ_SENSORREPORT_probe=x"} {
		v, _ := url.ParseQuery(q)
		_, err := epcis.ParseQuery(v)
		f := critmin.ErrorFields(err)
		name, _, _ := strings.Cut(q, "=")
		if len(f) != 1 || f[0].Pointer != name || !strings.Contains(f[0].Reason, "has no namespace") || !strings.Contains(f[0].Reason, "CURIE") {
			t.Errorf("%s: %v, want a field error asking for a CURIE", q, err)
		}
	}
	// A bare name with no family prefix stays an unknown parameter.
	_, err := epcis.ParseQuery(url.Values{"EQ_grade": {"1"}})
	if f := critmin.ErrorFields(err); len(f) != 1 || f[0].Reason != "unknown query parameter" {
		t.Errorf("EQ_grade: %v", f)
	}
}
