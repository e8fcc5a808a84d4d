package epcis

import (
	"encoding/json"
	"fmt"
	"time"

	"github.com/critmin/critmin"
)

// NormalizeErrorReason returns the bare CBV form of an error reason (CBV
// 2.0 §7.5: "did_not_occur", "incorrect_data"), or the value unchanged if
// it is not a standard one.
func NormalizeErrorReason(s string) string { b, _ := errReasonVocab.normalize(s); return b }

// StoredDeclaration reads the errorDeclaration of a stored event record
// (its JSON as captured, with recordTime): declarationTime, the reason in
// bare CBV form, the corrective eventIDs and the object as captured. It
// returns nil when the record carries none.
func StoredDeclaration(raw []byte) (*critmin.ErrorDeclaration, error) {
	var rec struct {
		RecordTime       string          `json:"recordTime"`
		ErrorDeclaration json.RawMessage `json:"errorDeclaration"`
	}
	if err := json.Unmarshal(raw, &rec); err != nil {
		return nil, fmt.Errorf("epcis: stored declaration: %w", err)
	}
	if len(rec.ErrorDeclaration) == 0 || string(rec.ErrorDeclaration) == "null" {
		return nil, nil
	}
	var d struct {
		DeclarationTime    string   `json:"declarationTime"`
		Reason             string   `json:"reason"`
		CorrectiveEventIDs []string `json:"correctiveEventIDs"`
	}
	if err := json.Unmarshal(rec.ErrorDeclaration, &d); err != nil {
		return nil, fmt.Errorf("epcis: stored declaration: %w", err)
	}
	ed := &critmin.ErrorDeclaration{Reason: NormalizeErrorReason(d.Reason), CorrectiveEventIDs: d.CorrectiveEventIDs, Raw: rec.ErrorDeclaration}
	ed.DeclarationTime, _ = time.Parse(time.RFC3339Nano, d.DeclarationTime)
	ed.RecordTime, _ = time.Parse(time.RFC3339Nano, rec.RecordTime)
	return ed, nil
}

// DecodeStored decodes a stored event record (its JSON as captured with
// the eventID and recordTime the server set, and the @context it was
// captured with) back into a domain event, as capture decoded it; the
// projections replay stored events with it.
func DecodeStored(raw, context []byte) (*critmin.Event, error) {
	val, err := decodeStoredJSON(raw)
	if err != nil {
		return nil, fmt.Errorf("epcis: stored event: %w", err)
	}
	obj, ok := val.(map[string]any)
	if !ok && val != nil {
		return nil, fmt.Errorf("epcis: stored event: a JSON %T, not an object", val)
	}
	rt, err := time.Parse(time.RFC3339Nano, scalarString(obj["recordTime"]))
	if err != nil {
		return nil, fmt.Errorf("epcis: stored event %v: recordTime: %w", obj["eventID"], err)
	}
	v := &validator{ctx: parseStored(context), stored: true}
	ev := v.decode(obj)
	if len(v.errs) > 0 {
		return nil, fmt.Errorf("epcis: stored event %v: %s: %s", obj["eventID"], v.errs[0].Pointer, v.errs[0].Reason)
	}
	ev.RecordTime = rt
	ev.Raw = raw
	ev.Context = context
	return ev, nil
}
