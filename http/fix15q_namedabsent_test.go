package http_test

import (
	"encoding/json"
	"strings"
	"testing"
)

// nubEvent is an ObjectEvent of lot NU-B1 (issue 15, fix15q): kg of the
// lot at site under bill of lading bol, to location to (shipping) or for
// new owner owner (receiving); from names a source owning_party.
func nubEvent(id, step, when, site, to, bol, kg, from, owner string) string {
	disp := `"in_progress"`
	if step == "shipping" {
		disp = `"in_transit"`
	}
	var src, dst []string
	if from != "" {
		src = append(src, `{"type": "owning_party", "source": "urn:t:party:`+from+`"}`)
	}
	if to != "" {
		dst = append(dst, `{"type": "location", "destination": "urn:t:site:`+to+`"}`)
	}
	if owner != "" {
		dst = append(dst, `{"type": "owning_party", "destination": "urn:t:party:`+owner+`"}`)
	}
	return `{"type": "ObjectEvent", "eventID": "urn:t:nub:` + id + `", "eventTime": "` + when + `", "eventTimeZoneOffset": "+00:00", "action": "OBSERVE", "bizStep": "` + step + `", "disposition": ` + disp + `,
	 "bizLocation": {"id": "urn:t:site:` + site + `"}, "quantityList": [{"epcClass": "urn:t:lot:NU-B1", "quantity": ` + kg + `, "uom": "KGM"}],
	 "bizTransactionList": [{"type": "bol", "bizTransaction": "urn:t:bol:` + bol + `"}], "sourceList": [` + strings.Join(src, ",") + `], "destinationList": [` + strings.Join(dst, ",") + `]}`
}

// nubDoc is lot NU-B1 up to the smelter's receipt at Karachi: 30,000 kg
// at Loe Shilman for the miner (8 % moisture); 12 t under NUB-1 received
// at Karachi for USSM; 5 t under NUB-2 received there for the smelter.
func nubDoc() []byte {
	return onwardDoc(`{"type": "ObjectEvent", "eventID": "urn:t:nub:c", "eventTime": "2025-11-01T00:00:00Z", "eventTimeZoneOffset": "+00:00", "action": "ADD", "bizStep": "commissioning",
	 "bizLocation": {"id": "urn:t:site:loe-shilman"}, "quantityList": [{"epcClass": "urn:t:lot:NU-B1", "quantity": 30000, "uom": "KGM"}],
	 "destinationList": [{"type": "owning_party", "destination": "urn:t:party:miner"}],
	 "ilmd": {"cm:commodity": "antimony_ore", "cm:originCountry": "PAK", "cm:moisture": 0.08, "cm:assay": [{"cm:analyte": "Sb", "cm:value": 20, "cm:unit": "%", "cm:basis": "dry"}]}}`,
		nubEvent("s1", "shipping", "2025-11-02T00:00:00Z", "loe-shilman", "karachi", "NUB-1", "12000", "", ""),
		nubEvent("r1", "receiving", "2025-11-04T00:00:00Z", "karachi", "", "NUB-1", "12000", "", "ussm"),
		nubEvent("s2", "shipping", "2025-11-05T00:00:00Z", "loe-shilman", "karachi", "NUB-2", "5000", "", ""),
		nubEvent("r2", "receiving", "2025-11-07T00:00:00Z", "karachi", "", "NUB-2", "5000", "", "smelter"))
}

// TestShipmentNamingAnOwnerWithNothingThereIs409 (issue 15, fix15q): at
// Karachi USSM holds 12 t of NU-B1 and the smelter 5 t. A shipment of
// 2,000 kg from Karachi naming the miner — who holds nothing there — as
// its source owning_party would ship nobody's holding, or the others':
// POST /epcis/capture answers 409 naming the miner, that it held nothing
// there, and the owners who do (USSM, the smelter); nothing is stored.
// It was accepted and shipped USSM's part (HoldingOf's fallback).
func TestShipmentNamingAnOwnerWithNothingThereIs409(t *testing.T) {
	srv := MustServe(t, false, nil)
	if resp, b := do(t, "POST", srv.URL+"/epcis/capture", operatorSecret, nubDoc(), nil); resp.StatusCode >= 300 {
		t.Fatalf("capture: %d %s", resp.StatusCode, b)
	}
	before := eventCount(t, srv.Store)
	resp, b := do(t, "POST", srv.URL+"/epcis/capture", operatorSecret, onwardDoc(nubEvent("s9", "shipping", "2025-11-08T00:00:00Z", "karachi", "houston", "NUB-9", "2000", "miner", "")), nil)
	p := mustProblem(t, resp, b, 409)
	if len(p.Errors) == 0 || !strings.Contains(p.Errors[0].Reason, "names urn:t:party:miner as its source party at urn:t:site:karachi, but urn:t:party:miner held nothing of the lot there then") ||
		!strings.Contains(p.Errors[0].Reason, "owners with holdings there: urn:t:party:ussm, urn:t:party:smelter") {
		t.Errorf("the refusal: %s; want the miner named, nothing held, USSM and the smelter listed", b)
	}
	if after := eventCount(t, srv.Store); after != before {
		t.Errorf("%d events stored by the refused shipment", after-before)
	}
}

