package custody

import (
	"context"
	"encoding/json"
	"fmt"
	"reflect"
	"sort"
	"strings"
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
	// Detail says what changed in a figure or verdict the certificate
	// states, when the change comes from events other than its own (a
	// retracted credit run turns its claim refused).
	Detail string `json:"detail,omitempty"`
}

// MarshalJSON omits the declaration times of a supersession that no
// declaration of the certificate's own events caused (a claim whose
// verdict changed through another run of the account: Detail says what
// changed), instead of printing the zero time 0001-01-01T00:00:00Z.
func (s Supersession) MarshalJSON() ([]byte, error) {
	type plain Supersession
	out := struct {
		plain
		DeclarationTime *time.Time `json:"declarationTime,omitempty"`
		DeclaredAt      *time.Time `json:"recordTime,omitempty"`
		Message         string     `json:"message"`
	}{plain: plain(s), Message: s.Text()}
	if !s.DeclarationTime.IsZero() {
		out.DeclarationTime = &s.DeclarationTime
	}
	if !s.DeclaredAt.IsZero() {
		out.DeclaredAt = &s.DeclaredAt
	}
	return json.Marshal(out)
}

// Declared says the supersession comes from an error declaration of one
// of the certificate's own evidence events (else Detail says what changed
// through other events).
func (s Supersession) Declared() bool { return !s.DeclarationTime.IsZero() || s.Detail == "" }

// Text is the one wording of a supersession, for the API's "message" and
// the CLI's cert-status alike: a declaration names the event, its reason,
// when it was declared and the corrective events; a changed verdict says
// what changed and the event it rests on.
func (s Supersession) Text() string {
	if !s.Declared() {
		if s.EventID != "" {
			return fmt.Sprintf("changed: %s (event %s)", s.Detail, s.EventID)
		}
		return "changed: " + s.Detail
	}
	reason := s.Reason
	if reason == "" {
		reason = "-"
	}
	out := fmt.Sprintf("declared in error: %s (reason %s, declared %s", s.EventID, reason, s.DeclarationTime.UTC().Format("2006-01-02T15:04:05Z"))
	if len(s.CorrectiveEventIDs) > 0 {
		out += "; corrective: " + strings.Join(s.CorrectiveEventIDs, ", ")
	}
	return out + ")"
}

// Summary counts a status's supersessions by kind: "2 evidence event(s)
// declared in error; 1 stated figure changed through other events".
func (st *CertStatus) Summary() string {
	var declared, changed int
	for _, r := range st.Reasons {
		if r.Declared() {
			declared++
		} else {
			changed++
		}
	}
	var parts []string
	if declared > 0 {
		parts = append(parts, fmt.Sprintf("%d evidence event(s) declared in error since the certificate was issued", declared))
	}
	if changed > 0 {
		parts = append(parts, fmt.Sprintf("%d stated figure(s) or verdict(s) changed through other events", changed))
	}
	return strings.Join(parts, "; ")
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
	// NotStored says why a certificate does not stand although its
	// evidence does: this ledger never issued a certificate with its id,
	// or the one it stored under that id is a different document (a
	// forged or altered copy). Empty when the stored document is the one
	// given.
	NotStored string `json:"notStored,omitempty"`
}

// Standing is Status with the revocation of the certificate's stored
// record: both GET /api/v1/certificates/{id}/status and POST
// /api/v1/certificates/status answer with it. With a CertificateStore, a
// certificate stands only if the store holds a certificate under its id and
// that stored document is the one given (NotStored says otherwise): an id
// never issued, or a copy with any member changed, does not stand. A store
// that keeps no certificates judges it on its evidence alone.
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
			if !sameDocument(c.Body, cert) {
				st.NotStored = "the certificate stored under id " + id + " is a different document: this copy was altered or forged"
			}
		case critmin.ErrorCode(err) == critmin.ENOTFOUND:
			st.NotStored = "this ledger issued no certificate with id " + id
		default:
			return nil, err
		}
	}
	st.Stands = !st.Revoked && !st.Superseded && st.NotStored == ""
	return st, nil
}

