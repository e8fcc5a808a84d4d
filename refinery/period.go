package refinery

import (
	"context"
	"crypto/ed25519"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"net/url"
	"sort"
	"strings"
	"time"
	"unicode"

	"github.com/critmin/critmin"
)

// Actor is who closes or reopens a period: a name (the API token's or the
// CLI user's) and a role (critmin.RoleOperator, critmin.RoleAdmin).
type Actor struct {
	Name string
	Role string
}

// RecordHash is the chain hash of a period record: SHA-256 (hex) of
// prev ‖ "\n" ‖ the JSON of the record's content fields (site, period,
// action, actor, role, reason, at in RFC 3339 with nanoseconds, problem,
// result), in that fixed order.
func RecordHash(r *critmin.PeriodRecord) string {
	content, _ := json.Marshal([]string{r.Site, r.Period, r.Action, r.Actor, r.Role, r.Reason, r.At.UTC().Format(time.RFC3339Nano), r.Problem, r.Result})
	h := sha256.New()
	h.Write([]byte(r.Prev))
	h.Write([]byte("\n"))
	h.Write(content)
	return hex.EncodeToString(h.Sum(nil))
}

// KeyID names an Ed25519 key by the base64 of its public half.
func KeyID(pub ed25519.PublicKey) string { return base64.StdEncoding.EncodeToString(pub) }

// Sign sets r's Hash (RecordHash, so r.Prev must be set), KeyID and
// Signature with key. The store appends it only when key is the
// installation's (CheckSigner).
func Sign(r *critmin.PeriodRecord, key ed25519.PrivateKey) { sign(r, key) }

func sign(r *critmin.PeriodRecord, key ed25519.PrivateKey) {
	r.Hash = RecordHash(r)
	r.KeyID = KeyID(key.Public().(ed25519.PublicKey))
	raw, _ := hex.DecodeString(r.Hash)
	r.Signature = base64.StdEncoding.EncodeToString(ed25519.Sign(key, raw))
}

// ClosePeriod reconciles p and, if the result may be signed off, records
// the close of p's site and period signed with key: the reconciliation
// and its inputs are kept in the record, chained to the previous one. An
// operator or admin may close. A period whose global test fails, whose
// reconciliation removed measurements as gross errors, has no degree of
// freedom (nothing checked) or holds a quantity at a bound cannot be
// closed unless accept names why (kept as the record's reason). Errors: EFORBIDDEN for a viewer;
// EINVALID for a problem without site or period, or failing its test;
// ECONFLICT when the period is already closed.
func ClosePeriod(ctx context.Context, s critmin.RefineryStore, p *Problem, who Actor, accept string, key ed25519.PrivateKey, now time.Time) (*critmin.PeriodRecord, *Result, error) {
	return closePeriod(ctx, s, p, who, accept, key, now, nil, nil)
}

// closePeriod is ClosePeriod; check, when not nil, vets the canonical
// site after every check of the problem and before anything is recorded.
//
// siteZone, when not nil, returns the site's time zone from its master
// data ("" when none is declared).
func closePeriod(ctx context.Context, s critmin.RefineryStore, p *Problem, who Actor, accept string, key ed25519.PrivateKey, now time.Time, check func(site string) error, siteZone func(site string) (string, error)) (*critmin.PeriodRecord, *Result, error) {
	if who.Role != critmin.RoleOperator && who.Role != critmin.RoleAdmin {
		return nil, nil, critmin.Errorf(critmin.EFORBIDDEN, "closing a period needs an operator or admin")
	}
	if Blank(who.Name) {
		return nil, nil, critmin.FieldErrorf("operator", "closing a period needs the operator's name, kept in the audit trail (got %q: only spaces or invisible characters)", who.Name)
	}
	if strings.TrimSpace(p.Site) == "" {
		return nil, nil, critmin.FieldErrorf("/site", "a period to close needs the refinery's site")
	}
	site, err := CanonicalSite(p.Site)
	if err != nil {
		return nil, nil, critmin.FieldErrorf("/site", "%s", critmin.ErrorMessage(err))
	}
	p.Site = site
	if !validPeriod(p.Period) {
		return nil, nil, critmin.FieldErrorf("/period", "a period to close is a month YYYY-MM, got %q", p.Period)
	}
	zone := ""
	if siteZone != nil {
		if zone, err = siteZone(p.Site); err != nil {
			return nil, nil, err
		}
	}
	if zone != "" && p.TimeZone != zone {
		// The month's bounds (and so which lots and reports it holds) are
		// the site's: a flowsheet cannot move them.
		return nil, nil, critmin.FieldErrorf("/time_zone", "the flowsheet's time zone %q is not site %s's, %q (its master data, attribute %s): declare the site's zone", p.TimeZone, p.Site, zone, SiteTimeZoneAttr)
	}
	if err := closableMonth(p.Period, p.TimeZone, zone != "", now); err != nil {
		return nil, nil, err
	}
	// A closed period is refused before the reconciliation (a cheap read,
	// not a solve); the store's append still refuses a close that races.
	if _, err := s.ClosedPeriod(ctx, p.Site, p.Period); err == nil {
		return nil, nil, critmin.Errorf(critmin.ECONFLICT, "period %s of %s is already closed; reopen it first", p.Period, p.Site)
	} else if critmin.ErrorCode(err) != critmin.ENOTFOUND {
		return nil, nil, err
	}
	// Under the caller's context: a client that disconnects stops it.
	r, err := ReconcileContext(ctx, p)
	if err != nil {
		return nil, nil, err
	}
	if fs := recoveryFaults(p, r, nil, true); len(fs) > 0 {
		// The close's recoveries feed the planner and the mass balance:
		// every one must be a number in [0, 1].
		return nil, r, faultError(critmin.EINVALID, "the period cannot be closed: a recovery it would record cannot be determined; measure the quantities named, or give them as fixed values", fs)
	}
	if r.GlobalTest == TestFail && Blank(accept) {
		tie := ""
		for _, g := range r.GrossErrors {
			if len(g.TiedWith) > 0 {
				tie = fmt.Sprintf("; serial elimination cannot tell %s apart (parallel columns of the projected balances, or equal normalised adjustments, |z| = %.4g: a gross error in any one explains the data equally), so it removed none", strings.Join(append([]string{g.Pointer}, g.TiedWith...), ", "), math.Abs(g.NormalisedAdjustment))
				break
			}
		}
		return nil, r, critmin.Errorf(critmin.EINVALID, "the global test fails (chi-square %.2f > %.2f, %d suspected gross errors%s): correct the measurements, or close with a reason for accepting them", r.ChiSquare, r.ChiSquareCritical, len(r.GrossErrors), tie)
	}
	if r.AllMeasurements != nil && Blank(accept) {
		// Serial elimination dropped measurements: the reported solution
		// is not the one the operator measured (P754: a measurement
		// rejected needs a recorded justification).
		var names []string
		for _, g := range r.GrossErrors {
			if g.Located {
				names = append(names, g.Pointer)
			}
		}
		return nil, r, critmin.Errorf(critmin.EINVALID, "the reconciliation removed %d measurements as gross errors (%s; chi-square %.2f with all of them, %.2f without, dof %d): check them, or close with a reason for accepting their removal", len(names), strings.Join(names, ", "), r.AllMeasurements.ChiSquare, r.ChiSquare, r.DOF)
	}
	if names := suspectedKept(r); len(names) > 0 && Blank(accept) {
		// A measurement flagged as a suspected gross error and still in
		// the solution shapes the recoveries the close would record
		// (P754: a suspect measurement is justified or corrected before
		// sign-off), even when the global test passes.
		return nil, r, critmin.Errorf(critmin.EINVALID, "the reconciliation flags %d measurements as suspected gross errors and keeps them (%s; measurement test critical |z| %.3g): check them, or close with a reason for accepting them (--accept \"…\", API field accept)", len(names), strings.Join(names, ", "), float64(r.MeasurementTestCritical))
	}
	if r.DOF == 0 && Blank(accept) {
		return nil, r, critmin.Errorf(critmin.EINVALID, "the reconciliation has no degree of freedom (dof 0): no measurement is checked by another, so neither the chi-square test nor the gross-error tests say anything; add redundant measurements, or close with a reason for accepting the month unchecked")
	}
	if len(r.BoundsActive) > 0 && Blank(accept) {
		var names []string
		for _, b := range r.BoundsActive {
			names = append(names, fmt.Sprintf("%s held at %s", b.Pointer, Fig(b.Bound)))
		}
		return nil, r, critmin.Errorf(critmin.EINVALID, "the reconciliation holds %d quantities at a physical bound (%s): the measurements disagree with the balances beyond what the bounds allow, and the chi-square test is only approximate; check those measurements, or close with a reason for accepting them", len(r.BoundsActive), strings.Join(names, ", "))
	}
	if check != nil {
		if err := check(p.Site); err != nil {
			return nil, r, err
		}
	}
	pj, err := json.Marshal(p)
	if err != nil {
		return nil, nil, err
	}
	rj, err := json.Marshal(r)
	if err != nil {
		return nil, nil, err
	}
	rec := &critmin.PeriodRecord{Site: p.Site, Period: p.Period, Action: critmin.PeriodClose, Actor: who.Name, Role: who.Role,
		Reason: strings.TrimSpace(accept), At: now.UTC().Truncate(time.Microsecond), Problem: string(pj), Result: string(rj)}
	if err := appendChained(ctx, s, rec, key); err != nil {
		return nil, nil, err
	}
	return rec, r, nil
}

