package custody

import (
	"context"
	"sort"
	"time"

	"github.com/critmin/critmin"
)

// Supersession is one reason a certificate no longer stands: an event it
// rests on (traceabilityEvents) has been declared in error (EPCIS 2.0
// §7.4.1.2) since, or is a declaration itself.
type Supersession struct {
	EventID            string    `json:"eventID"`
	DeclarationTime    time.Time `json:"declarationTime"`
	DeclaredAt         time.Time `json:"recordTime"`
	Reason             string    `json:"reason,omitempty"`
	CorrectiveEventIDs []string  `json:"correctiveEventIDs,omitempty"`
}

// CertStatus is what the ledger says today of a certificate: Superseded
// when any event of its evidence is declared in error; the certificate
// for the lot must then be issued again, from the corrected record.
type CertStatus struct {
	Superseded bool           `json:"superseded"`
	Evidence   int            `json:"evidenceEvents"`
	Reasons    []Supersession `json:"supersededBy"`
}

// EventFinder finds an event and its declarations by eventID.
type EventFinder interface {
	FindEventsByID(ctx context.Context, id string) ([]*critmin.Event, error)
}

// Status checks every traceability event of a certificate against the
// declarations stored now. A certificate is computed from live events only,
// so any declaration naming its evidence arrived after it was issued. An
// evidence event the store does not hold is an ENOTFOUND error: the
// certificate does not come from this ledger.
func Status(ctx context.Context, s EventFinder, cert Certificate) (*CertStatus, error) {
	ids := EvidenceIDs(cert)
	st := &CertStatus{Evidence: len(ids), Reasons: []Supersession{}}
	for _, id := range ids {
		evs, err := s.FindEventsByID(ctx, id)
		if err != nil {
			return nil, err
		}
		for _, ev := range evs {
			d := ev.DeclaredInError
			if d == nil {
				d = ev.ErrorDeclaration
			}
			if d == nil {
				continue
			}
			st.Reasons = append(st.Reasons, Supersession{EventID: id, DeclarationTime: d.DeclarationTime, DeclaredAt: d.RecordTime, Reason: d.Reason, CorrectiveEventIDs: d.CorrectiveEventIDs})
			break
		}
	}
	st.Superseded = len(st.Reasons) > 0
	return st, nil
}

// EvidenceIDs lists the eventIDs a certificate's traceabilityEvents name,
// sorted, once each.
func EvidenceIDs(cert Certificate) []string {
	seen := map[string]bool{}
	subj, _ := cert["credentialSubject"].(map[string]any)
	infos, _ := subj["traceabilityInformation"].([]any)
	for _, info := range infos {
		m, _ := info.(map[string]any)
		evs, _ := m["traceabilityEvents"].([]any)
		for _, e := range evs {
			te, _ := e.(map[string]any)
			if id, _ := te["linkName"].(string); id != "" {
				seen[id] = true
			}
		}
	}
	ids := make([]string, 0, len(seen))
	for id := range seen {
		ids = append(ids, id)
	}
	sort.Strings(ids)
	return ids
}