// sameDocument reports whether the stored body and cert are the same JSON
// document (member order and spacing aside).
func sameDocument(stored string, cert Certificate) bool {
	var a, b any
	if json.Unmarshal([]byte(stored), &a) != nil {
		return false
	}
	raw, err := json.Marshal(cert)
	if err != nil || json.Unmarshal(raw, &b) != nil {
		return false
	}
	return reflect.DeepEqual(a, b)
}

// EventFinder finds an event and its declarations by eventID.
type EventFinder interface {
	FindEventsByID(ctx context.Context, id string) ([]*critmin.Event, error)
}

// Status checks every traceability event of a certificate against the
// declarations stored now. A certificate is computed from live events only,
// so any declaration naming its evidence arrived after it was issued. An
// evidence event the store does not hold is an ENOTFOUND error: the
// certificate does not come from this ledger. Evidence that fails
// verification is an ECONFLICT error naming the failing record or row.
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
	// The record the certificate is judged on must itself verify: its
	// evidence events' indexed columns and the rows derived from them
	// (sqldb.DB.CheckEvidence), or the answer would rest on edited rows.
	if ch, ok := s.(EvidenceChecker); ok {
		nodes, err := certNodes(ctx, s, cert)
		if err != nil {
			return nil, err
		}
		if err := ch.CheckEvidence(ctx, nodes, ids); err != nil {
			return nil, err
		}
	}
	// Re-derive what the certificate states that other events can change:
	// the claimed origin's verdict rests on the site's whole account, so a
	// declaration of a credit run elsewhere can turn an accepted claim
	// refused although no event of the certificate was touched.
	if cs, ok := s.(Store); ok {
		if why, ev, err := claimChanged(ctx, cs, cert); err != nil {
			return nil, err
		} else if why != "" {
			st.Reasons = append(st.Reasons, Supersession{EventID: ev, Detail: why})
		}
	}
	// The rule verdicts rest on more than the certificate's own events:
	// on site master data (a processing site's country), read as it is
	// now. Master data re-sent with another country for a site can turn
	// a DFARS pass into a fail, or the reverse, without any event being
	// declared in error: each verdict is judged again on today's record
	// and a changed one supersedes the certificate, saying what changed.
	// A declaration of an evidence event already supersedes it (and the
	// verdicts resting on that event change with it): judged again only
	// when no evidence was declared in error, so the reasons name the
	// cause, not each of its consequences.
	declared := false
	for _, r := range st.Reasons {
		declared = declared || r.Declared()
	}
	if rs, ok := s.(RuleStore); ok && !declared {
		changed, err := verdictsChanged(ctx, rs, cert)
		if err != nil {
			return nil, err
		}
		st.Reasons = append(st.Reasons, changed...)
	}
	// Beyond the verdicts and the claim: any figure the certificate
	// states (origin shares, contained tonnes, element balances,
	// anomalies, the custody chain, the evidence it rests on) is built
	// again from today's record under the certificate's own rules, and a
	// statement that differs supersedes it, naming what differs. Judged
	// only when nothing above explained the change already.
	if ss, ok := s.(statementStore); ok && len(st.Reasons) == 0 {
		why, err := restatedChanged(ctx, ss, cert)
		if err != nil {
			return nil, err
		}
		if why != "" {
			st.Reasons = append(st.Reasons, Supersession{Detail: why})
		}
	}
	st.Superseded = len(st.Reasons) > 0
	st.Stands = !st.Superseded
	return st, nil
}

