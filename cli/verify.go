package cli

import (
	"context"
	"crypto/ed25519"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"strings"
	"time"

	"github.com/critmin/critmin"
	"github.com/critmin/critmin/custody"
	"github.com/critmin/critmin/sqldb"
	"github.com/critmin/critmin/sqlite"
	"github.com/critmin/critmin/units"
)

// errDifference makes verify exit non-zero after naming a derived row.
type errDifference struct{ d *sqldb.Difference }

func (e errDifference) Error() string {
	return "derived table differs from its rebuild: " + e.d.Error()
}

func runVerify(ctx context.Context, env *Env, args []string) error {
	fs := flagSet(env, "verify", "verify [--db DSN] [--checkpoint OLD.note --pubkey KEY] [--no-rebuild] [--format text|json] [--cpuprofile FILE]")
	dsn := dbFlag(fs, env)
	cpFile := fs.String("checkpoint", "", "an older signed checkpoint (critmin log checkpoint, GET /api/v1/log/checkpoint): the log must extend it")
	pubkey := fs.String("pubkey", "", "the operator's public key, to check --checkpoint (base64, signed-note key, the JSON of GET /api/v1/signing-key, or a file holding one)")
	noRebuild := fs.Bool("no-rebuild", false, "check the chain, audit chain and log only; skip rebuilding the derived tables")
	format := fs.String("format", "text", "text or json")
	cpuProfile := fs.String("cpuprofile", "", "write a CPU profile of the verification to this file")
	showProgress := progressFlag(fs)
	if help, err := parse(fs, args); help || err != nil {
		return err
	}
	ctx, _ = startProgress(ctx, env, *showProgress, "verify")
	tuneGC(env) // a batch job that allocates as it decodes every record
	if (*cpFile == "") != (*pubkey == "") {
		return usagef("--checkpoint and --pubkey go together")
	}
	old, err := readCheckpoint(*cpFile, *pubkey)
	if err != nil {
		return err
	}
	store, err := OpenStoreReadOnly(ctx, *dsn)
	if err != nil {
		return err
	}
	defer store.Close()
	db, ok := store.(*sqldb.DB)
	if !ok {
		return fmt.Errorf("verify: store %T cannot be rebuilt", store)
	}
	var scratch *sqldb.DB
	if !*noRebuild {
		sc, closeScratch, err := sqlite.OpenScratch(ctx)
		if err != nil {
			return err
		}
		defer closeScratch()
		scratch = sc
	}
	start := time.Now()
	var rep *sqldb.VerifyReport
	err = withProfile(*cpuProfile, func() (err error) {
		rep, err = db.Verify(ctx, scratch, old)
		return err
	})
	if err != nil {
		return err
	}
	el := time.Since(start)
	if *format == "json" {
		if err := printJSON(env, rep); err != nil {
			return err
		}
	}
	switch {
	case rep.Problem != nil:
		return errChainBroken{rep.Problem}
	case rep.Difference != nil:
		return errDifference{rep.Difference}
	case rep.PeriodProblem != "":
		return fmt.Errorf("refinery period chain broken: %s", rep.PeriodProblem)
	case rep.RecordProblem != nil:
		return rep.RecordProblem
	case rep.SiteProblem != "":
		return fmt.Errorf("%s", rep.SiteProblem)
	case rep.LotBalanceProblem != "":
		return fmt.Errorf("a lot's tonnes are not conserved (what stands at each site, what is in transit and what runs consumed must add up to its mass): %s", rep.LotBalanceProblem)
	case rep.ContainerRuleProblem != nil:
		return fmt.Errorf("a stored event breaks a container rule capture enforces (the rebuild replays it as stored; docs/verify.md step 8): %v", rep.ContainerRuleProblem)
	case rep.NestingProblem != nil:
		return fmt.Errorf("a stored packing keeps a container holding material inside another container, which capture refuses (docs/verify.md, nested containers): %v", rep.NestingProblem)
	}
	if *format == "json" {
		return nil
	}
	fmt.Fprintf(env.Stdout, "ok: %s records chained, %s day roots, %s audit entries; log of %s records, root %s\n",
		units.Int(rep.Records), units.Int(rep.DayRoots), units.Int(rep.Audit), units.Int(rep.Head.Size), rep.Head.Root)
	if old != nil {
		fmt.Fprintf(env.Stdout, "ok: the log extends the signed checkpoint of %s records (consistency proof checked)\n", units.Int(old.Size))
	}
	if rep.Rebuild != nil {
		fmt.Fprintf(env.Stdout, "ok: %s derived tables (%s rows) equal their rebuild from %s records in %s captures\n", units.Int(rep.Rebuild.Tables), units.Int(rep.Rebuild.Rows), units.Int(rep.Rebuild.Events), units.Int(rep.Rebuild.Captures))
	}
	if rep.Periods == 0 {
		fmt.Fprintf(env.Stdout, "ok: no refinery period records\n")
	} else {
		fmt.Fprintf(env.Stdout, "ok: %d refinery period records chained and signed by the installation key %.12s…\n", rep.Periods, rep.PeriodKey)
		// The key the refinery commands would sign with, when named
		// (nu12f: verify said "ok … signed by the installation key"
		// without a word that the given key was another one).
		if file := env.Getenv("CRITMIN_SIGNING_KEY"); file != "" {
			if key, err := custody.LoadPrivateKey(file); err == nil {
				if id := keyIDOf(key.Public().(ed25519.PublicKey)); id != rep.PeriodKey {
					fmt.Fprintf(env.Stdout, "WARNING: CRITMIN_SIGNING_KEY %s (public %.12s…) is not this store's installation key %.12s…: closes, reopens and voids signed with it are refused; use the installation's key (docs/refinery.md §5 Backing up the signing key)\n", file, id, rep.PeriodKey)
				}
			} else {
				fmt.Fprintf(env.Stdout, "WARNING: CRITMIN_SIGNING_KEY %s cannot be read (%v): the refinery commands cannot sign with it\n", file, err)
			}
		}
	}
	fmt.Fprintf(env.Stdout, "ok: %s rows of %s authoritative tables match their audit entries\n", units.Int(rep.AttestedRows), units.Int(len(sqldb.AttestedTables())))
	for _, c := range rep.TokenNameClashes {
		fmt.Fprintf(env.Stdout, "WARNING: token name %s, differing only in case (kept from before names were compared ignoring case): create a token under another name and revoke this one\n", c)
	}
	for _, e := range rep.XMLNameKeys {
		fmt.Fprintf(env.Stdout, "WARNING: event %s — extension keys that are no XML name, stored before capture refused them: kept as recorded; XML results write them escaped (_xHHHH_, read back exactly by critmin; docs/epcis.md)\n", e)
	}
	if rep.XMLNameKeysMore > 0 {
		fmt.Fprintf(env.Stdout, "WARNING: %s more events hold extension keys that are no XML name\n", units.Int(rep.XMLNameKeysMore))
	}
	fmt.Fprintf(env.Stdout, "verified in %s (%s records/s)\n", el.Round(time.Millisecond), units.Fixed(float64(rep.Records)/el.Seconds(), 0))
	return nil
}

