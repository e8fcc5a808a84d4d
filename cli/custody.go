package cli

import (
	"context"
	"crypto/ed25519"
	"encoding/json"
	"fmt"
	"os"
	"sort"
	"strings"
	"time"

	"github.com/critmin/critmin"
	"github.com/critmin/critmin/custody"
	"github.com/critmin/critmin/ledger"
	"github.com/critmin/critmin/units"
)

// errChainBroken makes verify commands exit non-zero after reporting.
type errChainBroken struct{ p *custody.Problem }

func (e errChainBroken) Error() string { return e.p.Error() }

func runKeygen(ctx context.Context, env *Env, args []string) error {
	fs := flagSet(env, "keygen", "keygen --out FILE")
	out := fs.String("out", "", "file for the private key (created, mode 0600; required)")
	if help, err := parse(fs, args); help || err != nil {
		return err
	}
	if *out == "" {
		return usagef("--out: required")
	}
	pub, err := custody.GenerateKey(*out)
	if err != nil {
		return err
	}
	fmt.Fprintf(env.Stdout, "Ed25519 private key written to %s. Public key (give it to verifiers):\n%s\n", *out, pub)
	return nil
}

func runExport(ctx context.Context, env *Env, args []string) error {
	fs := flagSet(env, "export", "export --key FILE --out FILE [--from N] [--to N] [--lot ID] [--db DSN]")
	dsn := dbFlag(fs, env)
	keyFile := fs.String("key", "", "Ed25519 private key from critmin keygen (required)")
	out := fs.String("out", "", "bundle file to write (required)")
	from := fs.Int64("from", 1, "first record position")
	to := fs.Int64("to", 0, "last record position (default: the last)")
	lot := fs.String("lot", "", "export the run of records from a lot's first event to its last")
	if help, err := parse(fs, args); help || err != nil {
		return err
	}
	if *keyFile == "" || *out == "" {
		return usagef("--key and --out are required")
	}
	set := setFlags(fs)
	if *lot != "" && (set["from"] || set["to"]) {
		return usagef("--lot sets the range itself: give --lot or --from/--to, not both")
	}
	if set["to"] && *to < 1 {
		return usagef("--to: %d is not a record position (positions start at 1; leave the flag out for the last)", *to)
	}
	if *from < 1 {
		return usagef("--from: %d is not a record position (positions start at 1)", *from)
	}
	key, err := custody.LoadPrivateKey(*keyFile)
	if err != nil {
		return err
	}
	// An export only reads the log (the bundle goes to --out).
	store, err := OpenStoreReadOnly(ctx, *dsn)
	if err != nil {
		return err
	}
	defer store.Close()
	if *lot != "" {
		if *from, *to, err = lotRange(ctx, store, *lot); err != nil {
			return err
		}
	}
	b, err := custody.Export(ctx, store, *from, *to, key, time.Now())
	if err != nil {
		return err
	}
	data, err := json.MarshalIndent(b, "", " ")
	if err != nil {
		return err
	}
	if err := os.WriteFile(*out, data, 0o644); err != nil {
		return err
	}
	fmt.Fprintf(env.Stdout, "exported records %d–%d (%d) with %d day roots to %s\n", b.FromSeq, b.ToSeq, len(b.Records), len(b.Roots), *out)
	return nil
}

// lotRange finds the chain positions of a lot's first and last events.
func lotRange(ctx context.Context, store critmin.Store, lot string) (int64, int64, error) {
	if _, err := store.FindLot(ctx, lot); err != nil {
		return 0, 0, err
	}
	page, err := store.FindEvents(ctx, critmin.EventFilter{ClassMatches: []critmin.EPCMatch{{Roles: []string{critmin.RoleEPC, critmin.RoleChild, critmin.RoleInput, critmin.RoleOutput}, Patterns: []string{lot}, Exact: true}}, OrderBy: "recordTime", OrderAscending: true, Limit: 10000})
	if err != nil {
		return 0, 0, err
	}
	var from, to int64
	err = store.ScanChain(ctx, func(r *critmin.ChainRecord) error {
		for _, e := range page.Events {
			if e.PK == r.PK {
				if from == 0 {
					from = r.Seq
				}
				to = r.Seq
			}
		}
		return nil
	})
	return from, to, err
}