// oldProvenanceForm reads a certificate issued in an earlier form of the
// same statement, so that it is not reported as restated for its form
// alone:
//
//   - before materialsProvenance left out originCountry where it is not
//     an ISO 3166 code (Provenance): a line's originCountry "unknown" or
//     "" is the same statement as no originCountry;
//   - before fix9ah, a lot without an accepted claim carried
//     "cm:claimedOrigin": null, the same statement as no such key;
//   - before fix9ah, a conformityClaim of a rule that does not apply
//     (status not_applicable) carried "conformance": false; it now
//     states no conformance (it neither passes nor fails).
//
// Those forms are rewritten before comparing with today's record. The
// signed certificate itself is not changed (a copy is returned).
func oldProvenanceForm(was Certificate) (Certificate, error) {
	subj, _ := was["credentialSubject"].(map[string]any)
	prov, _ := subj["materialsProvenance"].([]any)
	oldCountry := func(line map[string]any) bool {
		c, has := line["originCountry"]
		return has && (c == Unknown || c == "")
	}
	oldConformance := func(claim map[string]any) bool {
		_, has := claim["conformance"]
		return has && claim["status"] == NotApplicable
	}
	old := false
	for _, p := range prov {
		if line, ok := p.(map[string]any); ok && oldCountry(line) {
			old = true
		}
	}
	if v, has := subj["cm:claimedOrigin"]; has && v == nil {
		old = true
	}
	claims, _ := subj["conformityClaim"].([]any)
	for _, c := range claims {
		if m, ok := c.(map[string]any); ok && oldConformance(m) {
			old = true
		}
	}
	if !old {
		return was, nil
	}
	b, err := json.Marshal(was)
	if err != nil {
		return nil, err
	}
	var cp Certificate
	if err := json.Unmarshal(b, &cp); err != nil {
		return nil, err
	}
	cs := cp["credentialSubject"].(map[string]any)
	prov, _ = cs["materialsProvenance"].([]any)
	for _, p := range prov {
		if line, ok := p.(map[string]any); ok && oldCountry(line) {
			delete(line, "originCountry")
		}
	}
	if v, has := cs["cm:claimedOrigin"]; has && v == nil {
		delete(cs, "cm:claimedOrigin")
	}
	claims, _ = cs["conformityClaim"].([]any)
	for _, c := range claims {
		if m, ok := c.(map[string]any); ok && oldConformance(m) {
			delete(m, "conformance")
		}
	}
	return cp, nil
}

// restatedChanged builds again what a certificate states (statement,
// under the rules of its conformityClaim in order, each from its cm:rule,
// else the built-in pack's rule of that id, and its issuer) and compares
// it with the certificate less its id, validFrom, cm:log and proof. It
// returns "" when both are the same, else what differs: "what the
// certificate states differs from today's record: credentialSubject.
// cm:originComposition.anomalies, …" (at most five paths, then a count).
// A certificate whose rules cannot all be rebuilt is not compared.
func restatedChanged(ctx context.Context, s statementStore, cert Certificate) (string, error) {
	subj, _ := cert["credentialSubject"].(map[string]any)
	lot, _ := subj["id"].(string)
	if lot == "" {
		return "", nil
	}
	builtin := map[string]Rule{}
	for _, r := range DefaultPack().Rules {
		builtin[r.ID] = r
	}
	pack := &Pack{}
	claims, _ := subj["conformityClaim"].([]any)
	for _, c := range claims {
		m, _ := c.(map[string]any)
		id, _ := m["id"].(string)
		r, ok := builtin[id]
		if raw, has := m["cm:rule"]; has {
			b, err := json.Marshal(raw)
			if err != nil {
				return "", err
			}
			var stated Rule
			if err := json.Unmarshal(b, &stated); err != nil {
				return "", fmt.Errorf("certificate rule %s: %w", id, err)
			}
			r, ok = stated, true
		}
		if !ok {
			return "", nil
		}
		pack.Rules = append(pack.Rules, r)
	}
	var issuer Issuer
	if m, ok := cert["issuer"].(map[string]any); ok {
		issuer.ID, _ = m["id"].(string)
		issuer.Name, _ = m["name"].(string)
	}
	now, err := statement(ctx, s, lot, pack, issuer)
	if critmin.ErrorCode(err) == critmin.ENOTFOUND {
		return "the lot is no longer in the ledger", nil
	}
	if err != nil {
		return "", err
	}
	was := Certificate{}
	for k, v := range cert {
		switch k {
		case "id", "validFrom", "cm:log", "proof", "signature":
		default:
			was[k] = v
		}
	}
	was, err = oldProvenanceForm(was)
	if err != nil {
		return "", err
	}
	a, err := canonical(was)
	if err != nil {
		return "", err
	}
	b, err := canonical(withoutNewStatusText(was, now.cert))
	if err != nil {
		return "", err
	}
	if string(a) == string(b) {
		return "", nil
	}
	var wa, nb any
	if json.Unmarshal(a, &wa) != nil || json.Unmarshal(b, &nb) != nil {
		return "what the certificate states differs from today's record", nil
	}
	var paths []string
	diffPaths("", wa, nb, &paths)
	sort.Strings(paths)
	msg := "what the certificate states differs from today's record"
	if len(paths) == 0 {
		return msg, nil
	}
	shown := paths
	if len(shown) > 5 {
		shown = shown[:5]
	}
	msg += ": " + strings.Join(shown, ", ")
	if n := len(paths) - len(shown); n > 0 {
		msg += fmt.Sprintf(" and %d more", n)
	}
	return msg, nil
}