// TestReceiptOfADeclaredShipmentInTheAPI (issue 15, fix15q): NU-B1's
// NUB-1 shipment (12 t to Karachi) is declared in error; alone it is
// refused 409 naming its receipt r1 at Karachi (12,000 kg, for USSM),
// which would receive nothing (issue 8 §2, nu32), so the receipt is
// declared with it. GET /api/v1/lots/{id}:
// 30 t at Loe Shilman, the miner's (it read a 12 t lot at Karachi,
// USSM's: the receipt moved the body there and set its mass); 30 − 5 =
// 25 t remaining; standing 25 (Loe Shilman) + 5 (the smelter's at
// Karachi) = 30; nothing in transit. A shipment of 3 t from Loe Shilman
// is then accepted (custody's whereabouts read the receipt as receiving
// nothing, as the ledger does).
func TestReceiptOfADeclaredShipmentInTheAPI(t *testing.T) {
	srv := MustServe(t, false, nil)
	if resp, b := do(t, "POST", srv.URL+"/epcis/capture", operatorSecret, nubDoc(), nil); resp.StatusCode >= 300 {
		t.Fatalf("capture: %d %s", resp.StatusCode, b)
	}
	decl := strings.Replace(nubEvent("s1", "shipping", "2025-11-02T00:00:00Z", "loe-shilman", "karachi", "NUB-1", "12000", "", ""),
		`"action": "OBSERVE"`, `"action": "OBSERVE", "errorDeclaration": {"declarationTime": "2025-11-22T00:00:00Z", "reason": "did_not_occur"}`, 1)
	// Alone it is refused: the receipt r1 would receive under NUB-1
	// what no shipment then carried, which a fresh capture refuses
	// (issue 8 §2, nu32 t11d); nothing is stored.
	before := eventCount(t, srv.Store)
	resp, b := do(t, "POST", srv.URL+"/epcis/capture", operatorSecret, onwardDoc(decl), nil)
	p := mustProblem(t, resp, b, 409)
	if !strings.Contains(p.Detail, "the receipt urn:t:nub:r1 of lot urn:t:lot:NU-B1") || !strings.Contains(p.Detail, "was not shipped on bill of lading urn:t:bol:NUB-1") {
		t.Errorf("declaring NUB-1 alone: %s; want 409 naming the receipt r1 and why", b)
	}
	if after := eventCount(t, srv.Store); after != before {
		t.Errorf("%d events stored by the refused declaration", after-before)
	}
	// Declared with its receipt, it is taken.
	declR := strings.Replace(nubEvent("r1", "receiving", "2025-11-04T00:00:00Z", "karachi", "", "NUB-1", "12000", "", "ussm"),
		`"action": "OBSERVE"`, `"action": "OBSERVE", "errorDeclaration": {"declarationTime": "2025-11-22T00:00:00Z", "reason": "did_not_occur"}`, 1)
	if resp, b := do(t, "POST", srv.URL+"/epcis/capture", operatorSecret, onwardDoc(decl, declR), nil); resp.StatusCode >= 300 {
		t.Fatalf("declaring NUB-1 and its receipt in error: %d %s", resp.StatusCode, b)
	}
	resp, b = do(t, "GET", srv.URL+"/api/v1/lots/urn:t:lot:NU-B1", operatorSecret, nil, nil)
	if resp.StatusCode != 200 {
		t.Fatalf("lot: %d %s", resp.StatusCode, b)
	}
	var v struct {
		WetTonnes          float64 `json:"wetTonnes"`
		LastLocation       string  `json:"lastLocation"`
		Owner              string  `json:"owner"`
		RemainingWetTonnes float64 `json:"remainingWetTonnes"`
		InTransitTonnes    float64 `json:"inTransitTonnes"`
		StandsAt           []struct {
			WetTonnes float64 `json:"wetTonnes"`
		} `json:"standsAt"`
	}
	if err := json.Unmarshal(b, &v); err != nil {
		t.Fatal(err)
	}
	if v.WetTonnes != 30 || v.LastLocation != "urn:t:site:loe-shilman" || v.Owner != "urn:t:party:miner" || v.RemainingWetTonnes != 25 || v.InTransitTonnes != 0 ||
		len(v.StandsAt) != 2 || v.StandsAt[0].WetTonnes != 25 || v.StandsAt[1].WetTonnes != 5 {
		t.Errorf("lot NU-B1 after NUB-1 was declared: %s; want 30 t at Loe Shilman (the miner's), 25 t remaining, 25 + 5 standing, nothing in transit", b)
	}
	// The capture checks read it so too: 3 t shipped from Loe Shilman,
	// where 25 t stand, are accepted (the receipt had put the lot at
	// Karachi, and the shipment was refused as "lot … is at Karachi").
	if resp, b := do(t, "POST", srv.URL+"/epcis/capture", operatorSecret, onwardDoc(nubEvent("s7", "shipping", "2025-11-23T00:00:00Z", "loe-shilman", "karachi", "NUB-7", "3000", "", "")), nil); resp.StatusCode >= 300 {
		t.Errorf("3 t shipped from Loe Shilman after NUB-1 was declared: %d %s", resp.StatusCode, b)
	}
}