// suspectedKept names the measurements r flags as suspected gross
// errors that are still in its solution (not removed by serial
// elimination), with their normalised adjustments.
func suspectedKept(r *Result) []string {
	var names []string
	seen := map[string]bool{}
	for _, g := range r.GrossErrors {
		if !g.Located && !seen[g.Pointer] {
			seen[g.Pointer] = true
			names = append(names, fmt.Sprintf("%s |z| %.3g", g.Pointer, math.Abs(g.NormalisedAdjustment)))
		}
	}
	add := func(ptr string, e Estimate) {
		if e.Suspect && !e.Removed && !seen[ptr] {
			seen[ptr] = true
			z := 0.0
			if e.NormalisedAdjustment != nil {
				z = math.Abs(*e.NormalisedAdjustment)
			}
			names = append(names, fmt.Sprintf("%s |z| %.3g", ptr, z))
		}
	}
	for i, st := range r.Streams {
		add(fmt.Sprintf("/streams/%d/mass_t", i), st.Mass)
		for _, e := range sortedKeys(st.Grade) {
			add(fmt.Sprintf("/streams/%d/grade_pct/%s", i, e), st.Grade[e])
		}
	}
	return names
}

// MaxAppendAttempts bounds how often appendChained re-chains a record
// when other records (closes of other sites or periods) were appended
// between reading the chain's head and appending.
const MaxAppendAttempts = 20

// StableChain reads the period records and their audit-chain anchors as
// of one moment: the records are read before and after the anchors, and
// the read is repeated while another writer appended in between (an
// anchor read after a concurrent close would name a record the first
// read did not hold, and the chain would look truncated).
func StableChain(ctx context.Context, s critmin.RefineryStore) ([]*critmin.PeriodRecord, []*critmin.AuditEntry, error) {
	for range MaxAppendAttempts {
		before, err := s.PeriodRecords(ctx, "", "")
		if err != nil {
			return nil, nil, err
		}
		anchors, err := s.PeriodAnchors(ctx)
		if err != nil {
			return nil, nil, err
		}
		after, err := s.PeriodRecords(ctx, "", "")
		if err != nil {
			return nil, nil, err
		}
		if len(after) == len(before) {
			return after, anchors, nil
		}
	}
	return nil, nil, critmin.Errorf(critmin.ECONFLICT, "the period chain kept changing while it was read (%d attempts); try again", MaxAppendAttempts)
}

// appendChained chains rec to the current head, signs it and appends
// it. When the store refuses it because the chain moved on (another
// record was appended first: the head changed) it re-chains and tries
// again, so that independent closes and reopens all succeed; a refusal
// with the head unchanged is a real conflict (the period is already
// closed, or not closed for a reopen) and is returned.
func appendChained(ctx context.Context, s critmin.RefineryStore, rec *critmin.PeriodRecord, key ed25519.PrivateKey) error {
	// The store checks the signer (CheckSigner) in AppendPeriodRecord, so
	// that every writer is covered; refusing here first only spares a
	// read of the chain's head.
	if err := checkSigner(KeyID(key.Public().(ed25519.PublicKey)), s.PeriodKeys()); err != nil {
		return err
	}
	if rec.Action != critmin.PeriodVoid {
		// A close or reopen chained to records no reader trusts would
		// never be read either: the chain is repaired first (a void of
		// the foreign record, or a restore).
		recs, anchors, err := StableChain(ctx, s)
		if err != nil {
			return err
		}
		if err := VerifyChain(recs, anchors, s.PeriodKeys()); err != nil {
			how := "critmin verify checks the whole period chain"
			var fe *ForeignRecordError
			if errors.As(err, &fe) {
				how = fe.Recovery()
			}
			return critmin.Errorf(critmin.ECONFLICT, "the period chain fails verification, so nothing more is recorded on it: %s (%s)", err.Error(), how)
		}
	}
	var err error
	for range MaxAppendAttempts {
		prev, herr := s.LastPeriodHash(ctx)
		if herr != nil {
			return herr
		}
		rec.Prev = prev
		sign(rec, key)
		err = s.AppendPeriodRecord(ctx, rec)
		if critmin.ErrorCode(err) != critmin.ECONFLICT {
			return err
		}
		head, herr := s.LastPeriodHash(ctx)
		if herr != nil {
			return herr
		}
		if head == prev {
			return err // not a race: the record itself conflicts
		}
		if ctx.Err() != nil {
			return ctx.Err()
		}
	}
	return err
}