// withoutNewStatusText is today's statement now less its claimed
// origin's statusText where the certificate was states none: a
// certificate issued before fix9ah has no statusText, which restates its
// status and notCovered, both compared. now is not changed (a copy is
// returned when the member is dropped).
func withoutNewStatusText(was, now Certificate) Certificate {
	ws, _ := was["credentialSubject"].(map[string]any)
	wc, _ := ws["cm:claimedOrigin"].(map[string]any)
	ns, _ := now["credentialSubject"].(map[string]any)
	nc, _ := ns["cm:claimedOrigin"].(map[string]any)
	if wc == nil || nc == nil {
		return now
	}
	if _, has := wc["statusText"]; has {
		return now
	}
	if _, has := nc["statusText"]; !has {
		return now
	}
	claim := map[string]any{}
	for k, v := range nc {
		if k != "statusText" {
			claim[k] = v
		}
	}
	subj := map[string]any{}
	for k, v := range ns {
		subj[k] = v
	}
	subj["cm:claimedOrigin"] = claim
	out := Certificate{}
	for k, v := range now {
		out[k] = v
	}
	out["credentialSubject"] = subj
	return out
}

// diffPaths appends the paths (members joined by ".", array members by
// [i]) where a and b differ: a member present in one only, an array of
// another length, or a differing value.
func diffPaths(path string, a, b any, out *[]string) {
	switch av := a.(type) {
	case map[string]any:
		bv, ok := b.(map[string]any)
		if !ok {
			*out = append(*out, path)
			return
		}
		keys := map[string]bool{}
		for k := range av {
			keys[k] = true
		}
		for k := range bv {
			keys[k] = true
		}
		for k := range keys {
			p := k
			if path != "" {
				p = path + "." + k
			}
			diffPaths(p, av[k], bv[k], out)
		}
	case []any:
		bv, ok := b.([]any)
		if !ok || len(av) != len(bv) {
			*out = append(*out, path)
			return
		}
		for i := range av {
			diffPaths(fmt.Sprintf("%s[%d]", path, i), av[i], bv[i], out)
		}
	default:
		if !reflect.DeepEqual(a, b) {
			*out = append(*out, path)
		}
	}
}

