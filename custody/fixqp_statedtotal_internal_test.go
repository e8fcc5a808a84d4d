package custody

import (
	"strings"
	"testing"
)

// TestFigureChangesQuoteStatedTotal (nuq7 5, issue 8 §4): a superseded
// certificate's figureChanges say "… of T t" with T the total the
// certificate states for that element (cm:originComposition elements.Nd
// .tonnes), not the sum of its provenance lines, which can print a unit
// of the last decimal apart. The certificate states Nd 0.6858849 t,
// printed 0.685885 t; its lines are Pakistan 0.4286776 t + China
// 0.1714712 t + unknown 0.0857356 t = 0.6858844 t, which would print
// 0.685884 t. Today Pakistan holds 0.3 t of 0.3 t (100 %). So the change
// reads "Pakistan was 0.428678 t (62.5 %) of 0.685885 t, is now 0.3 t
// (100.0 %) of 0.3 t" — never "of 0.685884 t".
func TestFigureChangesQuoteStatedTotal(t *testing.T) {
	name := "Nd" + elementLine
	line := func(code, country string, share, tonnes float64) any {
		return map[string]any{"name": name, "originCountry": code, "countryName": country, "massFraction": share,
			"mass": map[string]any{"value": tonnes, "unit": "TNE"}, "cm:originBasis": ReadsPhysical}
	}
	cert := func(total float64, lines ...any) map[string]any {
		return map[string]any{"credentialSubject": map[string]any{
			"materialsProvenance":  lines,
			"cm:originComposition": map[string]any{"elements": map[string]any{"Nd": map[string]any{"tonnes": total}}},
		}}
	}
	was := cert(0.6858849, line("PAK", "Pakistan", 0.625, 0.4286776), line("CHN", "China", 0.25, 0.1714712), line("", "unknown", 0.125, 0.0857356))
	now := cert(0.3, line("PAK", "Pakistan", 1, 0.3))
	got := strings.Join(figureChanges(was, now), "\n")
	want := "Nd" + elementLine + ": Pakistan was 0.428678 t (" + Percent(0.625) + ") of 0.685885 t, is now 0.3 t (" + Percent(1) + ") of 0.3 t"
	if !strings.Contains(got, want) {
		t.Errorf("figureChanges:\n%s\nwant a line %q", got, want)
	}
	if strings.Contains(got, "0.685884") {
		t.Errorf("figureChanges quote the sum of the lines (0.685884 t), not the stated total 0.685885 t:\n%s", got)
	}
}
