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
	"github.com/critmin/critmin/country"
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
	// Figures are, on a declaration of an evidence event, the figures
	// the certificate states that differ on today's record, old and new
	// (figureChanges: "Nd (physical origin, contained element): China
	// was 0.33 t (100.0 %) of 0.33 t, is now 0.3 t (100.0 %) of 0.3 t"),
	// on the first declaration a status names (fix9ao).
	Figures []string `json:"figureChanges,omitempty"`
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
	out += ")"
	if len(s.Figures) > 0 {
		out += "; what it changed in the figures the certificate states: " + strings.Join(firstOf(s.Figures, 8), "; ")
	}
	return out
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
	// refused although no event of the certificate was touched; its
	// figures (claimed tonnes, share, of what total) change with a later
	// assay, weighing or run (claimFigureChanges).
	// causes names, once, the events recorded since the certificate's
	// log checkpoint that touch the lot's genealogy or the site's account
	// (changeCauses): what a changed figure came from.
	var causes *string
	because := func(detail string) (string, error) {
		if causes == nil {
			c, err := changeCauses(ctx, s, cert)
			if err != nil {
				return "", err
			}
			causes = &c
		}
		if *causes == "" {
			return detail, nil
		}
		return detail + " — " + *causes, nil
	}
	ownDeclared := len(st.Reasons) > 0
	// claimFigs are the claim's changed figures when an evidence event
	// was declared in error: they go with the declaration (fix9ao).
	var claimFigs []string
	if cs, ok := s.(Store); ok {
		if why, ev, figs, err := claimChanged(ctx, cs, cert); err != nil {
			return nil, err
		} else if ownDeclared && len(figs) > 0 {
			claimFigs = figs
		} else if why != "" {
			if why, err = because(why); err != nil {
				return nil, err
			}
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
	// statement that differs supersedes it, naming what differs. The
	// figures are compared whenever no evidence event was declared in
	// error — even when a rule cannot be rebuilt (restate: rule-free
	// members only) and even when a claim or verdict change is named
	// above (then only the physical figures that changed are added: the
	// rest is what that change already says).
	if ss, ok := s.(statementStore); ok && !declared {
		r, err := restate(ctx, ss, cert)
		if err != nil {
			return nil, err
		}
		if why := r.text(len(st.Reasons) > 0); why != "" {
			if why, err = because(why); err != nil {
				return nil, err
			}
			st.Reasons = append(st.Reasons, Supersession{Detail: why})
		}
	} else if ok && declared {
		// A declaration of an evidence event supersedes the certificate
		// by itself; what it changed in the figures the certificate
		// states goes with it, old and new as figureChanges words them
		// (fix9ao: the declaration alone gave no figures). The claim's
		// own figures are claimChanged's reason above; the members that
		// follow from the declaration (evidence, verdicts) are not
		// listed.
		r, err := restate(ctx, ss, cert)
		if err != nil {
			return nil, err
		}
		figs := claimFigs
		if r != nil && !r.gone {
			figs = append(figs, r.figures...)
		}
		claimFigs = figs
	}
	if len(claimFigs) > 0 {
		for i := range st.Reasons {
			if st.Reasons[i].Declared() {
				st.Reasons[i].Figures = claimFigs
				break
			}
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
//     states no conformance (it neither passes nor fails);
//   - before fixQv, a mass-balance claim's lines (cm:originBasis
//     claimed_origin, the "unclaimed: held beyond the claim" line among
//     them) followed the physical lines in materialsProvenance; they are
//     now cm:claimedProvenance, in the same order, the same lines.
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
	claimedLine := func(p any) bool {
		line, ok := p.(map[string]any)
		return ok && line["cm:originBasis"] == ReadsClaimed
	}
	old := false
	for _, p := range prov {
		if line, ok := p.(map[string]any); ok && oldCountry(line) {
			old = true
		}
		if claimedLine(p) {
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
	var physical, claimed []any
	for _, p := range prov {
		if line, ok := p.(map[string]any); ok && oldCountry(line) {
			delete(line, "originCountry")
		}
		if claimedLine(p) {
			claimed = append(claimed, p)
		} else {
			physical = append(physical, p)
		}
	}
	if len(claimed) > 0 {
		// Moved, never dropped: a claimed line that differs from
		// today's still reads as restated (the claimed origin lines).
		cs["materialsProvenance"] = append([]any{}, physical...)
		cs["cm:claimedProvenance"] = append(claimed, asList(cs["cm:claimedProvenance"])...)
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

// asList is v as a JSON array (nil for anything else).
func asList(v any) []any {
	l, _ := v.([]any)
	return l
}

// restatement is what building a certificate's statement again from
// today's record found (restate).
type restatement struct {
	// gone: the lot is no longer in the ledger.
	gone bool
	// unrebuilt are the rules of the certificate's conformityClaim that
	// neither its cm:rule nor the built-in pack defines: the statement
	// was built without them and only its rule-free members compared.
	unrebuilt []string
	// figures are the stated figures that differ, in words
	// (figureChanges); paths the JSON members that differ, and members
	// the same in words (memberWords).
	figures, paths, members []string
}

// text words a restatement as a supersession's detail, "" when nothing
// differs. explained says a claim or verdict change is already named:
// then only changed physical figures are worth a reason of their own.
//
//	what the certificate states differs from today's record: Nd
//	(physical origin, contained element): Pakistan was 0.3 t (100 %) of
//	0.3 t, is now 0.33 t (100 %) of 0.33 t; it also differs in the
//	origin composition (its elements), …
func (r *restatement) text(explained bool) string {
	if r == nil {
		return ""
	}
	if r.gone {
		if explained {
			return ""
		}
		return "the lot is no longer in the ledger"
	}
	if len(r.figures) == 0 && (explained || len(r.paths) == 0) {
		return ""
	}
	msg := "what the certificate states differs from today's record"
	if explained {
		msg = "figures the certificate states differ from today's record"
	}
	if len(r.figures) > 0 {
		msg += ": " + strings.Join(firstOf(r.figures, 8), "; ")
	}
	if !explained && len(r.paths) > 0 {
		// In words, never as JSON paths (fix9ao).
		if len(r.figures) > 0 {
			msg += "; it also differs in "
		} else {
			msg += ": "
		}
		msg += strings.Join(firstOf(r.members, 5), ", ")
	}
	if len(r.unrebuilt) > 0 {
		msg += fmt.Sprintf(" (rule(s) %s defined neither by the certificate's cm:rule nor by the built-in pack: their verdicts and evidence are not compared, the figures are)", strings.Join(r.unrebuilt, ", "))
	}
	return msg
}

// firstOf is list cut to n items, then "and k more".
func firstOf(list []string, n int) []string {
	if len(list) <= n {
		return list
	}
	return append(append([]string(nil), list[:n]...), fmt.Sprintf("and %d more", len(list)-n))
}

// restatedChanged is restate worded as it stands alone (no claim or
// verdict change named): "" when the certificate states today's record.
func restatedChanged(ctx context.Context, s statementStore, cert Certificate) (string, error) {
	r, err := restate(ctx, s, cert)
	if err != nil {
		return "", err
	}
	return r.text(false), nil
}

// restate builds again what a certificate states (statement, under the
// rules of its conformityClaim in order, each from its cm:rule, else the
// built-in pack's rule of that id, and its issuer) and compares it with
// the certificate less its id, validFrom, cm:log and proof: the figures
// in words (figureChanges) and the JSON members that differ (sorted).
//
// A rule that can be rebuilt neither way (a custom pack's rule on a
// certificate issued before cm:rule) does not stop the comparison: the
// statement is built under the rules that can be, and only what no rule
// decides is compared — everything but conformityClaim and the
// traceability events (the verdicts' evidence). The figures a
// certificate states (origin shares, contained tonnes, the claimed
// origin) never depend on the rules, so they are always judged again
// (ISO 22095 §5: a claim stands only on the record it states).
func restate(ctx context.Context, s statementStore, cert Certificate) (*restatement, error) {
	subj, _ := cert["credentialSubject"].(map[string]any)
	lot, _ := subj["id"].(string)
	if lot == "" {
		return nil, nil
	}
	builtin := map[string]Rule{}
	for _, r := range DefaultPack().Rules {
		builtin[r.ID] = r
	}
	out := &restatement{}
	pack := &Pack{}
	claims, _ := subj["conformityClaim"].([]any)
	for _, c := range claims {
		m, _ := c.(map[string]any)
		id, _ := m["id"].(string)
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
		if !ok {
			out.unrebuilt = append(out.unrebuilt, id)
			continue
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
		out.gone = true
		return out, nil
	}
	if err != nil {
		return nil, err
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
		return nil, err
	}
	today := withoutNewStatusText(was, now.cert)
	today = withoutNewOriginUnknown(was, today)
	today = withoutLaterCoverage(was, today)
	if len(out.unrebuilt) > 0 {
		if was, err = ruleFree(was); err != nil {
			return nil, err
		}
		if today, err = ruleFree(today); err != nil {
			return nil, err
		}
	}
	a, err := canonical(was)
	if err != nil {
		return nil, err
	}
	b, err := canonical(today)
	if err != nil {
		return nil, err
	}
	if string(a) == string(b) {
		return out, nil
	}
	var wa, nb map[string]any
	if json.Unmarshal(a, &wa) != nil || json.Unmarshal(b, &nb) != nil {
		out.paths = []string{"(the certificate)"}
		return out, nil
	}
	diffPaths("", wa, nb, &out.paths)
	sort.Strings(out.paths)
	out.members = memberWords(out.paths, wa, nb)
	out.figures = figureChanges(wa, nb)
	return out, nil
}

// coverageKeys are the members of a claimed origin that tell how a claim
// came to be covered again (Claim.CoveredAgainBy, CoveredBy, CoveredIn,
// CoverageNote).
var coverageKeys = []string{"coverageNote", "coveredAgainBy", "coveredBy", "coveredIn"}

// withoutLaterCoverage is today's statement now with the coverage
// history of its claim put back as the certificate was states it, when
// the only later history is events declared in error since: a claim
// accepted when the certificate was issued, left short by a later fact
// (an assay, say) and covered again when that fact was declared in error
// states the same claim on the same figures — the record is back to what
// the certificate rests on — yet today's claim carries a note naming the
// declaration (cm:claimCoverage, coverageNote, coveredAgainBy, and the
// mass-balance rule's declaredValue). That note alone is no change in
// what the certificate states (fix9ao). Put back only when the claim's
// status and the credits that repaid it (coveredBy, coveredIn) are the
// same on both sides; any figure is still compared. now is not changed
// (a copy is returned when anything is rewritten).
func withoutLaterCoverage(was, now Certificate) Certificate {
	ws, _ := was["credentialSubject"].(map[string]any)
	ns, _ := now["credentialSubject"].(map[string]any)
	wc, _ := ws["cm:claimedOrigin"].(map[string]any)
	nc, _ := ns["cm:claimedOrigin"].(map[string]any)
	if wc == nil || nc == nil || wc["status"] != nc["status"] {
		return now
	}
	wNote, _ := wc["coverageNote"].(string)
	nNote, _ := nc["coverageNote"].(string)
	if wNote == nNote || nNote == "" {
		return now
	}
	for _, k := range []string{"coveredBy", "coveredIn"} {
		if !reflect.DeepEqual(wc[k], nc[k]) {
			return now // credits repaid it since: a change of its own
		}
	}
	out, ok := deepCopy(now)
	if !ok {
		return now
	}
	subj := out["credentialSubject"].(map[string]any)
	wcomp, _ := ws["cm:originComposition"].(map[string]any)
	wcc, _ := wcomp["claimed"].(map[string]any)
	ncomp, _ := subj["cm:originComposition"].(map[string]any)
	ncc, _ := ncomp["claimed"].(map[string]any)
	for _, pair := range [][2]map[string]any{{wc, subj["cm:claimedOrigin"].(map[string]any)}, {wcc, ncc}} {
		from, to := pair[0], pair[1]
		if to == nil {
			continue
		}
		for _, k := range coverageKeys {
			if v, has := from[k]; has {
				to[k] = v
			} else {
				delete(to, k)
			}
		}
	}
	if v, has := ws["cm:claimCoverage"]; has {
		subj["cm:claimCoverage"] = v
	} else {
		delete(subj, "cm:claimCoverage")
	}
	claims, _ := subj["conformityClaim"].([]any)
	for _, c := range claims {
		m, _ := c.(map[string]any)
		d, ok := m["declaredValue"].(string)
		if !ok || !strings.Contains(d, "; "+nNote) {
			continue
		}
		put := ""
		if wNote != "" {
			put = "; " + wNote
		}
		m["declaredValue"] = strings.Replace(d, "; "+nNote, put, 1)
	}
	return out
}

// memberWords words the members of a statement that differ (paths, as
// diffPaths gives them) for a reader, once each in order: "the verdict
// of rule dfars-covered-countries (its declaredValue)", "the custody
// chain", "the events it rests on (now also urn:…:X; no longer
// urn:…:Y)" — never a raw JSON path (fix9ao). was and now are the two
// statements.
func memberWords(paths []string, was, now map[string]any) []string {
	ruleAt := func(i int) string {
		for _, c := range []map[string]any{was, now} {
			subj, _ := c["credentialSubject"].(map[string]any)
			list, _ := subj["conformityClaim"].([]any)
			if i < len(list) {
				if m, ok := list[i].(map[string]any); ok {
					if id, _ := m["id"].(string); id != "" {
						return id
					}
				}
			}
		}
		return fmt.Sprint(i + 1)
	}
	evidence := func() string {
		w, n := map[string]bool{}, map[string]bool{}
		for _, id := range EvidenceIDs(Certificate(was)) {
			w[id] = true
		}
		for _, id := range EvidenceIDs(Certificate(now)) {
			n[id] = true
		}
		var added, gone []string
		for _, id := range sortedKeys(n) {
			if !w[id] {
				added = append(added, id)
			}
		}
		for _, id := range sortedKeys(w) {
			if !n[id] {
				gone = append(gone, id)
			}
		}
		var parts []string
		if len(added) > 0 {
			parts = append(parts, "now also "+strings.Join(firstOf(added, 5), ", "))
		}
		if len(gone) > 0 {
			parts = append(parts, "no longer "+strings.Join(firstOf(gone, 5), ", "))
		}
		if len(parts) == 0 {
			return "the events it rests on (their hashes)"
		}
		return "the events it rests on (" + strings.Join(parts, "; ") + ")"
	}
	// seg splits "a.b[2].c" into its member names, indexes apart.
	seg := func(p string) []string {
		var out []string
		for _, part := range strings.Split(p, ".") {
			name, idx, _ := strings.Cut(part, "[")
			if name != "" {
				out = append(out, name)
			}
			if idx != "" {
				out = append(out, "["+idx)
			}
		}
		return out
	}
	its := func(rest []string) string {
		for _, r := range rest {
			if !strings.HasPrefix(r, "[") {
				return " (its " + strings.TrimPrefix(r, "cm:") + ")"
			}
		}
		return ""
	}
	claimNote := func(m string) string {
		switch m {
		case "coverageNote", "coveredAgainBy", "coveredBy", "coveredIn":
			return "the claim's coverage note"
		case "reassayNote", "reassayedBy":
			return "the claim's reassay note"
		case "retiredNote", "retired":
			return "the claim's note on credit retired beyond what the lot holds"
		}
		return ""
	}
	var out []string
	seen := map[string]bool{}
	for _, p := range paths {
		sg := seg(strings.TrimPrefix(p, "credentialSubject."))
		if !strings.HasPrefix(p, "credentialSubject.") {
			sg = append([]string{"(certificate)"}, seg(p)...)
		}
		var w string
		switch {
		case len(sg) == 0:
			w = "the certificate's subject"
		case sg[0] == "(certificate)":
			w = "the certificate" + its(sg[1:])
		case sg[0] == "conformityClaim" && len(sg) > 1 && strings.HasPrefix(sg[1], "["):
			var i int
			fmt.Sscanf(sg[1], "[%d]", &i)
			w = "the verdict of rule " + ruleAt(i) + its(sg[2:])
		case sg[0] == "conformityClaim":
			w = "the rule verdicts stated"
		case sg[0] == "traceabilityInformation" && strings.Contains(p, "traceabilityEvents"):
			w = evidence()
		case sg[0] == "traceabilityInformation":
			w = "the traceability information" + its(sg[1:])
		case sg[0] == "cm:custodyChain":
			w = "the custody chain"
		case sg[0] == "cm:claimCoverage":
			w = "the claim's coverage note"
		case sg[0] == "cm:claimReassay":
			w = "the claim's reassay note"
		case sg[0] == "cm:claimRetired":
			w = claimNote("retiredNote")
		case sg[0] == "cm:refusedClaim":
			w = "the claim refused or not covered, as stated" + its(sg[1:])
		case sg[0] == "cm:claimedOrigin" && len(sg) > 1 && claimNote(sg[1]) != "":
			w = claimNote(sg[1])
		case sg[0] == "cm:claimedOrigin":
			w = "the claimed origin" + its(sg[1:])
		case sg[0] == "cm:originComposition" && len(sg) > 2 && sg[1] == "claimed" && claimNote(sg[2]) != "":
			w = claimNote(sg[2])
		case sg[0] == "cm:originComposition" && len(sg) > 1 && sg[1] == "claimed":
			w = "the claimed origin" + its(sg[2:])
		case sg[0] == "cm:originComposition":
			w = "the origin composition" + its(sg[1:])
		case sg[0] == "cm:physicalOrigin":
			w = "the physical origin" + its(sg[1:])
		case sg[0] == "materialsProvenance":
			w = "the materials provenance lines"
		case sg[0] == "cm:claimedProvenance":
			w = "the claimed origin lines"
		case sg[0] == "product":
			w = "the product" + its(sg[1:])
		default:
			w = "the subject's " + strings.TrimPrefix(sg[0], "cm:")
		}
		if !seen[w] {
			seen[w] = true
			out = append(out, w)
		}
	}
	return out
}

// ruleFree is a copy of c less what its rules decide: the
// conformityClaim (verdicts) and the traceability events (the evidence
// the verdicts add). The figures, the custody chain and the claim stay.
func ruleFree(c Certificate) (Certificate, error) {
	b, err := json.Marshal(c)
	if err != nil {
		return nil, err
	}
	var cp Certificate
	if err := json.Unmarshal(b, &cp); err != nil {
		return nil, err
	}
	subj, _ := cp["credentialSubject"].(map[string]any)
	if subj == nil {
		return cp, nil
	}
	delete(subj, "conformityClaim")
	infos, _ := subj["traceabilityInformation"].([]any)
	for _, info := range infos {
		if m, ok := info.(map[string]any); ok {
			delete(m, "traceabilityEvents")
		}
	}
	return cp, nil
}

// figureChanges words the figures a certificate states (was) that
// differ from today's statement (now), both as JSON: the lot's dry mass,
// each physical-origin line of materialsProvenance by country (tonnes,
// share and of what total: "Nd (physical origin, contained element):
// Pakistan was 0.3 t (100 %) of 0.3 t, is now 0.27 t (100 %) of 0.27
// t"), and the anomalies stated or no longer stated. Claimed-origin
// lines (cm:claimedProvenance; in materialsProvenance before fixQv) are
// left to claimFigureChanges. Figures are compared as printed
// (Figure, Percent), so float noise below display never reads as a
// change.
func figureChanges(was, now map[string]any) []string {
	var out []string
	ws, _ := was["credentialSubject"].(map[string]any)
	ns, _ := now["credentialSubject"].(map[string]any)
	wp, _ := ws["product"].(map[string]any)
	np, _ := ns["product"].(map[string]any)
	if w, n := num(wp["cm:dryTonnes"]), num(np["cm:dryTonnes"]); Figure(w) != Figure(n) {
		out = append(out, fmt.Sprintf("the lot's dry mass was %s t, is now %s t", Figure(w), Figure(n)))
	}
	type fig struct{ tonnes, share float64 }
	type block struct {
		total   float64
		byLabel map[string]fig
		labels  []string
	}
	lines := func(subj map[string]any) (map[string]*block, []string) {
		out := map[string]*block{}
		var names []string
		prov, _ := subj["materialsProvenance"].([]any)
		for _, p := range prov {
			l, _ := p.(map[string]any)
			if l == nil || l["cm:originBasis"] == ReadsClaimed {
				continue
			}
			name, _ := l["name"].(string)
			label, _ := l["countryName"].(string)
			if label == "" {
				label, _ = l["originCountry"].(string)
			}
			mass, _ := l["mass"].(map[string]any)
			b := out[name]
			if b == nil {
				b = &block{byLabel: map[string]fig{}}
				out[name] = b
				names = append(names, name)
			}
			f := fig{tonnes: num(mass["value"]), share: num(l["massFraction"])}
			b.total += f.tonnes
			b.byLabel[label] = f
			b.labels = append(b.labels, label)
		}
		return out, names
	}
	wl, wnames := lines(ws)
	nl, nnames := lines(ns)
	// "of what total" quotes the total the certificate states for the
	// line's breakdown (cm:originComposition), not the sum of its lines'
	// tonnes, which can print a unit of the last decimal apart (nuq7 5:
	// "of 0.685884 t" where the certificate states 0.685885 t).
	for _, side := range []struct {
		subj map[string]any
		bl   map[string]*block
	}{{ws, wl}, {ns, nl}} {
		for name, b := range side.bl {
			if total, ok := statedTotal(side.subj, name); ok {
				b.total = total
			}
		}
	}
	said := func(f fig, total float64) string {
		return fmt.Sprintf("%s t (%s) of %s t", Figure(f.tonnes), Percent(f.share), Figure(total))
	}
	// A line is a change only when its own figure prints otherwise: a
	// share whose tonnes and percentage print the same, of a total that
	// changed through other lines, is no change ("China was 0 t … is now
	// 0 t", fix9ao); those other lines say how the total moved. A line
	// stated on one side only is a change unless it prints as nothing
	// (0 t, 0.0 %) there.
	same := func(a, b fig) bool { return figureOf(a.tonnes, a.share) == figureOf(b.tonnes, b.share) }
	seen := map[string]bool{}
	for _, name := range append(wnames, nnames...) {
		if seen[name] {
			continue
		}
		seen[name] = true
		w, n := wl[name], nl[name]
		if w == nil {
			w = &block{byLabel: map[string]fig{}}
		}
		if n == nil {
			n = &block{byLabel: map[string]fig{}}
		}
		done := map[string]bool{}
		for _, label := range append(append([]string(nil), w.labels...), n.labels...) {
			if done[label] {
				continue
			}
			done[label] = true
			wf, inW := w.byLabel[label]
			nf, inN := n.byLabel[label]
			switch {
			case !inN && !same(wf, fig{}):
				out = append(out, fmt.Sprintf("%s: %s was %s, is no longer stated", name, label, said(wf, w.total)))
			case !inW && !same(nf, fig{}):
				out = append(out, fmt.Sprintf("%s: %s was not stated, is now %s", name, label, said(nf, n.total)))
			case inN && inW && !same(wf, nf):
				out = append(out, fmt.Sprintf("%s: %s was %s, is now %s", name, label, said(wf, w.total), said(nf, n.total)))
			}
		}
	}
	anomalies := func(subj map[string]any) map[string]bool {
		m := map[string]bool{}
		comp, _ := subj["cm:originComposition"].(map[string]any)
		list, _ := comp["anomalies"].([]any)
		for _, a := range list {
			am, _ := a.(map[string]any)
			kind, _ := am["kind"].(string)
			detail, _ := am["detail"].(string)
			m[kind+": "+detail] = true
		}
		return m
	}
	wa, na := anomalies(ws), anomalies(ns)
	for _, a := range sortedKeys(wa) {
		if !na[a] {
			out = append(out, "anomaly no longer stated: "+a)
		}
	}
	for _, a := range sortedKeys(na) {
		if !wa[a] {
			out = append(out, "anomaly now stated: "+a)
		}
	}
	return out
}

// statedTotal is the tonnes cm:originComposition states for the
// breakdown whose physical-origin lines of materialsProvenance are named
// name (massLine: mass; symbol + elementLine: elements[symbol]; name +
// aggregateLine: aggregates[name]); ok is false for any other name, or
// when the certificate states no such total.
func statedTotal(subj map[string]any, name string) (tonnes float64, ok bool) {
	comp, _ := subj["cm:originComposition"].(map[string]any)
	var b map[string]any
	switch {
	case name == massLine:
		b, _ = comp["mass"].(map[string]any)
	case strings.HasSuffix(name, elementLine):
		els, _ := comp["elements"].(map[string]any)
		b, _ = els[strings.TrimSuffix(name, elementLine)].(map[string]any)
	case strings.HasSuffix(name, aggregateLine):
		aggs, _ := comp["aggregates"].(map[string]any)
		b, _ = aggs[strings.TrimSuffix(name, aggregateLine)].(map[string]any)
	}
	tonnes, ok = b["tonnes"].(float64)
	return tonnes, ok
}

// figureOf is a share's own figure as printed, tonnes and percentage:
// two figures that print the same are the same figure (fix9ao).
func figureOf(tonnes, share float64) string {
	return Figure(tonnes) + " t (" + Percent(share) + ")"
}

// num is a JSON number as float64 (0 for anything else).
func num(v any) float64 {
	f, _ := v.(float64)
	return f
}

// withoutNewStatusText is today's statement now in the wording of the
// certificate was where was is of an earlier form, so that a
// certificate is not restated for its wording alone (its figures are
// still compared, and a real change still supersedes it):
//
//   - before fix9ah a certificate's claimed origin had no statusText,
//     and an accepted claim covering part of the lot read "claim
//     accepted)" in its materialsProvenance line (now "claim accepted —
//     covers 93.0 %)"), the rest "— not covered by the claim" with
//     countryName "not covered" (now "— unclaimed: held beyond the
//     claim", "unclaimed"), and the mass-balance rule's declaredValue
//     "the lot holds … t of it (6.977 %) not covered by the claim" (now
//     "accepted — covers 93.0 %: the lot holds … (6.977 %) unclaimed,
//     held beyond the claim"): today's statement is put back in those
//     words;
//   - before fix9ak a cm:refusedClaim carried no shortOf: left out of
//     today's when the certificate has none (its reason, which names
//     what the claim is short of, is still compared).
//
// now is not changed (a copy is returned when anything is rewritten).
// withoutNewOriginUnknown is today's statement now without the
// cm:originUnknown member of its materialsProvenance lines when the
// certificate was issued before that member (fixQj) and states it on no
// line: a form change, never a restatement — the lines' figures are still
// compared. now is not changed (a copy is returned).
func withoutNewOriginUnknown(was, now Certificate) Certificate {
	has := func(c Certificate) bool {
		subj, _ := c["credentialSubject"].(map[string]any)
		prov, _ := subj["materialsProvenance"].([]any)
		for _, p := range prov {
			if l, ok := p.(map[string]any); ok {
				if _, ok := l["cm:originUnknown"]; ok {
					return true
				}
			}
		}
		return false
	}
	if has(was) || !has(now) {
		return now
	}
	out, ok := deepCopy(now)
	if !ok {
		return now
	}
	subj, _ := out["credentialSubject"].(map[string]any)
	prov, _ := subj["materialsProvenance"].([]any)
	for _, p := range prov {
		if l, ok := p.(map[string]any); ok {
			delete(l, "cm:originUnknown")
		}
	}
	return out
}

func withoutNewStatusText(was, now Certificate) Certificate {
	ws, _ := was["credentialSubject"].(map[string]any)
	ns, _ := now["credentialSubject"].(map[string]any)
	wc, _ := ws["cm:claimedOrigin"].(map[string]any)
	nc, _ := ns["cm:claimedOrigin"].(map[string]any)
	_, wasText := wc["statusText"]
	newText, _ := nc["statusText"].(string)
	oldClaim := wc != nil && nc != nil && !wasText && newText != ""
	wr, _ := ws["cm:refusedClaim"].(map[string]any)
	nr, _ := ns["cm:refusedClaim"].(map[string]any)
	_, wasShort := wr["shortOf"]
	_, nowShort := nr["shortOf"]
	oldRefused := wr != nil && nr != nil && !wasShort && nowShort
	if !oldClaim && !oldRefused {
		return now
	}
	out, ok := deepCopy(now)
	if !ok {
		return now
	}
	subj := out["credentialSubject"].(map[string]any)
	if oldRefused {
		delete(subj["cm:refusedClaim"].(map[string]any), "shortOf")
	}
	if !oldClaim {
		return out
	}
	claim := subj["cm:claimedOrigin"].(map[string]any)
	delete(claim, "statusText")
	status, _ := claim["status"].(string)
	if comp, ok := subj["cm:originComposition"].(map[string]any); ok {
		if c, ok := comp["claimed"].(map[string]any); ok {
			wcomp, _ := ws["cm:originComposition"].(map[string]any)
			wcc, _ := wcomp["claimed"].(map[string]any)
			if _, has := wcc["statusText"]; !has {
				delete(c, "statusText")
			}
		}
	}
	// The claim's lines: cm:claimedProvenance since fixQv (was is read
	// in that layout too, oldProvenanceForm).
	prov, _ := subj["cm:claimedProvenance"].([]any)
	for _, p := range prov {
		l, _ := p.(map[string]any)
		if l == nil || l["cm:originBasis"] != ReadsClaimed {
			continue
		}
		name, _ := l["name"].(string)
		name = strings.Replace(name, "; claim "+newText+")", "; claim "+status+")", 1)
		if strings.HasSuffix(name, " — "+Unclaimed+": held beyond the claim") {
			name = strings.TrimSuffix(name, " — "+Unclaimed+": held beyond the claim") + " — not covered by the claim"
			if l["countryName"] == Unclaimed {
				l["countryName"] = "not covered"
			}
		}
		l["name"] = name
	}
	claims, _ := subj["conformityClaim"].([]any)
	for _, c := range claims {
		m, _ := c.(map[string]any)
		d, ok := m["declaredValue"].(string)
		if !ok || !strings.Contains(d, "; "+newText+": the lot holds ") {
			continue
		}
		d = strings.Replace(d, "; "+newText+": the lot holds ", "; the lot holds ", 1)
		d = strings.Replace(d, ") "+Unclaimed+", held beyond the claim", ") not covered by the claim", 1)
		m["declaredValue"] = d
	}
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
// the claim's event, or "" if nothing did, and, when only the claim's
// figures changed (its status did not), those figures one by one
// (claimFigureChanges).
func claimChanged(ctx context.Context, s Store, cert Certificate) (string, string, []string, error) {
	subj, _ := cert["credentialSubject"].(map[string]any)
	lot, _ := subj["id"].(string)
	if lot == "" {
		return "", "", nil, nil
	}
	was, _ := subj["cm:claimedOrigin"].(map[string]any)
	if was == nil {
		// A refused claim is stated apart, not as a claimed origin.
		was, _ = subj["cm:refusedClaim"].(map[string]any)
	}
	c, err := OriginOf(ctx, s, lot, false)
	if critmin.ErrorCode(err) == critmin.ENOTFOUND {
		return "the lot is no longer in the ledger", "", nil, nil
	}
	if err != nil {
		return "", "", nil, err
	}
	now := c.Claimed
	switch {
	case was == nil && now == nil:
		return "", "", nil, nil
	case was == nil:
		return "the lot now carries a claim (" + now.Status + ") the certificate does not state", now.Event, nil, nil
	case now == nil:
		ev, _ := was["event"].(string)
		return "the claim the certificate states is no longer made", ev, nil, nil
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
		return msg, now.Event, nil, nil
	}
	// The same status on other figures: a later assay, weighing or run
	// changes what the claim attributes of what the lot holds.
	if lines := claimFigureChanges(was, now); len(lines) > 0 {
		return strings.Join(lines, "; "), now.Event, lines, nil
	}
	return "", "", nil, nil
}

// claimFigureChanges words the figures of a claim a certificate states
// (was: its cm:claimedOrigin, or cm:refusedClaim for a claim that
// attributes nothing) that differ from the claim today (now, of the same
// standing). An accepted claim: each origin's claimed tonnes, share and
// the total they are a share of (what the lot holds of the qualifying
// elements, Contains, else the claim's tonnes): "claimed origin Pakistan
// was 0.4 t (100 %) of 0.4 t, is now 0.4 t (93.0 %) of 0.43 t". A claim
// that attributes nothing: its shortfall, whole and by origin ("the
// claim's shortfall was 0.3 t, is now 0.2 t"). Compared as printed
// (Figure, Percent). Nil when nothing differs.
func claimFigureChanges(was map[string]any, now *Claim) []string {
	if was == nil || now == nil {
		return nil
	}
	var out []string
	if now.Unbacked() {
		if w, n := ShortfallFigure(num(was["shortfall"])), ShortfallFigure(now.Shortfall); num(was["shortfall"]) > 0 || now.Shortfall > 0 {
			if w != n {
				out = append(out, fmt.Sprintf("the claim's shortfall was %s t, is now %s t", w, n))
			}
		}
		stated, _ := was["stated"].([]any)
		wasShort := map[string]float64{}
		for _, s := range stated {
			m, _ := s.(map[string]any)
			key, _ := m["country"].(string)
			wasShort[key] = num(m["shortfall"])
		}
		if len(now.ByCountry) > 1 {
			for _, sh := range now.ByCountry {
				n := now.ShortfallByCountry[sh.Key]
				if w := wasShort[sh.Key]; Figure(w) != Figure(n) {
					out = append(out, fmt.Sprintf("the claim's %s shortfall was %s t, is now %s t", sh.Name, Figure(w), Figure(n)))
				}
			}
		}
		return out
	}
	total := func(contains, tonnes float64) float64 {
		if contains > 0 {
			return contains
		}
		return tonnes
	}
	wasTotal := total(num(was["contains"]), num(was["tonnes"]))
	nowTotal := total(now.Contains, now.Tonnes)
	said := func(t, share, of float64) string {
		return fmt.Sprintf("%s t (%s) of %s t", Figure(t), Percent(share), Figure(of))
	}
	type fig struct {
		name          string
		tonnes, share float64
	}
	var keys []string
	wf := map[string]fig{}
	list, _ := was["byCountry"].([]any)
	for _, s := range list {
		m, _ := s.(map[string]any)
		key, _ := m["key"].(string)
		name, _ := m["name"].(string)
		if name == "" {
			name = country.Name(key)
		}
		wf[key] = fig{name, num(m["tonnes"]), num(m["share"])}
		keys = append(keys, key)
	}
	nf := map[string]fig{}
	for _, sh := range now.ByCountry {
		nf[sh.Key] = fig{sh.Name, sh.Tonnes, sh.Share}
		if _, ok := wf[sh.Key]; !ok {
			keys = append(keys, sh.Key)
		}
	}
	// Compared as each origin's own figure prints (figureOf), never by
	// the total alone: equal figures are no change (fix9ao).
	for _, k := range keys {
		w, inW := wf[k]
		n, inN := nf[k]
		switch {
		case !inN && figureOf(w.tonnes, w.share) != figureOf(0, 0):
			out = append(out, fmt.Sprintf("claimed origin %s was %s, is no longer claimed", w.name, said(w.tonnes, w.share, wasTotal)))
		case !inW && figureOf(n.tonnes, n.share) != figureOf(0, 0):
			out = append(out, fmt.Sprintf("claimed origin %s was not claimed, is now %s", n.name, said(n.tonnes, n.share, nowTotal)))
		case inN && inW && figureOf(w.tonnes, w.share) != figureOf(n.tonnes, n.share):
			out = append(out, fmt.Sprintf("claimed origin %s was %s, is now %s", n.name, said(w.tonnes, w.share, wasTotal), said(n.tonnes, n.share, nowTotal)))
		}
	}
	return out
}

// changeCauses names the events recorded in the log after the
// certificate's checkpoint (its cm:log tree size: every record it could
// rest on) that touch the lot's genealogy — a lot or container of its
// backward trace today or of its custody chain — or the account of the
// claim's site (an event at the site): "recorded since the certificate
// (log size 41): urn:t:ev:KA (inspecting), urn:t:ev:E1 (commissioning,
// declared in error)". A declaration is the record of the event it
// declares in error (EPCIS 2.0 §7.4.1.2). "" when the store keeps no
// chain, the certificate has no checkpoint, or no such event was
// recorded (a master-data change).
func changeCauses(ctx context.Context, s EventFinder, cert Certificate) (string, error) {
	cs, ok := s.(critmin.ChainStore)
	if !ok {
		return "", nil
	}
	lg, _ := cert["cm:log"].(map[string]any)
	note, _ := lg["checkpoint"].(string)
	body, _, _ := strings.Cut(note, "\n\n")
	if body == "" {
		return "", nil
	}
	cp, err := parseCheckpoint(body + "\n")
	if err != nil {
		return "", nil // verify-cert judges the checkpoint; no causes named
	}
	touch := map[string]bool{}
	nodes, err := certNodes(ctx, s, cert)
	if err != nil {
		return "", err
	}
	for _, n := range nodes {
		touch[n] = true
	}
	subj, _ := cert["credentialSubject"].(map[string]any)
	chain, _ := subj["cm:custodyChain"].([]any)
	for _, c := range chain {
		m, _ := c.(map[string]any)
		if l, _ := m["lot"].(string); l != "" {
			touch[l] = true
		}
	}
	for _, k := range []string{"cm:claimedOrigin", "cm:refusedClaim"} {
		m, _ := subj[k].(map[string]any)
		if site, _ := m["site"].(string); site != "" {
			touch[site] = true
		}
	}
	// Read in pages, at most causeRecords records after the checkpoint
	// (fix9ao): the causes explain a change the status has already
	// found, so a certificate checked long after it was issued does not
	// load the whole log since; a cut is said.
	var named []string
	var recs []*critmin.ChainRecord
	cut := false
	for from := cp.Size + 1; ; from += causePage {
		if from-cp.Size-1 >= causeRecords {
			past := cp.Size + causeRecords + 1
			next, err := cs.ChainRange(ctx, past, past)
			if err != nil {
				return "", err
			}
			cut = len(next) > 0
			break
		}
		page, err := cs.ChainRange(ctx, from, min(from+causePage-1, cp.Size+causeRecords))
		if err != nil {
			return "", err
		}
		recs = append(recs, page...)
		if int64(len(page)) < min(causePage, cp.Size+causeRecords-from+1) {
			break
		}
	}
	for _, r := range recs {
		var ev any
		if json.Unmarshal([]byte(r.Raw), &ev) != nil || !mentions(ev, touch) {
			continue
		}
		m, _ := ev.(map[string]any)
		step, _ := m["bizStep"].(string)
		step = strings.TrimPrefix(strings.TrimPrefix(step, "urn:epcglobal:cbv:bizstep:"), "https://ref.gs1.org/cbv/BizStep-")
		if step == "" {
			step, _ = m["type"].(string)
		}
		if r.Declaration {
			step += ", declared in error"
		}
		named = append(named, fmt.Sprintf("%s (%s)", r.EventID, step))
	}
	cutNote := ""
	if cut {
		cutNote = fmt.Sprintf("; only the %d records after it read, later records not searched", causeRecords)
	}
	if len(named) == 0 {
		if cut {
			return fmt.Sprintf("no event touching the lot or the claim's site in the %d records recorded after the certificate (log size %d); later records not searched", causeRecords, cp.Size), nil
		}
		return "", nil
	}
	return fmt.Sprintf("recorded since the certificate (log size %d%s): %s", cp.Size, cutNote, strings.Join(firstOf(named, 10), ", ")), nil
}

// causePage and causeRecords bound changeCauses: the log records after a
// certificate's checkpoint are read causePage at a time, causeRecords at
// most (variables so that a test can lower them).
var (
	causePage    int64 = 1000
	causeRecords int64 = 20000
)

// mentions reports whether any string of the JSON value v is in set.
func mentions(v any, set map[string]bool) bool {
	switch x := v.(type) {
	case string:
		return set[x]
	case map[string]any:
		for _, e := range x {
			if mentions(e, set) {
				return true
			}
		}
	case []any:
		for _, e := range x {
			if mentions(e, set) {
				return true
			}
		}
	}
	return false
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
	tr, err := traceLot(ctx, gs, lot, Backward, MaxDepth)
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

// deepCopy is a copy of c sharing no map or slice with it (a JSON round
// trip), for the rewrites above that edit a certificate's copy; ok is
// false when c does not round-trip, and the caller keeps c as it is.
func deepCopy(c Certificate) (out Certificate, ok bool) {
	b, err := json.Marshal(c)
	if err != nil {
		return nil, false
	}
	if json.Unmarshal(b, &out) != nil {
		return nil, false
	}
	return out, true
}