func runVerifyCert(ctx context.Context, env *Env, args []string) error {
	fs := argsFlagSet(env, "verify-cert", "verify-cert --pubkey KEY [--revocations FILE | --url URL] FILE")
	pubkey := fs.String("pubkey", "", "the issuer's Ed25519 public key: base64, signed-note key, the JSON of GET /api/v1/signing-key as downloaded, or a file holding one (required)")
	revFile := fs.String("revocations", "", "a signed revocation list (GET /api/v1/certificates/revocations) to check revocation offline")
	base := fs.String("url", "", "ask this server whether the certificate is revoked (online)")
	if help, err := parse(fs, args); help || err != nil {
		return err
	}
	if fs.NArg() != 1 || *pubkey == "" {
		return usagef("verify-cert: give --pubkey and one certificate file")
	}
	pub, err := parsePublicKey(*pubkey)
	if err != nil {
		return err
	}
	data, err := os.ReadFile(fs.Arg(0))
	if err != nil {
		return err
	}
	var rl *custody.RevocationList
	if *revFile != "" {
		b, err := os.ReadFile(*revFile)
		if err != nil {
			return err
		}
		if rl, err = custody.OpenRevocations(b, pub); err != nil {
			return inFile("--revocations "+*revFile, err)
		}
	}
	chk, err := custody.VerifyCertificate(data, pub, rl)
	if err != nil {
		return inFile(fs.Arg(0), err)
	}
	var superseded *custody.CertStatus
	if *base != "" {
		rev, st, err := remoteStatus(ctx, strings.TrimSuffix(*base, "/"), chk.ID)
		if err != nil {
			return err
		}
		if chk.Revoked == nil {
			chk.Revoked = rev
		}
		if st != nil && st.Superseded {
			superseded = st
		}
	}
	fmt.Fprintf(env.Stdout, "ok: certificate %s for %s is signed by this key and unchanged; %s events proved in the signed log of %s records\n", chk.ID, chk.Lot, units.Int(chk.Events), units.Int(chk.LogSize))
	if chk.LegacyProof {
		fmt.Fprintln(env.Stdout, "note: legacy proof (Ed25519Signature2020, issued before proofs signed their options): the document is signed, the proof's created, verificationMethod and proofPurpose are not")
	}
	if chk.Revoked != nil && chk.Revoked.Superseded {
		for _, r := range chk.Revoked.SupersededBy {
			fmt.Fprintln(env.Stdout, r.Text())
		}
		return critmin.Errorf(critmin.ECONFLICT, "certificate %s is SUPERSEDED since %s (revocation list of %s): %s; issue it again from the corrected record", chk.ID, chk.Revoked.At.Format(time.RFC3339), rl.Issued.Format(time.RFC3339), chk.Revoked.Reason)
	}
	if chk.Revoked != nil {
		return critmin.Errorf(critmin.ECONFLICT, "certificate %s was REVOKED on %s: %s", chk.ID, chk.Revoked.At.Format(time.RFC3339), chk.Revoked.Reason)
	}
	if superseded != nil {
		for _, r := range superseded.Reasons {
			fmt.Fprintln(env.Stdout, r.Text())
		}
		return critmin.Errorf(critmin.ECONFLICT, "certificate %s is SUPERSEDED (asked %s): %s; issue it again from the corrected record", chk.ID, *base, superseded.Summary())
	}
	switch {
	case rl != nil:
		fmt.Fprintf(env.Stdout, "not revoked (revocation list of %s)\n", rl.Issued.Format(time.RFC3339))
	case *base != "":
		fmt.Fprintf(env.Stdout, "not revoked (asked %s)\n", *base)
	default:
		fmt.Fprintln(env.Stdout, "revocation not checked: give --revocations FILE or --url URL")
	}
	return nil
}