func runVerifyBundle(ctx context.Context, env *Env, args []string) error {
	pub, file, data, err := signedFile(env, "verify-bundle", "signer", "bundle", args)
	if pub == nil || err != nil {
		return err
	}
	rep, err := custody.VerifyBundle(data, pub)
	if err != nil {
		return inFile(file, err)
	}
	if rep.Problem != nil {
		return errChainBroken{rep.Problem}
	}
	fmt.Fprintf(env.Stdout, "ok: signature valid; %s records and %s day roots verified\n", units.Int(rep.Records), units.Int(rep.Roots))
	if rep.LogSize > 0 {
		fmt.Fprintf(env.Stdout, "ok: every record proved in the signed log of %s records\n", units.Int(rep.LogSize))
	} else {
		fmt.Fprintln(env.Stdout, "note: a version 1 bundle carries no log proofs")
	}
	return nil
}

func runLotProve(ctx context.Context, env *Env, sub string, args []string) error {
	usage := "lot " + sub + " [flags] ID"
	if sub == "certificate" {
		usage += "\n\nSigns an origin certificate of lot ID with --key and stores it in the\ndatabase (so that cert-status can tell it superseded later), then prints\nit or writes it to --out. It writes: --db must be a writable primary, not\na read-only standby."
	}
	fs := argsFlagSet(env, "lot "+sub, usage)
	dsn := dbFlag(fs, env)
	format := fs.String("format", "text", "text or json")
	// Each subcommand registers only the flags it reads, so a flag that
	// would be ignored (--out on lot origin, say) is refused as unknown
	// instead of being accepted and silently dropped.
	direction, depth := custody.Backward, custody.DefaultDepth
	rules, keyFile, issuer, out := "", "", "critmin", ""
	evidence := true
	switch sub {
	case "trace":
		fs.StringVar(&direction, "direction", direction, "backward or forward")
		fs.IntVar(&depth, "depth", depth, fmt.Sprintf("steps to follow (1 to %d)", custody.MaxDepth))
	case "origin":
		fs.BoolVar(&evidence, "evidence", evidence, "walk the genealogy and list every event (false: read the kept mix)")
	case "rules":
		fs.StringVar(&rules, "rules", envOr(env, "CRITMIN_RULES", ""), "rule pack file (default: the built-in pack; env CRITMIN_RULES)")
	default:
		fs.StringVar(&rules, "rules", envOr(env, "CRITMIN_RULES", ""), "rule pack file (default: the built-in pack; env CRITMIN_RULES)")
		fs.StringVar(&keyFile, "key", envOr(env, "CRITMIN_SIGNING_KEY", ""), "Ed25519 private key (env CRITMIN_SIGNING_KEY)")
		fs.StringVar(&issuer, "issuer", issuer, "issuer name written in the certificate")
		fs.StringVar(&out, "out", out, "write the certificate here instead of stdout")
	}
	if help, err := parse(fs, args); help || err != nil {
		return err
	}
	if fs.NArg() != 1 {
		return usagef("lot %s: give exactly one lot identifier", sub)
	}
	if *format != "text" && *format != "json" {
		return usagef("--format: %q is not text or json", *format)
	}
	pack := custody.DefaultPack()
	if rules != "" {
		b, err := os.ReadFile(rules)
		if err != nil {
			return err
		}
		if pack, err = custody.ParsePack(b); err != nil {
			return inFile("--rules "+rules, err)
		}
	}
	if direction != custody.Backward && direction != custody.Forward {
		return usagef("--direction: %q is not %s or %s", direction, custody.Backward, custody.Forward)
	}
	if depth < 1 || depth > custody.MaxDepth {
		return usagef("--depth: %d is not 1–%d", depth, custody.MaxDepth)
	}
	// lot certificate stores the certificate it signs; the other
	// subcommands only read.
	open := OpenStoreReadOnly
	if sub == "certificate" {
		open = OpenStore
	}
	store, err := open(ctx, *dsn)
	if err != nil {
		return err
	}
	defer store.Close()
	id := fs.Arg(0)
	// A lot not in the record (its making event declared in error) has
	// no trace, origin, verdicts or certificate: the error the lot API
	// answers 410 with (issue 8 §2).
	if err := custody.CheckLotMade(ctx, store, id); err != nil {
		return err
	}
	switch sub {
	case "trace":
		t, err := custody.TraceLot(ctx, store, id, direction, depth)
		if err != nil {
			return err
		}
		if *format == "json" {
			return printFigures(env, t)
		}
		fmt.Fprintf(env.Stdout, "%s trace of %s: %s nodes, %s edges\n", t.Direction, id, units.Int(len(t.Nodes)), units.Int(len(t.Edges)))
		for _, e := range t.Edges {
			q := ""
			if e.ParentQty != nil {
				q = fmt.Sprintf(" (%s %s)", units.Quantity(*e.ParentQty, e.ParentUOM), e.ParentUOM)
			}
			if e.TookNothing != "" {
				// The run names the lot as an input but took none of
				// it (ledger.RunTookNothing), as the lot page draws it.
				q += " took 0 t: " + e.TookNothing
			}
			fmt.Fprintf(env.Stdout, "  %s → %s  %s%s  %s\n", e.Parent, e.Child, e.Kind, q, e.EventID)
		}
		for _, a := range t.Anomalies {
			fmt.Fprintf(env.Stdout, "anomaly: %s: %s %v\n", a.Kind, a.Detail, a.Events)
		}
		return nil
	case "origin":
		c, err := custody.OriginOf(ctx, store, id, evidence)
		if err != nil {
			return err
		}
		if *format == "json" {
			return printFigures(env, c)
		}
		printOrigin(env, c)
		for _, a := range c.Anomalies {
			fmt.Fprintf(env.Stdout, "anomaly: %s: %s\n", a.Kind, a.Detail)
		}
		return nil
	case "rules":
		vs, err := custody.Evaluate(ctx, store, id, pack)
		if err != nil {
			return err
		}
		if *format == "json" {
			return printFigures(env, vs)
		}
		failed := false
		for _, v := range vs {
			fmt.Fprintf(env.Stdout, "%-15s %-28s %s (%s events)\n", v.Status, v.Rule, v.Detail, units.Int(len(v.Evidence)))
			failed = failed || v.Status == custody.Fail
		}
		if failed {
			return fmt.Errorf("lot %s fails rules of pack %s", id, pack.ID)
		}
		return nil
	default:
		if keyFile == "" {
			return usagef("--key: required (critmin keygen makes one)")
		}
		key, err := custody.LoadPrivateKey(keyFile)
		if err != nil {
			return err
		}
		c, err := custody.Issue(ctx, store, id, pack, key, custody.Issuer{ID: custody.PublicKeyID(key), Name: issuer}, time.Now())
		if err != nil {
			return err
		}
		data, err := json.MarshalIndent(c, "", " ")
		if err != nil {
			return err
		}
		if out != "" {
			return os.WriteFile(out, data, 0o644)
		}
		_, err = fmt.Fprintln(env.Stdout, string(data))
		return err
	}
}