// ReopenPeriod records the reopening of a closed period by an admin, with
// a reason, signed with key. Errors: EFORBIDDEN unless who is an admin;
// EINVALID without a reason; ECONFLICT when the period is not closed.
func ReopenPeriod(ctx context.Context, s critmin.RefineryStore, site, period string, who Actor, reason string, key ed25519.PrivateKey, now time.Time) (*critmin.PeriodRecord, error) {
	if who.Role != critmin.RoleAdmin {
		return nil, critmin.Errorf(critmin.EFORBIDDEN, "reopening a period needs an admin")
	}
	if Blank(who.Name) {
		return nil, critmin.FieldErrorf("admin", "reopening a period needs the admin's name, kept in the audit trail (got %q: only spaces or invisible characters)", who.Name)
	}
	if Blank(reason) {
		return nil, critmin.FieldErrorf("reason", "reopening a period needs a reason, kept in the audit trail")
	}
	if !validPeriod(period) {
		return nil, PeriodError("period", period)
	}
	site, err := CanonicalSite(site)
	if err != nil {
		return nil, critmin.FieldErrorf("site", "%s", critmin.ErrorMessage(err))
	}
	rec := &critmin.PeriodRecord{Site: site, Period: period, Action: critmin.PeriodReopen, Actor: who.Name, Role: who.Role,
		Reason: strings.TrimSpace(reason), At: now.UTC().Truncate(time.Microsecond)}
	if err := appendChained(ctx, s, rec, key); err != nil {
		return nil, err
	}
	return rec, nil
}

// VerifyPeriods recomputes the period chain: each record's Prev is the
// previous record's Hash, its Hash is RecordHash, and its Signature
// verifies under its KeyID (and under pub, when pub is not nil). It
// returns the first fault, naming the record's seq. VerifyChain also
// checks the records against their audit anchors.
func VerifyPeriods(recs []*critmin.PeriodRecord, pub ed25519.PublicKey) error {
	var keys []ed25519.PublicKey
	if pub != nil {
		keys = append(keys, pub)
	}
	return verifyPeriods(recs, keys)
}

// ForeignRecordError is the fault of a period record the installation
// cannot vouch for: signed by a key that is not one of its keys, or
// changed after it was signed. Every reader of closes refuses the chain
// while such a record stands; an admin voids it (VoidRecord, critmin
// refinery void-record) with the installation's key.
type ForeignRecordError struct {
	Seq                  int64
	Action, Site, Period string
	KeyID                string
	Cause                string
}

func (e *ForeignRecordError) Error() string {
	return fmt.Sprintf("period record %d (%s %s %s): %s", e.Seq, e.Action, e.Site, e.Period, e.Cause)
}

// recordCause is CheckRecord's err without the record's name, which
// ForeignRecordError.Error puts in front of it: said once.
func recordCause(r *critmin.PeriodRecord, err error) string {
	msg := err.Error()
	for _, name := range []string{fmt.Sprintf("period record %d (%s %s %s): ", r.Seq, r.Action, r.Site, r.Period), fmt.Sprintf("period record %d: ", r.Seq)} {
		msg = strings.TrimPrefix(msg, name)
	}
	return msg
}

// Recovery says how an operator sets the record aside.
func (e *ForeignRecordError) Recovery() string {
	return fmt.Sprintf("if record %d is not one this installation made, an admin voids it with the installation's key — critmin refinery void-record --seq %d --reason \"…\" (docs/refinery.md, \"Foreign close records\"); nothing is deleted", e.Seq, e.Seq)
}

// voidedBy returns the hashes of the records voided by a void record of
// recs that is itself sound (its hash and signature verify, signed by
// one of keys): the records readers skip.
func voidedBy(recs []*critmin.PeriodRecord, keys []ed25519.PublicKey) map[string]bool {
	voided := map[string]bool{}
	for _, r := range recs {
		if r.Action == critmin.PeriodVoid && CheckRecord(r) == nil && trusted(r.KeyID, keys) {
			voided[r.Result] = true
		}
	}
	return voided
}

func verifyPeriods(recs []*critmin.PeriodRecord, keys []ed25519.PublicKey) error {
	voided := voidedBy(recs, keys)
	seen := map[string]bool{}
	prev := ""
	for _, r := range recs {
		if r.Prev != prev {
			return fmt.Errorf("period record %d: prev %.12s… is not the previous record's hash %.12s…", r.Seq, r.Prev, prev)
		}
		prev = r.Hash
		if r.Action == critmin.PeriodVoid && !seen[r.Result] {
			// A void names an earlier record (its hash).
			return fmt.Errorf("period record %d (void %s %s): voids %.12s…, which is no earlier record of the chain", r.Seq, r.Site, r.Period, r.Result)
		}
		seen[r.Hash] = true
		if voided[r.Hash] {
			// Set aside by a void signed with the installation's key:
			// only its place in the chain (its link) still counts.
			continue
		}
		if err := CheckRecord(r); err != nil {
			return &ForeignRecordError{Seq: r.Seq, Action: r.Action, Site: r.Site, Period: r.Period, KeyID: r.KeyID, Cause: recordCause(r, err)}
		}
		if !trusted(r.KeyID, keys) {
			return &ForeignRecordError{Seq: r.Seq, Action: r.Action, Site: r.Site, Period: r.Period, KeyID: r.KeyID,
				Cause: fmt.Sprintf("signed by key %.12s…, not one of this installation's keys", r.KeyID)}
		}
	}
	return nil
}

// CheckSigner is the check every writer of the period chain makes
// before it appends rec (sqldb's AppendPeriodRecord runs it, so that no
// writer can skip it): the installation's keys are known (keys is not
// empty), rec's Hash is RecordHash of its content and its Signature
// verifies under KeyID, and KeyID is one of keys. EINVALID naming the
// fault otherwise: a record no reader would trust is never stored.
func CheckSigner(rec *critmin.PeriodRecord, keys []ed25519.PublicKey) error {
	if err := checkSigner(rec.KeyID, keys); err != nil {
		return err
	}
	if err := CheckRecord(rec); err != nil {
		return critmin.FieldErrorf("signature", "%v", err)
	}
	return nil
}

func checkSigner(keyID string, keys []ed25519.PublicKey) error {
	if len(keys) == 0 {
		return critmin.FieldErrorf("key", "this installation's signing key is not known, so a period record could be signed by anyone: give the store the installation's key (critmin serve and critmin init create signing.key beside the SQLite database or in the data directory; CRITMIN_SIGNING_KEY names another)")
	}
	if !trusted(keyID, keys) {
		return critmin.FieldErrorf("key", "key %.12s… is not this installation's signing key: a period record signed by it could never be verified; sign with the installation's key (signing.key beside the database, or the server's)", keyID)
	}
	return nil
}