// remoteStatus asks a server for a certificate's status: its revocation
// (nil if none) and its standing (superseded when its evidence was
// declared in error since it was issued).
func remoteStatus(ctx context.Context, base, id string) (*custody.Revocation, *custody.CertStatus, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, base+"/api/v1/certificates/"+url.PathEscape(id)+"/status", nil)
	if err != nil {
		return nil, nil, err
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return nil, nil, err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	if err != nil {
		return nil, nil, err
	}
	if resp.StatusCode != http.StatusOK {
		return nil, nil, serverProblem(resp, body, "certificate "+id)
	}
	var st struct {
		custody.StoredCertificate
		custody.CertStatus
	}
	if err := json.Unmarshal(body, &st); err != nil {
		return nil, nil, fmt.Errorf("status of certificate %s: %w", id, err)
	}
	var rev *custody.Revocation
	if st.RevokedAt != nil {
		rev = &custody.Revocation{ID: st.ID, At: *st.RevokedAt, Reason: st.RevokedReason}
	}
	return rev, &st.CertStatus, nil
}

// runRebuild is `critmin rebuild`: after checking the chain, the audit
// chain, the day roots and the log (verify without the rebuild), it
// rebuilds every derived table from the chained records and the audit
// chain, as verify does, and rewrites each stored table that differs
// (sqldb.RepairDerived), then verifies the whole store again. It refuses
// a store whose chain fails: derived rows are rebuilt from the records,
// and records that fail their chain are restored from a backup, not
// trusted (docs/verify.md, "Repairing derived tables").
func runRebuild(ctx context.Context, env *Env, args []string) error {
	fs := flagSet(env, "rebuild", "rebuild [--db DSN] [--checkpoint OLD.note --pubkey KEY]")
	dsn := dbFlag(fs, env)
	cpFile := fs.String("checkpoint", "", "an older signed checkpoint: the log must extend it before anything is rebuilt")
	pubkey := fs.String("pubkey", "", "the operator's public key, to check --checkpoint")
	showProgress := progressFlag(fs)
	if help, err := parse(fs, args); help || err != nil {
		return err
	}
	if (*cpFile == "") != (*pubkey == "") {
		return usagef("--checkpoint and --pubkey go together")
	}
	ctx, _ = startProgress(ctx, env, *showProgress, "rebuild")
	tuneGC(env)
	old, err := readCheckpoint(*cpFile, *pubkey)
	if err != nil {
		return err
	}
	store, err := OpenStore(ctx, *dsn)
	if err != nil {
		return err
	}
	defer store.Close()
	db, ok := store.(*sqldb.DB)
	if !ok {
		return fmt.Errorf("rebuild: store %T cannot be rebuilt", store)
	}
	start := time.Now()
	fmt.Fprintf(env.Stdout, "checking the chain, audit chain and log…\n")
	rep, err := db.Verify(ctx, nil, old)
	if err != nil {
		return err
	}
	if rep.Problem != nil {
		return fmt.Errorf("rebuild refused: the chain fails verification, so nothing is rebuilt from it (restore a backup; critmin verify): %w", errChainBroken{rep.Problem})
	}
	fmt.Fprintf(env.Stdout, "ok: %s records chained, %s audit entries; log of %s records\n", units.Int(rep.Records), units.Int(rep.Audit), units.Int(rep.Head.Size))
	scratch, closeScratch, err := sqlite.OpenScratch(ctx)
	if err != nil {
		return err
	}
	defer closeScratch()
	fmt.Fprintf(env.Stdout, "rebuilding every derived table from %s records…\n", units.Int(rep.Records))
	fixed, err := db.RepairDerived(ctx, scratch, rep.Records)
	if err != nil {
		return err
	}
	if len(fixed.Rewritten) == 0 {
		fmt.Fprintf(env.Stdout, "ok: %d derived tables equal their rebuild; nothing rewritten\n", len(fixed.Checked))
	} else {
		fmt.Fprintf(env.Stdout, "rewritten from the log: %s (%d of %d derived tables)\n", strings.Join(fixed.Rewritten, ", "), len(fixed.Rewritten), len(fixed.Checked))
	}
	// Verify the result as `critmin verify` would.
	sc2, close2, err := sqlite.OpenScratch(ctx)
	if err != nil {
		return err
	}
	defer close2()
	after, err := db.Verify(ctx, sc2, old)
	if err != nil {
		return err
	}
	switch {
	case after.Problem != nil:
		return errChainBroken{after.Problem}
	case after.Difference != nil:
		return fmt.Errorf("rebuild: still differs after the rewrite: %w", errDifference{after.Difference})
	}
	fmt.Fprintf(env.Stdout, "ok: verified after the rebuild: %s derived tables (%s rows) equal their rebuild from %s records\n", units.Int(after.Rebuild.Tables), units.Int(after.Rebuild.Rows), units.Int(after.Rebuild.Events))
	if after.PeriodProblem != "" {
		fmt.Fprintf(env.Stdout, "WARNING: refinery period chain broken (not a derived table; not rebuilt): %s\n", after.PeriodProblem)
	}
	if after.RecordProblem != nil {
		fmt.Fprintf(env.Stdout, "WARNING: authoritative records (not derived; not rebuilt): %v\n", after.RecordProblem)
	}
	fmt.Fprintf(env.Stdout, "rebuilt in %s\n", time.Since(start).Round(time.Millisecond))
	return nil
}

// readCheckpoint opens the signed checkpoint in file under the public key
// pubkey (--checkpoint, --pubkey); nil when file is "".
func readCheckpoint(file, pubkey string) (*custody.Checkpoint, error) {
	if file == "" {
		return nil, nil
	}
	pub, err := parsePublicKey(pubkey)
	if err != nil {
		return nil, err
	}
	data, err := os.ReadFile(file)
	if err != nil {
		return nil, err
	}
	cp, err := custody.OpenCheckpoint(data, pub)
	if err != nil {
		return nil, inFile("--checkpoint "+file, err)
	}
	return cp, nil
}