// signedFile parses the command line of an offline check — --pubkey KEY
// and one file — and returns the key, the file's name and its bytes; a
// nil key with a nil error means --help was shown.
func signedFile(env *Env, name, signer, what string, args []string) (ed25519.PublicKey, string, []byte, error) {
	fs := argsFlagSet(env, name, name+" --pubkey KEY FILE")
	pubkey := fs.String("pubkey", "", "the "+signer+"'s Ed25519 public key, base64 or a file holding it (required)")
	if help, err := parse(fs, args); help || err != nil {
		return nil, "", nil, err
	}
	if fs.NArg() != 1 || *pubkey == "" {
		return nil, "", nil, usagef("%s: give --pubkey and one %s file", name, what)
	}
	pub, err := parsePublicKey(*pubkey)
	if err != nil {
		return nil, "", nil, err
	}
	data, err := os.ReadFile(fs.Arg(0))
	if err != nil {
		return nil, "", nil, err
	}
	return pub, fs.Arg(0), data, nil
}

// parsePublicKey is custody.ParsePublicKey of --pubkey s, its error
// naming the file when s names one (a bad key file read "pubkey: not an
// Ed25519 public key" without the file; issue 15, fix15s item 6).
func parsePublicKey(s string) (ed25519.PublicKey, error) {
	pub, err := custody.ParsePublicKey(s)
	if err != nil {
		if fi, serr := os.Stat(s); serr == nil && !fi.IsDir() {
			reason := critmin.ErrorText(err)
			if fe := critmin.ErrorList(err); len(fe) == 1 {
				reason = fe[0].Reason
			}
			return nil, critmin.Errorf(critmin.ErrorCode(err), "--pubkey %s: %s", s, reason)
		}
		return nil, err
	}
	return pub, nil
}