// VoidRecord sets aside the period record seq that the installation
// cannot vouch for — signed by a key that is not one of the store's
// PeriodKeys, or changed after it was signed — by appending a void
// record (critmin.PeriodVoid) naming its hash, signed with key (which
// the store checks is the installation's), by an admin with a reason.
// Nothing is deleted; readers skip the voided record and the period is
// as if it had never been recorded (close it again to replace it).
// Errors: EFORBIDDEN unless who is an admin; EINVALID without a reason
// or for a void record; ENOTFOUND for no such record; ECONFLICT for a
// record the installation signed (reopen it instead) or one already
// voided.
func VoidRecord(ctx context.Context, s critmin.RefineryStore, seq int64, who Actor, reason string, key ed25519.PrivateKey, now time.Time) (*critmin.PeriodRecord, error) {
	if who.Role != critmin.RoleAdmin {
		return nil, critmin.Errorf(critmin.EFORBIDDEN, "voiding a period record needs an admin")
	}
	if Blank(who.Name) {
		return nil, critmin.FieldErrorf("admin", "voiding a period record needs the admin's name, kept in the audit trail (got %q: only spaces or invisible characters)", who.Name)
	}
	if Blank(reason) {
		return nil, critmin.FieldErrorf("reason", "voiding a period record needs a reason, kept in the audit trail")
	}
	recs, err := s.PeriodRecords(ctx, "", "")
	if err != nil {
		return nil, err
	}
	var target *critmin.PeriodRecord
	for _, r := range recs {
		if r.Seq == seq {
			target = r
		}
	}
	if target == nil {
		return nil, critmin.FieldErrorf("seq", "there is no period record %d", seq)
	}
	if target.Action == critmin.PeriodVoid {
		return nil, critmin.FieldErrorf("seq", "period record %d is itself a void", seq)
	}
	if voidedBy(recs, s.PeriodKeys())[target.Hash] {
		return nil, critmin.Errorf(critmin.ECONFLICT, "period record %d is already voided", seq)
	}
	if CheckRecord(target) == nil && trusted(target.KeyID, s.PeriodKeys()) && len(s.PeriodKeys()) > 0 {
		return nil, critmin.Errorf(critmin.ECONFLICT, "period record %d (%s %s %s) is signed by this installation's key and intact: it cannot be voided; reopen the period instead", seq, target.Action, target.Site, target.Period)
	}
	rec := &critmin.PeriodRecord{Site: target.Site, Period: target.Period, Action: critmin.PeriodVoid, Actor: who.Name, Role: who.Role,
		Reason: strings.TrimSpace(reason), At: now.UTC().Truncate(time.Microsecond), Result: target.Hash}
	if err := appendChained(ctx, s, rec, key); err != nil {
		return nil, err
	}
	return rec, nil
}

// Anchor is the detail of the audit entry (critmin.AuditRefineryPeriod)
// that anchors a period record in the audit chain.
type Anchor struct {
	Seq    int64  `json:"seq"`
	Action string `json:"action"`
	Site   string `json:"site"`
	Period string `json:"period"`
	Hash   string `json:"hash"`
	KeyID  string `json:"keyID"`
}

// AnchorOf returns the anchor of rec.
func AnchorOf(rec *critmin.PeriodRecord) Anchor {
	return Anchor{Seq: rec.Seq, Action: rec.Action, Site: rec.Site, Period: rec.Period, Hash: rec.Hash, KeyID: rec.KeyID}
}

// VerifyChain checks the period chain as tamper-evidently as the event
// log: VerifyPeriods (links, hashes, signatures, and — when keys is not
// empty — every record signed by one of the installation's keys), and
// record i matching anchor i of the audit chain (seq, action, site,
// period, hash, key), with as many anchors as records. A record deleted
// from the end of the chain leaves its anchor behind; a record re-signed
// with another key or rewritten with a new hash no longer matches its
// anchor; an anchor deleted from the end of the audit chain shows
// against a kept checkpoint (docs/verify.md). Every close's stored
// result must pass Check against its stored problem. It returns the
// first fault, naming the record.
func VerifyChain(recs []*critmin.PeriodRecord, anchors []*critmin.AuditEntry, keys []ed25519.PublicKey) error {
	if err := verifyPeriods(recs, keys); err != nil {
		return err
	}
	for _, a := range anchors {
		// Each anchor's own hash, as critmin verify checks the whole
		// audit chain: an anchor edited to match an edited record no
		// longer gives its hash.
		if h := critmin.AuditHash(a.Prev, a); h != a.Hash {
			return fmt.Errorf("audit entry %d (%s %s): its content no longer gives its hash (it was edited after it was written); critmin verify checks the audit chain", a.Seq, a.Action, a.Subject)
		}
	}
	// Anchors are matched to records by the record's seq, not by
	// position, so that anchors written later for records closed before
	// anchoring existed (BackfillAnchors) match their records. Two
	// anchors of one record must say the same thing.
	bySeq := map[int64]Anchor{}
	entryOf := map[int64]int64{}
	for _, e := range anchors {
		var a Anchor
		if err := json.Unmarshal([]byte(e.Detail), &a); err != nil {
			return fmt.Errorf("audit entry %d: not a period anchor: %v", e.Seq, err)
		}
		if prev, dup := bySeq[a.Seq]; dup && prev != a {
			return fmt.Errorf("audit entries %d and %d anchor period record %d differently: the audit chain was written outside critmin", entryOf[a.Seq], e.Seq, a.Seq)
		}
		if _, dup := bySeq[a.Seq]; !dup {
			bySeq[a.Seq], entryOf[a.Seq] = a, e.Seq
		}
	}
	have := map[int64]bool{}
	for _, r := range recs {
		have[r.Seq] = true
		a, ok := bySeq[r.Seq]
		if !ok {
			return fmt.Errorf("period record %d (%s %s %s): no audit entry anchors it (it was added outside critmin, the audit chain was cut, or it was closed before anchoring: critmin refinery backfill-audit)", r.Seq, r.Action, r.Site, r.Period)
		}
		if a != AnchorOf(r) {
			return fmt.Errorf("period record %d (%s %s %s): does not match its anchor, audit entry %d (record %d %s %s %s, hash %.12s…): the record was rewritten, re-signed or deleted", r.Seq, r.Action, r.Site, r.Period, entryOf[r.Seq], a.Seq, a.Action, a.Site, a.Period, a.Hash)
		}
	}
	voided := voidedBy(recs, keys)
	for _, r := range recs {
		if r.Action != critmin.PeriodClose || voided[r.Hash] {
			continue
		}
		var p Problem
		var res Result
		if err := json.Unmarshal([]byte(r.Problem), &p); err != nil {
			return fmt.Errorf("period record %d: stored problem: %v", r.Seq, err)
		}
		if err := json.Unmarshal([]byte(r.Result), &res); err != nil {
			return fmt.Errorf("period record %d: stored result: %v", r.Seq, err)
		}
		if err := Check(&p, &res); err != nil {
			return fmt.Errorf("period record %d (%s %s %s): the stored result does not reconcile the stored problem: %v", r.Seq, r.Action, r.Site, r.Period, err)
		}
	}
	for _, e := range anchors {
		var a Anchor
		_ = json.Unmarshal([]byte(e.Detail), &a)
		if !have[a.Seq] {
			return fmt.Errorf("period record %d (%s %s %s), anchored by audit entry %d, is missing: the period chain was truncated", a.Seq, a.Action, a.Site, a.Period, e.Seq)
		}
	}
	return nil
}

// AuditAppender appends entries to the audit chain (critmin.Store's
// AppendAudit).
type AuditAppender interface {
	AppendAudit(ctx context.Context, entries ...*critmin.AuditEntry) error
}