// verdictsChanged evaluates again each rule a certificate states a
// verdict of (conformityClaim: the rule from its cm:rule, else the
// built-in pack's rule of that id) and returns a supersession for each
// verdict whose status differs today: "rule dfars-covered-countries
// (…) was pass and is now fail: processed at … in China". The
// mass-balance claim rule is left to claimChanged, which compares the
// claim itself. A rule the certificate does not define and the built-in
// pack does not hold cannot be judged again and is skipped.
func verdictsChanged(ctx context.Context, s RuleStore, cert Certificate) ([]Supersession, error) {
	subj, _ := cert["credentialSubject"].(map[string]any)
	lot, _ := subj["id"].(string)
	claims, _ := subj["conformityClaim"].([]any)
	if lot == "" || len(claims) == 0 {
		return nil, nil
	}
	builtin := map[string]Rule{}
	for _, r := range DefaultPack().Rules {
		builtin[r.ID] = r
	}
	var pack Pack
	was := map[string]string{}
	for _, c := range claims {
		m, _ := c.(map[string]any)
		id, _ := m["id"].(string)
		status, _ := m["status"].(string)
		if id == "" || status == "" {
			continue
		}
		r, ok := builtin[id]
		if raw, has := m["cm:rule"]; has {
			b, err := json.Marshal(raw)
			if err != nil {
				return nil, err
			}
			var stated Rule
			if err := json.Unmarshal(b, &stated); err != nil {
				return nil, fmt.Errorf("certificate rule %s: %w", id, err)
			}
			r, ok = stated, true
		}
		if !ok || r.Kind == KindMassBalanceClaim {
			continue
		}
		pack.Rules = append(pack.Rules, r)
		was[r.ID] = status
	}
	if len(pack.Rules) == 0 {
		return nil, nil
	}
	now, err := Evaluate(ctx, s, lot, &pack)
	if critmin.ErrorCode(err) == critmin.ENOTFOUND {
		return nil, nil // claimChanged says the lot is gone
	}
	if err != nil {
		return nil, err
	}
	var out []Supersession
	for _, v := range now {
		if v.Status == was[v.Rule] {
			continue
		}
		out = append(out, Supersession{Detail: fmt.Sprintf("rule %s (%s) was %s when the certificate was issued and is now %s on today's record: %s", v.Rule, v.Title, was[v.Rule], v.Status, v.Detail)})
	}
	return out, nil
}

// claimChanged compares the claimed origin a certificate states (status
// and shares) with the claim's verdict today; it returns what changed and
// the claim's event, or "" if nothing did.
func claimChanged(ctx context.Context, s Store, cert Certificate) (string, string, error) {
	subj, _ := cert["credentialSubject"].(map[string]any)
	lot, _ := subj["id"].(string)
	if lot == "" {
		return "", "", nil
	}
	was, _ := subj["cm:claimedOrigin"].(map[string]any)
	if was == nil {
		// A refused claim is stated apart, not as a claimed origin.
		was, _ = subj["cm:refusedClaim"].(map[string]any)
	}
	c, err := OriginOf(ctx, s, lot, false)
	if critmin.ErrorCode(err) == critmin.ENOTFOUND {
		return "the lot is no longer in the ledger", "", nil
	}
	if err != nil {
		return "", "", err
	}
	now := c.Claimed
	switch {
	case was == nil && now == nil:
		return "", "", nil
	case was == nil:
		return "the lot now carries a claim (" + now.Status + ") the certificate does not state", now.Event, nil
	case now == nil:
		ev, _ := was["event"].(string)
		return "the claim the certificate states is no longer made", ev, nil
	}
	status, _ := was["status"].(string)
	// A certificate issued before fix9h records a claim not covered as
	// "refused": both attribute nothing, so the one reading the other is
	// no change (docs/origin.md).
	unbacked := func(st string) bool { return st == ClaimRefused || st == ClaimNotCovered }
	if status != now.Status && !(unbacked(status) && now.Unbacked()) {
		msg := "the claimed origin was " + strings.ReplaceAll(status, "_", " ") + " and is now " + strings.ReplaceAll(now.Status, "_", " ")
		if now.Error != "" {
			msg += ": " + now.Error
		}
		return msg, now.Event, nil
	}
	return "", "", nil
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

// certNodes lists the lots and containers of the certified lot's backward
// genealogy, as Issue checked them: the certified lot alone when the
// store cannot trace, none when the certificate names no lot or the lot
// is no longer held.
func certNodes(ctx context.Context, s EventFinder, cert Certificate) ([]string, error) {
	subj, _ := cert["credentialSubject"].(map[string]any)
	lot, _ := subj["id"].(string)
	if lot == "" {
		return nil, nil
	}
	gs, ok := s.(Store)
	if !ok {
		return []string{lot}, nil
	}
	tr, err := TraceLot(ctx, gs, lot, Backward, MaxDepth)
	if critmin.ErrorCode(err) == critmin.ENOTFOUND {
		return []string{lot}, nil
	}
	if err != nil {
		return nil, err
	}
	var nodes []string
	for _, n := range tr.Nodes {
		if n.Kind != "voyage" { // drawn from the shipping event, no evidence of its own
			nodes = append(nodes, n.ID)
		}
	}
	return nodes, nil
}
