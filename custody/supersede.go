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
//
// Revoked is set when the issuer has revoked the certificate (its stored
// record); Stands is true only when it is neither revoked nor superseded.
type CertStatus struct {
	Stands     bool           `json:"stands"`
	Revoked    bool           `json:"isRevoked"`
	Superseded bool           `json:"superseded"`
	Evidence   int            `json:"evidenceEvents"`
	Reasons    []Supersession `json:"supersededBy"`
}

// Standing is Status with the revocation of the certificate's stored
// record: both GET /api/v1/certificates/{id}/status and POST
// /api/v1/certificates/status answer with it. A certificate the store does
// not keep (no CertificateStore, or an ID it never issued) is judged on its
// evidence alone.
func Standing(ctx context.Context, s EventFinder, cert Certificate) (*CertStatus, error) {
	st, err := Status(ctx, s, cert)
	if err != nil {
		return nil, err
	}
	if cs, ok := s.(CertificateStore); ok {
		id, _ := cert["id"].(string)
		c, err := cs.FindCertificate(ctx, id)
		switch {
		case err == nil:
			st.Revoked = c.RevokedAt != nil
		case critmin.ErrorCode(err) != critmin.ENOTFOUND:
			return nil, err
		}
	}
	st.Stands = !st.Revoked && !st.Superseded
	return st, nil
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
	st.Stands = !st.Superseded
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