// BackfillAnchors anchors in the audit chain every period record that no
// audit entry anchors: records closed before anchoring existed, which
// every reader otherwise refuses ("no audit entry anchors it"). The
// records are checked first as VerifyChain checks them (chained hashes,
// signatures by the installation key, which the store must know: a
// record no one can vouch for is never anchored), and only then
// anchored, once: a second run finds nothing to do (idempotent). It
// returns the records it anchored, in chain order. The anchors say what
// the records are now; they cannot prove what the records were before
// the backfill (docs/refinery.md §5).
func BackfillAnchors(ctx context.Context, s critmin.RefineryStore, a AuditAppender, now time.Time) ([]*critmin.PeriodRecord, error) {
	keys := s.PeriodKeys()
	if len(keys) == 0 {
		return nil, critmin.FieldErrorf("key", "this store knows no installation signing key: the records' signatures cannot be checked, so none is anchored (give the installation's signing.key or CRITMIN_SIGNING_KEY)")
	}
	recs, anchors, err := StableChain(ctx, s)
	if err != nil {
		return nil, err
	}
	if err := verifyPeriods(recs, keys); err != nil {
		return nil, critmin.Errorf(critmin.ECONFLICT, "the period chain does not verify, so nothing is anchored: %v", err)
	}
	anchored := map[int64]bool{}
	for _, e := range anchors {
		var an Anchor
		if err := json.Unmarshal([]byte(e.Detail), &an); err == nil {
			anchored[an.Seq] = true
		}
	}
	var out []*critmin.PeriodRecord
	var entries []*critmin.AuditEntry
	for _, r := range recs {
		if anchored[r.Seq] {
			continue
		}
		detail, err := json.Marshal(AnchorOf(r))
		if err != nil {
			return nil, err
		}
		entries = append(entries, &critmin.AuditEntry{At: now, Action: critmin.AuditRefineryPeriod, Subject: r.Site + " " + r.Period + " (backfilled)", Detail: string(detail)})
		out = append(out, r)
	}
	if len(entries) == 0 {
		return nil, nil
	}
	if err := a.AppendAudit(ctx, entries...); err != nil {
		return nil, err
	}
	return out, nil
}

// ErrTampered marks a period record whose content no longer gives its
// hash, or whose signature does not verify under its key: it was edited
// after it was recorded. The error ClosedResult (and so every reader of
// a close: RecoveryFor, the planner's yields, the mass balance's
// factors, the report) returns wraps it beside a critmin.ECONFLICT error
// naming the record; test with errors.Is.
var ErrTampered = errors.New("refinery: period record changed after it was recorded")

// ErrUnverified marks a reader whose store knows no installation key
// (PeriodKeys is empty, as a PostgreSQL store opened without
// signing.key or CRITMIN_SIGNING_KEY): the signers of the close records
// cannot be checked, so no period is treated as closed. The error every
// reader of closes (ClosedResult, ClosedPeriods, RecoveryFor) returns
// then wraps it beside a critmin.ENOTFOUND error naming the missing key;
// consumers pass the warning on (the planner's warnings, the mass
// balance's factor source). Test with errors.Is.
var ErrUnverified = errors.New("refinery: close records cannot be verified without the installation key")

// CheckRecord checks one period record on its own: its Hash is
// RecordHash of its content and its Signature verifies under its KeyID.
// VerifyPeriods checks the chain as a whole (the links between records
// and, given the operator's key, who signed).
func CheckRecord(r *critmin.PeriodRecord) error {
	if h := RecordHash(r); h != r.Hash {
		return fmt.Errorf("period record %d (%s %s %s): content changed after it was recorded", r.Seq, r.Action, r.Site, r.Period)
	}
	k, err := base64.StdEncoding.DecodeString(r.KeyID)
	if err != nil || len(k) != ed25519.PublicKeySize {
		return fmt.Errorf("period record %d: key id is not an Ed25519 public key", r.Seq)
	}
	sig, err := base64.StdEncoding.DecodeString(r.Signature)
	raw, _ := hex.DecodeString(r.Hash)
	if err != nil || !ed25519.Verify(ed25519.PublicKey(k), raw, sig) {
		return fmt.Errorf("period record %d: signature does not verify", r.Seq)
	}
	return nil
}

// trusted reports whether keyID is one of keys (any key when keys is
// empty: no installation key was given).
func trusted(keyID string, keys []ed25519.PublicKey) bool {
	if len(keys) == 0 {
		return true
	}
	k, _ := base64.StdEncoding.DecodeString(keyID)
	for _, pub := range keys {
		if pub.Equal(ed25519.PublicKey(k)) {
			return true
		}
	}
	return false
}

// ValidPeriod reports whether s is a month YYYY-MM (01–12).
func ValidPeriod(s string) bool { return validPeriod(s) }

// FirstYear is the earliest year a period may be closed in.
const FirstYear = 1900

// LatestZone is the time zone in which a month ends last (UTC−12:00):
// a month that has ended there has ended everywhere.
const LatestZone = "-12:00"

// SiteTimeZoneAttr is the master-data attribute of a site (a
// BusinessLocation or ReadPoint vocabulary element) that declares its
// time zone, an IANA name or ±HH:MM (CBV has none). When it is declared,
// a flowsheet closing the site must declare the same time_zone.
const SiteTimeZoneAttr = "urn:critmin:mda#timeZone"

// closableMonth refuses a month that has not ended at now — its end (the
// 1st of the next month at 00:00 in the site's time zone tz, PeriodBounds)
// is after now, so its measurements cannot all exist yet; the current
// month is one of them — or a month before FirstYear. Unless the site's
// zone is known (siteKnown: declared in its master data, and tz is it),
// the month must also have ended in LatestZone: a flowsheet's own
// time_zone ("+14:00") cannot make a month that is still running at the
// site closable.
func closableMonth(period, tz string, siteKnown bool, now time.Time) error {
	t, _ := time.Parse("2006-01", period)
	if t.Year() < FirstYear {
		return critmin.FieldErrorf("/period", "%s is before %d: not a month of the refinery's accounts", period, FirstYear)
	}
	zones := []string{tz}
	if !siteKnown {
		zones = append(zones, LatestZone)
	}
	for _, z := range zones {
		_, to, err := PeriodBounds(period, z)
		if err != nil {
			return err
		}
		if to.After(now) {
			why := ""
			if z == LatestZone && z != tz {
				flowsheetZone := "time zone (UTC, none declared)"
				if tz != "" {
					flowsheetZone = fmt.Sprintf("time_zone %q", tz)
				}
				why = fmt.Sprintf(" in UTC−12, where a month ends last (the site's time zone is not declared in its master data, attribute %s, so the flowsheet's %s cannot be relied on)", SiteTimeZoneAttr, flowsheetZone)
			}
			latest, err := latestClosableMonth(zones, now)
			if err != nil {
				return err
			}
			return critmin.FieldErrorf("/period", "%s has not ended%s: it ends %s (%s UTC), after now; the latest month that can be closed is %s", period, why, to.Format("2006-01-02 15:04 -07:00"), to.UTC().Format("2006-01-02 15:04"), latest)
		}
	}
	return nil
}

// latestClosableMonth is the latest month (YYYY-MM) that has ended at now
// in every one of zones — the same zones closableMonth checks, so the
// month it names is accepted: in each zone, the month before the one now
// falls in; the earliest of these.
func latestClosableMonth(zones []string, now time.Time) (string, error) {
	latest := ""
	for _, z := range zones {
		loc, err := zoneOf(z)
		if err != nil {
			return "", critmin.FieldErrorf("/time_zone", "%v", err)
		}
		local := now.In(loc)
		m := time.Date(local.Year(), local.Month(), 1, 0, 0, 0, 0, loc).AddDate(0, -1, 0).Format("2006-01")
		if latest == "" || m < latest {
			latest = m
		}
	}
	return latest, nil
}

