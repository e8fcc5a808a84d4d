package http_test

import (
	"bytes"
	"encoding/json"
	"net/url"
	"os"
	"strings"
	"testing"

	"github.com/critmin/critmin/commercial"
	"github.com/shopspring/decimal"
	"github.com/xuri/excelize/v2"
)

// Issue 13, new-user check (fix13p, 1): the antimony lot's final invoice
// rests on its October QP; an assessment of 31 Oct imported afterwards as
// a correction changes the current final value. POST /api/v1/trade/notes
// issues the note for the difference (400 without a reason; 409 for a
// second note with nothing more to correct); the final invoice stays as
// issued; the settlement lists the note and its headline is the invoice
// plus the note: lot value before + note = current value.
func TestTradeAPINoteAfterPriceCorrection(t *testing.T) {
	ts := MustTradeDemo(t)
	csv, err := os.ReadFile("../commercial/testdata/late-sb.csv")
	if err != nil {
		t.Fatal(err)
	}
	if resp, b := do(t, "POST", ts.URL+"/api/v1/trade/prices?correction=true", operatorSecret, csv, map[string]string{"Content-Type": "text/csv"}); resp.StatusCode/100 != 2 {
		t.Fatalf("correction: %d %s", resp.StatusCode, b)
	}
	settle := ts.URL + "/api/v1/trade/settlement?contract=FWO-USSM-SB-2025&lot=" + url.QueryEscape(commercial.DemoAntimonyLot)
	var before struct {
		LotValue       decimal.Decimal `json:"lot_value"`
		FinalBalance   decimal.Decimal `json:"final_balance"`
		CurrentDiffers *struct {
			LotValue decimal.Decimal `json:"lot_value"`
		} `json:"current_differs"`
		Invoices []struct {
			ID    string          `json:"id"`
			Kind  string          `json:"kind"`
			Total decimal.Decimal `json:"total"`
		} `json:"invoices"`
	}
	resp, b := do(t, "GET", settle, viewerSecret, nil, nil)
	if resp.StatusCode != 200 || json.Unmarshal(b, &before) != nil || before.CurrentDiffers == nil {
		t.Fatalf("settlement: %d %.300s", resp.StatusCode, b)
	}
	body := func(reason string) []byte {
		b, _ := json.Marshal(map[string]string{"contract": "FWO-USSM-SB-2025", "lot": commercial.DemoAntimonyLot, "reason": reason})
		return b
	}
	jsonH := map[string]string{"Content-Type": "application/json"}
	if resp, b := do(t, "POST", ts.URL+"/api/v1/trade/notes", operatorSecret, body(""), jsonH); resp.StatusCode != 400 || !strings.Contains(string(b), `"reason"`) {
		t.Errorf("note without a reason: %d %s; want 400 naming reason", resp.StatusCode, b)
	}
	resp, b = do(t, "POST", ts.URL+"/api/v1/trade/notes", operatorSecret, body("assessment of 31 Oct 2025 published late"), jsonH)
	var n commercial.Note
	if resp.StatusCode != 201 || json.Unmarshal(b, &n) != nil {
		t.Fatalf("note: %d %s", resp.StatusCode, b)
	}
	if !n.Before.Equal(before.LotValue) || !n.After.Equal(before.CurrentDiffers.LotValue) || !n.Before.Add(n.Total).Equal(n.After) || len(n.PriceDays) == 0 || !strings.Contains(n.PriceDays[0], "DEMO-AGENCY-SB 2025-10-31") {
		t.Errorf("note %+v; want %s + total = %s, naming the corrected day", n, before.LotValue, before.CurrentDiffers.LotValue)
	}
	resp, b = do(t, "GET", ts.URL+"/api/v1/trade/notes?invoice="+url.QueryEscape(n.Invoice), viewerSecret, nil, nil)
	if resp.StatusCode != 200 || !strings.Contains(string(b), n.ID) {
		t.Errorf("notes of %s: %d %.300s", n.Invoice, resp.StatusCode, b)
	}
	var after struct {
		LotValue       decimal.Decimal `json:"lot_value"`
		FinalBalance   decimal.Decimal `json:"final_balance"`
		CurrentDiffers any             `json:"current_differs"`
		Notes          []commercial.Note
	}
	resp, b = do(t, "GET", settle, viewerSecret, nil, nil)
	if resp.StatusCode != 200 || json.Unmarshal(b, &after) != nil {
		t.Fatalf("settlement after the note: %d %.300s", resp.StatusCode, b)
	}
	if !after.LotValue.Equal(n.After) || !after.FinalBalance.Equal(before.FinalBalance.Add(n.Total)) || after.CurrentDiffers != nil || len(after.Notes) != 1 {
		t.Errorf("settlement after the note: value %s, balance %s, differs %v, %d notes; want %s, %s, none, 1", after.LotValue, after.FinalBalance, after.CurrentDiffers, len(after.Notes), n.After, before.FinalBalance.Add(n.Total))
	}
	for _, inv := range before.Invoices {
		if inv.Kind == commercial.Final && inv.ID == n.Invoice {
			resp, b = do(t, "GET", ts.URL+"/api/v1/trade/invoices/"+url.PathEscape(inv.ID), viewerSecret, nil, nil)
			var got struct {
				Total decimal.Decimal `json:"total"`
			}
			if resp.StatusCode != 200 || json.Unmarshal(b, &got) != nil || !got.Total.Equal(inv.Total) {
				t.Errorf("final invoice after the note: %d, total %s; want it as issued, total %s", resp.StatusCode, got.Total, inv.Total)
			}
		}
	}
	if resp, b := do(t, "POST", ts.URL+"/api/v1/trade/notes", operatorSecret, body("again"), jsonH); resp.StatusCode != 409 {
		t.Errorf("second note: %d %s; want 409 nothing to correct", resp.StatusCode, b)
	}
}