// printOrigin writes both origins, labelled: the physical origin (dry-mass
// view, each element, overall by contained payable element) and, apart,
// the claimed origin.
func printOrigin(env *Env, c *custody.Composition) {
	fmt.Fprintf(env.Stdout, "origin of %s (%s dmt), resting on %s events\n", c.Lot, units.Fixed(c.DryTonnes, 6), units.Int(len(c.Events)))
	fmt.Fprintln(env.Stdout, "physical origin (what the genealogy proves):")
	show := func(name string, b custody.Breakdown) {
		if b.GradeNotMeasured {
			// Measured tonnes, but a feed's grade was never measured:
			// no share, not "unknown 100 %".
			fmt.Fprintf(env.Stdout, "  %-18s %-28s %10s t  (origin shares unknown: a feed's grade not measured)\n", name, "grade not measured", units.Fixed(b.Tonnes, 6))
			return
		}
		if b.NoneContained {
			// 0 t of the element: no share of nothing (fix9y).
			fmt.Fprintf(env.Stdout, "  %-18s %-28s %10s t  (no share: the lot contains none)\n", name, "none contained", units.Fixed(0.0, 6))
			return
		}
		for _, sh := range b.ByCountry {
			fmt.Fprintf(env.Stdout, "  %-18s %-28s %10s t  %6s %%\n", name, sh.Name, units.Fixed(sh.Tonnes, 6), units.Fixed(sh.Share*100, 2))
		}
		if b.UnknownOrigin > 0 {
			// Metal of no recorded input (a run's element_gain): part of
			// the unknown share above, said so (nu37a).
			fmt.Fprintf(env.Stdout, "  %-18s %-28s %10s t  (from no recorded input: a run's products held more than its inputs put in)\n", name, "of which origin unknown", units.Fixed(b.UnknownOrigin, 6))
		}
	}
	show("dry mass (view)", c.Mass)
	for _, e := range sortedElements(c.Elements) {
		show(e+" contained", c.Elements[e])
	}
	for _, a := range sortedElements(c.Aggregates) {
		show(a+" (aggregate)", c.Aggregates[a])
	}
	for _, e := range c.GradeNotMeasured() {
		fmt.Fprintf(env.Stdout, "  %-18s grade not measured: shares unknown\n", e)
	}
	for _, e := range c.UnassayedByProducts() {
		// Carried by the feed, not assayed, not an element the lot's
		// commodity is valued on: no "grade not measured" (fix9ah).
		fmt.Fprintf(env.Stdout, "  %-18s not assayed (a by-product %s is not valued on): shares unknown\n", e, ledger.CommodityName(c.Commodity))
	}
	// Shares of the whole: the parts of unknown origin first, then the
	// countries (custody.Overall.OfWhole; nu38b-6), never a country at
	// 100 % where part of the lot is of unknown origin.
	for _, sh := range c.Overall.OfWhole() {
		fmt.Fprintf(env.Stdout, "  %-18s %-28s %6s %%  %s\n", "overall", sh.Name, units.Fixed(sh.Share*100, 2), c.Overall.Label())
	}
	if len(c.Overall.ByCountry) == 0 && c.Overall.Basis == "grade_not_measured" {
		// No share: the lot's contained value is not measured.
		fmt.Fprintf(env.Stdout, "  %-18s %s\n", "overall", c.Overall.Label())
	}
	// What the parts of unknown origin are: metal whose feed's grade is
	// not measured, and metal of no recorded input (a run's
	// element_gain; nu37a).
	for _, p := range []struct {
		what string
		part *custody.NotMeasuredPart
	}{{"origin not measured (a feed's grade not measured)", c.Overall.OriginNotMeasured}, {"origin unknown (from no recorded input: element_gain)", c.Overall.OriginUnknown}} {
		if p.part != nil {
			fmt.Fprintf(env.Stdout, "  %-18s %-28s %s t of %s (%s %% of the whole, listed above)\n", "overall", p.what, units.Fixed(p.part.Tonnes, 6), strings.Join(p.part.Elements, ", "), units.Fixed(p.part.Share*100, 2))
		}
	}
	if cl := c.Claimed; cl.Unbacked() {
		// A refused claim attributes nothing: no shares, only what it
		// stated and why it was refused (the certificate's cm:refusedClaim).
		fmt.Fprintf(env.Stdout, "%s (mass balance at %s, category %s, period %s)\n", custody.RefusedClaimText(cl), cl.Site, cl.Category, cl.Period)
		if cl.Status == custody.ClaimNotCovered && len(cl.ShortfallByCountry) > 0 && len(cl.ByCountry) > 1 {
			// Each origin its own standing (fix9j): the share of its own
			// deficit, or covered by its own balance.
			for _, f := range cl.RefusedFigures() {
				fmt.Fprintf(env.Stdout, "  %-18s %-28s %s\n", strings.Join(cl.Elements, "+"), f.Name, f.Text)
			}
		}
		if cl.Error != "" {
			fmt.Fprintf(env.Stdout, "  %s\n", cl.Error)
		}
	} else if cl != nil {
		fmt.Fprintf(env.Stdout, "claimed origin (mass balance at %s, category %s, period %s — not physical): %s\n", cl.Site, cl.Category, cl.Period, cl.StatusText())
		for _, sh := range cl.ByCountry {
			fmt.Fprintf(env.Stdout, "  %-18s %-28s %10s t  %6s %%\n", strings.Join(cl.Elements, "+"), sh.Name, units.Fixed(sh.Tonnes, 6), units.Fixed(sh.Share*100, 2))
		}
		if cl.NotCovered > 0 {
			fmt.Fprintf(env.Stdout, "  %-18s %-28s %10s t  %6s %%  (the lot now holds %s t; the claim covers what was debited when it was made)\n", strings.Join(cl.Elements, "+"), custody.Unclaimed, units.Fixed(cl.NotCoveredTonnes(), 6), units.Fixed(cl.NotCovered*100, 2), units.Fixed(cl.Contains, 6))
		}
		if cl.Error != "" {
			fmt.Fprintf(env.Stdout, "  %s\n", cl.Error)
		}
		if cl.CoverageNote != "" {
			// Covered again since a declaration in error (fix9d), or
			// since credits repaid the deficit it was booked in (fix9g).
			fmt.Fprintf(env.Stdout, "  %s\n", cl.CoverageNote)
		}
		if cl.ReassayNote != "" {
			// A lower reassay of the claimed lot: the claim keeps what
			// it took (fix9g).
			fmt.Fprintf(env.Stdout, "  %s\n", cl.ReassayNote)
		}
		for _, r := range cl.Retired {
			// The lot holds less than the claim was made on: the credit
			// retired beyond what the claim attributes now (fix9ac).
			fmt.Fprintf(env.Stdout, "  %-18s %-28s %10s t  (retired when claimed; stays retired)\n", strings.Join(cl.Elements, "+"), r.Name, units.Fixed(r.Tonnes, 6))
		}
		if cl.RetiredNote != "" {
			fmt.Fprintf(env.Stdout, "  %s\n", cl.RetiredNote)
		}
	}
}

func sortedElements(m map[string]custody.Breakdown) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}