// SiteZone returns site's time zone as its master data declares it
// (SiteTimeZoneAttr on its BusinessLocation or ReadPoint element, latest
// version), "" when none does. EINVALID naming the attribute when the
// declared zone is not one.
func SiteZone(ctx context.Context, s critmin.MasterDataStore, site string) (string, error) {
	for _, vt := range siteVocabularies {
		h, err := s.MasterDataHistory(ctx, vt, site)
		if critmin.ErrorCode(err) == critmin.ENOTFOUND {
			continue
		}
		if err != nil {
			return "", fmt.Errorf("refinery: master data of site %s: %w", site, err)
		}
		if len(h) == 0 {
			continue
		}
		last := h[len(h)-1]
		z := last.Attributes[SiteTimeZoneAttr]
		for name, iri := range last.AttributeIRIs {
			if iri == SiteTimeZoneAttr && z == "" {
				z = last.Attributes[name]
			}
		}
		if z == "" {
			continue
		}
		if _, err := zoneOf(z); err != nil {
			return "", critmin.FieldErrorf("/site", "site %s's master data declares time zone %q (%s): %v", site, z, SiteTimeZoneAttr, err)
		}
		return z, nil
	}
	return "", nil
}

// CanonicalSite returns the form of a site id that closes and queries
// compare: a URI (RFC 3986: a scheme, then ":"), without white space;
// for a URN the scheme and the namespace identifier in lower case, the
// namespace-specific string as written (RFC 8141 §3.1: "urn" and the NID
// are case-insensitive, the NSS is compared as written); any other URI
// as written (docs/identity.md: an identifier that is not a GS1 key
// matches only as written). EINVALID naming the reason otherwise.
func CanonicalSite(site string) (string, error) {
	if site == "" {
		return "", critmin.Errorf(critmin.EINVALID, "a site id is required")
	}
	if strings.IndexFunc(site, func(r rune) bool { return unicode.IsSpace(r) || unicode.IsControl(r) }) >= 0 {
		return "", critmin.Errorf(critmin.EINVALID, "site id %q contains white space or control characters", site)
	}
	u, err := url.Parse(site)
	if err != nil || u.Scheme == "" || (u.Opaque == "" && u.Host == "") {
		return "", critmin.Errorf(critmin.EINVALID, "site id %q is not a URI (e.g. urn:epc:id:sgln:… or https://…)", site)
	}
	if strings.EqualFold(u.Scheme, "urn") {
		parts := strings.SplitN(site, ":", 3)
		if len(parts) != 3 || parts[1] == "" || parts[2] == "" {
			return "", critmin.Errorf(critmin.EINVALID, "site id %q is not a URN (urn:NID:NSS)", site)
		}
		return "urn:" + strings.ToLower(parts[1]) + ":" + parts[2], nil
	}
	return site, nil
}

func validPeriod(s string) bool {
	_, err := time.Parse("2006-01", s)
	return err == nil
}

// ClosedResult returns the problem and reconciliation of a closed period,
// as stored in its close record. Whether the period is closed is decided
// from the verified chain (VerifyChain: every record linked, hashed,
// signed by an installation key and anchored in the audit chain), never
// from a lone record: a reopen deleted, moved or re-signed makes every
// close unusable until critmin verify's fault is repaired. ENOTFOUND when the
// period is open or was never closed; an ECONFLICT error wrapping
// ErrTampered, naming the fault, when the chain or the record fails.
func ClosedResult(ctx context.Context, s critmin.RefineryStore, site, period string) (*critmin.PeriodRecord, *Problem, *Result, error) {
	if c, err := CanonicalSite(site); err == nil {
		site = c
	}
	recs, err := verifiedChain(ctx, s, site+" "+period)
	if err != nil {
		return nil, nil, nil, err
	}
	var rec *critmin.PeriodRecord
	for _, r := range recs {
		if r.Site == site && r.Period == period {
			rec = r
		}
	}
	switch {
	case rec == nil:
		return nil, nil, nil, critmin.Errorf(critmin.ENOTFOUND, "period %s of %s was never closed", period, site)
	case rec.Action != critmin.PeriodClose:
		return nil, nil, nil, critmin.Errorf(critmin.ENOTFOUND, "period %s of %s is open (reopened at %s)", period, site, rec.At.Format("2006-01-02 15:04"))
	}
	var p Problem
	var r Result
	if err := json.Unmarshal([]byte(rec.Problem), &p); err != nil {
		return nil, nil, nil, fmt.Errorf("refinery: closed period %s %s: problem: %w", site, period, err)
	}
	if err := json.Unmarshal([]byte(rec.Result), &r); err != nil {
		return nil, nil, nil, fmt.Errorf("refinery: closed period %s %s: result: %w", site, period, err)
	}
	return rec, &p, &r, nil
}

// ReopenedResult returns, for a period that was closed and is now
// reopened, its reopen record, the close that reopen set aside and that
// close's problem and result, decided from the verified chain as
// ClosedResult is. A reopened period's page shows these figures marked
// as superseded (never as signed off) with the reopen's reason, when it
// cannot be reconciled live. ENOTFOUND when the period is closed now or
// was never closed.
func ReopenedResult(ctx context.Context, s critmin.RefineryStore, site, period string) (reopen, closed *critmin.PeriodRecord, p *Problem, r *Result, err error) {
	if c, err := CanonicalSite(site); err == nil {
		site = c
	}
	recs, err := verifiedChain(ctx, s, site+" "+period)
	if err != nil {
		return nil, nil, nil, nil, err
	}
	for _, rec := range recs {
		if rec.Site != site || rec.Period != period {
			continue
		}
		switch rec.Action {
		case critmin.PeriodClose:
			closed, reopen = rec, nil
		case critmin.PeriodReopen:
			reopen = rec
		}
	}
	if reopen == nil || closed == nil {
		return nil, nil, nil, nil, critmin.Errorf(critmin.ENOTFOUND, "period %s of %s is not reopened", period, site)
	}
	p, r = new(Problem), new(Result)
	if err := json.Unmarshal([]byte(closed.Problem), p); err != nil {
		return nil, nil, nil, nil, fmt.Errorf("refinery: reopened period %s %s: problem: %w", site, period, err)
	}
	if err := json.Unmarshal([]byte(closed.Result), r); err != nil {
		return nil, nil, nil, nil, fmt.Errorf("refinery: reopened period %s %s: result: %w", site, period, err)
	}
	return reopen, closed, p, r, nil
}

// verifiedChain reads the whole period chain and its anchors and
// returns the records when VerifyChain passes; otherwise an ECONFLICT
// error wrapping ErrTampered naming what was asked (what) and the fault.
func verifiedChain(ctx context.Context, s critmin.RefineryStore, what string) ([]*critmin.PeriodRecord, error) {
	recs, anchors, err := StableChain(ctx, s)
	if err != nil {
		return nil, err
	}
	if err := VerifyChain(recs, anchors, s.PeriodKeys()); err != nil {
		// Closes feed the planner and the mass balance: none of their
		// figures may come from an edited, forged or truncated chain.
		how := "critmin verify checks the whole period chain; reopen and close the period again to replace it"
		var fe *ForeignRecordError
		if errors.As(err, &fe) {
			how = fe.Recovery()
		}
		return nil, fmt.Errorf("%w%.0w", critmin.Errorf(critmin.ECONFLICT, "closed period %s: %s; its figures are not used (%s)", what, err.Error(), how), ErrTampered)
	}
	if len(s.PeriodKeys()) == 0 && len(recs) > 0 {
		// Without the installation's key anyone could have signed the
		// records (the checks above still find edits, forgeries and
		// cuts): no period is called closed on them.
		return nil, fmt.Errorf("%w%.0w", critmin.Errorf(critmin.ENOTFOUND, "closed period %s cannot be verified: this store knows no installation signing key (signing.key beside the SQLite database or in the data directory, or the file CRITMIN_SIGNING_KEY names), so who signed its close records is not checked; the period is treated as not closed — give the reader the installation's key", what), ErrUnverified)
	}
	// Voids and the records they set aside are not closes or reopens.
	voided := voidedBy(recs, s.PeriodKeys())
	kept := recs[:0:0]
	for _, r := range recs {
		if r.Action != critmin.PeriodVoid && !voided[r.Hash] {
			kept = append(kept, r)
		}
	}
	return kept, nil
}