// The final invoice's workbook lists its notes below its total and what
// invoice and notes come to; its JSON carries them (served, not stored).
func TestTradeAPIInvoiceCarriesNotes(t *testing.T) {
	ts := MustTradeDemo(t)
	csv, err := os.ReadFile("../commercial/testdata/late-sb.csv")
	if err != nil {
		t.Fatal(err)
	}
	if resp, b := do(t, "POST", ts.URL+"/api/v1/trade/prices?correction=true", operatorSecret, csv, map[string]string{"Content-Type": "text/csv"}); resp.StatusCode/100 != 2 {
		t.Fatalf("correction: %d %s", resp.StatusCode, b)
	}
	in, _ := json.Marshal(map[string]string{"contract": "FWO-USSM-SB-2025", "lot": commercial.DemoAntimonyLot, "reason": "late assessment"})
	resp, b := do(t, "POST", ts.URL+"/api/v1/trade/notes", operatorSecret, in, map[string]string{"Content-Type": "application/json"})
	var n commercial.Note
	if resp.StatusCode != 201 || json.Unmarshal(b, &n) != nil {
		t.Fatalf("note: %d %s", resp.StatusCode, b)
	}
	var inv struct {
		Total decimal.Decimal   `json:"total"`
		Notes []commercial.Note `json:"notes"`
	}
	resp, b = do(t, "GET", ts.URL+"/api/v1/trade/invoices/"+url.PathEscape(n.Invoice), viewerSecret, nil, nil)
	if resp.StatusCode != 200 || json.Unmarshal(b, &inv) != nil || len(inv.Notes) != 1 || inv.Notes[0].ID != n.ID {
		t.Fatalf("invoice JSON: %d %.300s; want its note", resp.StatusCode, b)
	}
	resp, b = do(t, "GET", ts.URL+"/api/v1/trade/invoices/"+url.PathEscape(n.Invoice)+"?format=xlsx", viewerSecret, nil, nil)
	if resp.StatusCode != 200 {
		t.Fatalf("xlsx: %d", resp.StatusCode)
	}
	f, err := excelize.OpenReader(bytes.NewReader(b))
	if err != nil {
		t.Fatal(err)
	}
	rows, _ := f.GetRows("Invoice")
	var sawNote, sawSum bool
	for _, r := range rows {
		if len(r) > 0 && strings.Contains(r[0], n.ID) {
			sawNote = true
		}
		if len(r) > 2 && strings.HasPrefix(r[0], "Invoice and notes") {
			got, _ := decimal.NewFromString(strings.ReplaceAll(r[2], ",", ""))
			sawSum = got.Equal(inv.Total.Add(n.Total))
		}
	}
	if !sawNote || !sawSum {
		t.Errorf("workbook: note row %v, invoice-and-notes row = %s + %s: %v", sawNote, inv.Total, n.Total, sawSum)
	}
}
