package commercial_test

import (
	"context"
	"strings"
	"testing"

	"github.com/critmin/critmin"
	"github.com/critmin/critmin/commercial"
	"github.com/shopspring/decimal"
)

// Issue 13, new-user check (fix13p, 4): a forecast feed (grades, no lot)
// was named by its internal label: the NSR step at grade ×1.1 read
// "grade ×1.1: lot/assays/Au: lot feed: the Au assay 1045 g/t …" — a
// JSON pointer and "lot feed". Au 950 g/t × 1.1 = 1045 g/t is above the
// plausible 1 000 g/t, so the step has no figure; its note names "the
// feed" and the assay in words, never "lot feed" nor the pointer. A
// missing assay of the feed reads the same way.
func TestFeedMessagesNameTheFeed(t *testing.T) {
	ts := MustTerms(t, mustFile(t, "testdata/cu-conc.json"))
	g := func(v, u string) commercial.Grade { return commercial.Grade{Value: d(v), Unit: u} }
	grades := map[string]commercial.Grade{"Cu": g("23.75", "%"), "Au": g("950", "g/t"), "Ag": g("49", "g/t"), "As": g("0.34", "%")}
	spot := map[string]decimal.Decimal{"CU": d("9800"), "AU": d("2000"), "AG": d("25")}
	cmp := commercial.CompareNSR([]*commercial.TermSheet{ts}, grades, spot, []decimal.Decimal{d("0.9"), d("1"), d("1.1")})
	c := cmp.Cases[0]
	var texts []string
	texts = append(texts, c.Error)
	texts = append(texts, c.GradeNotes...)
	joined := strings.Join(texts, " | ")
	if !strings.Contains(joined, "the feed") || !strings.Contains(joined, "1045 g/t") {
		t.Errorf("grade ×1.1 notes %q; want the feed's Au of 1045 g/t named", joined)
	}
	for _, raw := range []string{"lot feed", "lot/assays/"} {
		if strings.Contains(joined, raw) {
			t.Errorf("NSR notes %q carry the raw label %q", joined, raw)
		}
	}
	delete(grades, "As")
	delete(grades, "Cu")
	_, _, err := commercial.NetValuePerTonne(ts, grades, spot)
	if err == nil || strings.Contains(critmin.ErrorMessage(err), "lot feed") || !strings.Contains(critmin.ErrorMessage(err), "the feed") {
		t.Errorf("feed without Cu: %v; want the feed named, not \"lot feed\"", err)
	}
}

// Issue 13, new-user check (fix13p, 4): a price with both a series and a
// fixed value, or with neither, was refused with "give exactly one of
// series and fixed" — the field names, not what they mean. The refusal
// says which case it is, what each field is (a stored market series, or
// the fixed-price contract's agreed price in the unit) and what to give.
func TestFixedPriceMessageSaysWhatToGive(t *testing.T) {
	body := mustFile(t, "testdata/cu-conc.json")
	cases := []struct{ name, price, want string }{
		{"both", `"price": {"series": "CU", "fixed": 9800, "unit": "USD/t"}`, "both a market price series (series CU) and a fixed price (fixed 9800 USD/t)"},
		{"neither", `"price": {"unit": "USD/t"}`, "no price"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			b := strings.Replace(body, `"price": {"series": "CU", "unit": "USD/t"}`, c.price, 1)
			_, err := commercial.ParseTermSheet([]byte(b))
			msg := critmin.ErrorMessage(err)
			if !hasField(err, "/payables/0/price") || !strings.Contains(msg, c.want) || strings.Contains(msg, "exactly one of series and fixed") {
				t.Errorf("%s: %v; want /payables/0/price saying %q", c.name, err, c.want)
			}
			for _, w := range []string{"series (the id of a stored price series)", "fixed (the agreed price in USD/t", "fixed-price contract"} {
				if !strings.Contains(msg, w) {
					t.Errorf("%s: %q does not explain %q", c.name, msg, w)
				}
			}
		})
	}
}

// Issue 13, new-user check (fix13p, 4): a QP declaration on a fixed-price
// contract went on to check months and parties, as if the price had a
// quotational period; it is refused naming the fixed price. Lists in
// messages are words ("Cu and Au"), not Go slices ("[Cu Au]").
func TestDeclarationMessagesFixedPriceAndLists(t *testing.T) {
	s := MustDemo(t)
	ctx := context.Background()
	lot := "urn:critmin:test:lot:NOTE-D"
	noteLot(t, s, lot)
	err := s.Declare(ctx, &critmin.QPDeclaration{Contract: "T-NOTE", Lot: lot, Element: "Cu", Month: 1, Party: "buyer"})
	if !hasField(err, "/element") || !strings.Contains(critmin.ErrorMessage(err), "fixed price of 10000 USD/t") || !strings.Contains(critmin.ErrorMessage(err), "no quotational period to declare") {
		t.Errorf("declaration on a fixed price: %v; want element refused naming the fixed price", err)
	}
	err = s.Declare(ctx, &critmin.QPDeclaration{Contract: "FWO-USSM-CU-2025", Lot: commercial.DemoCopperLot, Element: "Zn", Month: 1, Party: "buyer"})
	if msg := critmin.ErrorMessage(err); !strings.Contains(msg, "pays for Cu and Au, not \"Zn\"") || strings.Contains(msg, "[") {
		t.Errorf("declaration of an unpaid element: %q; want the elements in words", msg)
	}
	err = s.Declare(ctx, &critmin.QPDeclaration{Contract: "FWO-USSM-CU-2025", Lot: commercial.DemoCopperLot, Element: "Cu", Month: 5, Party: "buyer"})
	if msg := critmin.ErrorMessage(err); !strings.Contains(msg, "+0, +1 or +2") || strings.Contains(msg, "[") {
		t.Errorf("declaration of a month not offered: %q; want the options in words", msg)
	}
}