// ClosedPeriods returns the periods of site closed now, latest first,
// decided from the verified chain (errors as ClosedResult's).
func ClosedPeriods(ctx context.Context, s critmin.RefineryStore, site string) ([]string, error) {
	if c, err := CanonicalSite(site); err == nil {
		site = c
	}
	recs, err := verifiedChain(ctx, s, "of "+site)
	if err != nil {
		return nil, err
	}
	last := map[string]string{} // period → action of its last record
	for _, r := range recs {
		if r.Site == site {
			last[r.Period] = r.Action
		}
	}
	var closed []string
	for p, a := range last {
		if a == critmin.PeriodClose {
			closed = append(closed, p)
		}
	}
	sort.Sort(sort.Reverse(sort.StringSlice(closed)))
	return closed, nil
}

// Recovery is the reconciled recovery of one element (or group of
// elements) to one product stream of a closed period, with where it
// comes from.
type Recovery struct {
	Site      string  `json:"site"`
	Period    string  `json:"period"`
	Element   string  `json:"element"`
	Stream    string  `json:"stream"`
	Commodity string  `json:"commodity,omitempty"` // the stream's commodity, as the planner names it
	Fraction  float64 `json:"fraction"`            // element in the stream / element fed, 0–1
	Seq       int64   `json:"closeSeq"`            // the close record it comes from
	Hash      string  `json:"closeHash"`
	// Stale is set when the ledger received, after the close, events
	// the month's measurements read (Report.CheckStale): the signed
	// figure does not take them in. Warning says so in words, and says
	// when the close is not ledger-backed (notLedgerBacked); consumers
	// pass it on to the user.
	Stale   *Staleness `json:"stale,omitempty"`
	Warning string     `json:"warning,omitempty"`
}

// StaleWarning says, for a recovery read from a stale close, why it
// may be out of date; "" when st is nil.
func StaleWarning(site, period string, seq int64, st *Staleness) string {
	if st == nil {
		return ""
	}
	n := fmt.Sprint(len(st.Events))
	if st.More {
		n = "more than " + n
	}
	return fmt.Sprintf("STALE: %s events dated in %s at %s were captured after the period was closed (close record %d, %s); this recovery does not take them in — an admin reopens the period and it is closed again", n, period, site, seq, strings.Join(st.Events, ", "))
}

// RecoveryFor returns the reconciled recovery of element into each
// product stream (kind "product", or any stream leaving the flowsheet
// when none is marked) of the closed period of site, for the planner's
// line yields and the mass balance's conversion factors. The basis is
// what the plant processed, stock-corrected: the element fed less the
// net build-up of every stock (ElementResult.Processed) — not the
// reconciled recovery's sources (feed plus stock drawn down), which
// counts metal that went to a growing stockpile as not recovered, so
// that a month of build-up understated the line's yield by the stock
// change (nu12f: 0.61 for a plant recovering 0.76). A line yield is a
// property of the plant's units and must not depend on stock movement
// (docs/refinery.md §6). element may be
// a group joined by "+" ("Nd+Pr"): its recovery is the group's contained
// tonnes in the stream over the group's sources. Products that cannot
// carry the element (none of it reaches them) are left out. ENOTFOUND
// when the period is not closed, or (wrapping ErrNotAccounted) an
// element is not accounted in the closed period; an
// ECONFLICT error wrapping ErrUndetermined, naming the element, stream
// and cause, when a recovery of the group cannot be determined or lies
// outside [0, 1] (a close recorded before closes were checked for it).
func RecoveryFor(ctx context.Context, s critmin.RefineryStore, site, element, period string) ([]Recovery, error) {
	rec, p, r, err := ClosedResult(ctx, s, site, period)
	if err != nil {
		return nil, err
	}
	group := strings.Split(element, "+")
	seen := map[string]bool{}
	for _, e := range group {
		if e == "" || seen[e] {
			return nil, critmin.FieldErrorf("element", "element %q names %q twice or is empty: an element group is distinct symbols joined by + (Nd+Pr)", element, e)
		}
		seen[e] = true
	}
	for _, e := range group {
		found := false
		for _, a := range r.Accounts {
			found = found || a.Element == e
		}
		if !found {
			return nil, fmt.Errorf("%w%.0w", critmin.Errorf(critmin.ENOTFOUND, "element %s is not accounted in closed period %s of %s (close record %d)", e, period, site, rec.Seq), ErrNotAccounted)
		}
	}
	if fs := recoveryFaults(p, r, group, false); len(fs) > 0 {
		return nil, fmt.Errorf("%w%.0w", faultError(critmin.ECONFLICT, fmt.Sprintf("the %s recovery of closed period %s of %s (close record %d) cannot be used", element, period, site, rec.Seq), fs), ErrUndetermined)
	}
	stores := DownstreamStores(p)
	feed := 0.0
	for _, e := range group {
		found := false
		for _, a := range r.Accounts {
			if a.Element == e {
				feed += float64(a.Processed())
				for _, n := range stores {
					feed += storeBuildUp(a, n)
				}
				found = true
			}
		}
		if !found {
			return nil, fmt.Errorf("%w%.0w", critmin.Errorf(critmin.ENOTFOUND, "element %s is not accounted in closed period %s of %s (close record %d)", e, period, site, rec.Seq), ErrNotAccounted)
		}
	}
	stream := map[string]Stream{}
	anyProduct := false
	for _, st := range p.Streams {
		stream[st.ID] = st
		anyProduct = anyProduct || st.Kind == "product"
	}
	// storeShare[stream][element] is the build-up of the downstream
	// store a product stream leaves (in tonnes of element), shared among
	// the store's outgoing product streams pro rata to the element each
	// carries (the whole to the one stream when a store ships one).
	storeShare := map[string]map[string]float64{}
	for _, n := range stores {
		var ships []StreamResult
		for _, sr := range r.Streams {
			if sr.From == n && sr.To == "" && (!anyProduct || stream[sr.ID].Kind == "product") {
				ships = append(ships, sr)
			}
		}
		if len(ships) == 0 {
			continue // a residue store: in the basis, in no product
		}
		for _, e := range group {
			var a ElementResult
			for _, x := range r.Accounts {
				if x.Element == e {
					a = x
				}
			}
			d := storeBuildUp(a, n)
			if d == 0 {
				continue
			}
			tot := 0.0
			for _, sr := range ships {
				tot += float64(sr.Contained[e])
			}
			if !(tot > 0) && len(ships) > 1 {
				return nil, fmt.Errorf("%w%.0w", critmin.Errorf(critmin.ECONFLICT, "the %s recovery of closed period %s of %s cannot be shared: product store %s built up %s t of %s and shipped none of it on its %d product streams, so which product it is cannot be told", element, period, site, n, Fig(d), e, len(ships)), ErrUndetermined)
			}
			for _, sr := range ships {
				w := 1.0
				if tot > 0 {
					w = float64(sr.Contained[e]) / tot
				}
				if storeShare[sr.ID] == nil {
					storeShare[sr.ID] = map[string]float64{}
				}
				storeShare[sr.ID][e] += w * d
			}
		}
	}
	out := []Recovery{}
	warn := notLedgerBacked(ctx, s, rec, p)
	for _, sr := range r.Streams {
		st := stream[sr.ID]
		if sr.To != "" || (anyProduct && st.Kind != "product") {
			continue
		}
		x := 0.0
		for _, e := range group {
			x += float64(sr.Contained[e])
			// A product store's build-up was produced by the plant:
			// it counts as recovered into the products the store ships.
			x += storeShare[sr.ID][e]
		}
		if x == 0 {
			continue
		}
		f := x / feed
		if !finite(f) || f < -BoundTol || f > 1+BoundTol {
			return nil, fmt.Errorf("%w%.0w", critmin.Errorf(critmin.ECONFLICT, "the %s recovery of closed period %s of %s to %s is %s: not a share of the element processed (feed less stock built up)", element, period, site, sr.ID, Fig(float64(f))), ErrUndetermined)
		}
		out = append(out, Recovery{Site: rec.Site, Period: period, Element: element, Stream: sr.ID, Commodity: st.Commodity, Fraction: math.Min(1, math.Max(0, f)), Seq: rec.Seq, Hash: rec.Hash, Warning: warn})
	}
	// Every reader of a recovery (yields, the API, the planner, the
	// mass balance) learns that its close is stale, as the report does.
	if ev, ok := s.(EventFinder); ok && len(out) > 0 {
		rep := &Report{Site: rec.Site, Period: period, SignOff: rec, problem: p}
		if err := rep.CheckStale(ctx, ev); err != nil {
			return nil, err
		}
		if rep.Stale != nil {
			w := StaleWarning(rec.Site, period, rec.Seq, rep.Stale)
			for i := range out {
				out[i].Stale, out[i].Warning = rep.Stale, w
			}
		}
	}
	return out, nil
}

// DownstreamStores returns the inventory nodes of p downstream of the
// processing units: those from which no processing unit (a node without
// inventory) can be reached along the streams — a residue store, a
// product warehouse. Their stock is metal the plant processed (docs/
// refinery.md §3): its build-up stays in a line yield's basis, and a
// product store's build-up counts as recovered into the products it
// ships. Every other inventory node (a receiving pile, a surge tank
// between units) holds metal not yet processed, and its build-up is
// taken off the basis (ElementResult.Processed).
func DownstreamStores(p *Problem) []string {
	inv := map[string]bool{}
	for _, n := range p.Nodes {
		inv[n.ID] = n.Inventory != nil
	}
	next := map[string][]string{}
	for _, st := range p.Streams {
		if st.From != "" && st.To != "" {
			next[st.From] = append(next[st.From], st.To)
		}
	}
	var out []string
	for _, n := range p.Nodes {
		if n.Inventory == nil {
			continue
		}
		// Breadth-first from n: does a processing unit lie downstream?
		seen := map[string]bool{n.ID: true}
		queue := []string{n.ID}
		feedsUnit := false
		for len(queue) > 0 && !feedsUnit {
			cur := queue[0]
			queue = queue[1:]
			for _, m := range next[cur] {
				if !inv[m] {
					feedsUnit = true
					break
				}
				if !seen[m] {
					seen[m] = true
					queue = append(queue, m)
				}
			}
		}
		if !feedsUnit {
			out = append(out, n.ID)
		}
	}
	return out
}

// storeBuildUp is the net build-up (t of a.Element, negative when drawn
// down) of inventory node n in the period: its deportment share times
// the sources; 0 when unknown.
func storeBuildUp(a ElementResult, n string) float64 {
	if d, ok := a.Deportment[StockPrefix+n]; ok && d.Known() && a.Sources().Known() {
		return float64(d) * float64(a.Sources())
	}
	return 0
}

// Blank reports whether s has nothing visible: it is empty or made only
// of Unicode white space (unicode.IsSpace, category Z) and format
// characters (category Cf: U+200B zero-width space, U+200C/D joiners,
// U+2060 word joiner, U+FEFF byte-order mark, bidi marks). An operator's
// name or a reason that is Blank says nothing in the audit trail and is
// refused like an empty one.
func Blank(s string) bool {
	for _, r := range s {
		if !unicode.IsSpace(r) && !unicode.In(r, unicode.Cf, unicode.Z) {
			return false
		}
	}
	return true
}

// SiteLedger is what Close reads to know a site: the period audit trail,
// the ledger's events and its master data.
type SiteLedger interface {
	critmin.RefineryStore
	LedgerReader
	critmin.MasterDataStore
}

// Location vocabularies a site may be declared in (EPCIS 2.0 §7.3.3).
var siteVocabularies = []string{"urn:epcglobal:epcis:vtype:BusinessLocation", "urn:epcglobal:epcis:vtype:ReadPoint"}

// CheckSite refuses a site the ledger does not know: one with no master
// data (a BusinessLocation or ReadPoint vocabulary element) and no event
// whose business location or read point it is, unless critmin ships the
// site's flowsheet (the demo refinery and the demo corridor's). A close
// is filed under the site exactly as written (CanonicalSite: the
// namespace-specific string of a URN compares as written), so a mistyped
// or differently-cased id would otherwise open a second, empty account
// for the same plant. EINVALID naming /site.
func CheckSite(ctx context.Context, s SiteLedger, site string) error {
	if _, ok := FlowsheetFor(site); ok {
		return nil
	}
	if demo, err := DemoMonth(); err == nil && demo.Site == site {
		return nil
	}
	for _, vt := range siteVocabularies {
		_, err := s.MasterDataHistory(ctx, vt, site)
		if err == nil {
			return nil
		}
		if critmin.ErrorCode(err) != critmin.ENOTFOUND {
			return fmt.Errorf("refinery: master data of site %s: %w", site, err)
		}
	}
	for _, f := range []critmin.EventFilter{{BizLocations: []string{site}, Limit: 1}, {ReadPoints: []string{site}, Limit: 1}} {
		page, err := s.FindEvents(ctx, f)
		if err != nil {
			return fmt.Errorf("refinery: events at site %s: %w", site, err)
		}
		if len(page.Events) > 0 {
			return nil
		}
	}
	return critmin.FieldErrorf("/site", "site %s has no master data and no events in the ledger: a period is closed under its site exactly as written (a URN's part after the namespace is case-sensitive), so check its spelling against the ledger's, or capture the site's master data or events first", site)
}

// Close is the close of the user interfaces (API, page, CLI):
// ClosePeriod with CheckSite and CheckLedgerBacked run on the canonical
// site after every check of the problem (so a faulty month is named
// first) and before anything is recorded. Errors as theirs.
func Close(ctx context.Context, s SiteLedger, p *Problem, who Actor, accept string, key ed25519.PrivateKey, now time.Time) (*critmin.PeriodRecord, *Result, error) {
	return closePeriod(ctx, s, p, who, accept, key, now, func(site string) error {
		if err := CheckSite(ctx, s, site); err != nil {
			return err
		}
		return CheckLedgerBacked(ctx, s, p)
	},
		func(site string) (string, error) { return SiteZone(ctx, s, site) })
}
