package cli

import (
	"context"
	"fmt"
	"io"
	"net/url"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/critmin/critmin"
	"github.com/critmin/critmin/custody"
	"github.com/critmin/critmin/epcis"
	critminhttp "github.com/critmin/critmin/http"
	"github.com/critmin/critmin/ledger"
	"github.com/critmin/critmin/units"
	"github.com/critmin/critmin/web"
)

func runEvents(ctx context.Context, env *Env, args []string) error {
	fs := argsFlagSet(env, "events", "events [--db DSN] [--format table|json] [NAME=VALUE ...]\n\nNAME=VALUE are EPCIS query parameters, e.g. EQ_bizStep=shipping MATCH_anyEPCClass=urn:… perPage=50")
	dsn := dbFlag(fs, env)
	format := fs.String("format", "table", "table, or json (an EPCISQueryDocument)")
	if help, err := parse(fs, args); help || err != nil {
		return err
	}
	if *format != "table" && *format != "json" {
		return usagef("--format: %q is not table or json", *format)
	}
	params := url.Values{}
	for _, a := range fs.Args() {
		k, v, ok := strings.Cut(a, "=")
		if !ok {
			return usagef("query parameter %q is not NAME=VALUE", a)
		}
		params.Add(k, v)
	}
	store, err := OpenStoreReadOnly(ctx, *dsn)
	if err != nil {
		return err
	}
	defer store.Close()
	f, err := epcis.ParseQueryWith(params, func() (map[string][]string, error) { return store.DeclaredPrefixes(ctx) })
	if err != nil {
		// A query parameter of the command line at fault (an unknown
		// name, a value that does not read): a usage error, exit 2
		// (issue 15, fix15s item 6).
		return usagef("%v", err)
	}
	page, err := store.FindEvents(ctx, f)
	if err != nil {
		return err
	}
	if *format == "json" {
		doc, err := epcis.QueryDocument(page.Events, "SimpleEventQuery", time.Now())
		if err != nil {
			return err
		}
		_, err = fmt.Fprintln(env.Stdout, string(doc))
		return err
	}
	tw := tabwriter.NewWriter(env.Stdout, 2, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "EVENT TIME\tTYPE\tBIZ STEP\tDISPOSITION\tLOCATION\tEVENT ID")
	for _, e := range page.Events {
		typ := e.Type
		if e.ErrorDeclaration != nil {
			typ += " (error declaration)"
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\n", e.EventTime.UTC().Format(time.RFC3339), typ, e.BizStep, e.Disposition, e.BizLocation, e.EventID)
	}
	if page.Next != nil {
		page.Next.Query = epcis.QueryFingerprint(params)
		fmt.Fprintf(tw, "…more: add nextPageToken=%s\n", epcis.EncodePageToken(page.Next))
	}
	return tw.Flush()
}

func runLot(ctx context.Context, env *Env, args []string) error {
	if len(args) > 0 {
		switch args[0] {
		case "trace", "origin", "rules", "certificate":
			return runLotProve(ctx, env, args[0], args[1:])
		}
	}
	if len(args) == 0 || (args[0] != "show" && args[0] != "--help" && args[0] != "-h") {
		return usagef("lot: the subcommands are show, trace, origin, rules and certificate (critmin lot show ID)")
	}
	fs := argsFlagSet(env, "lot show", "lot show [--db DSN] [--format text|json] ID")
	dsn := dbFlag(fs, env)
	format := fs.String("format", "text", "text or json")
	if args[0] != "show" {
		fs.Usage()
		return nil
	}
	if help, err := parse(fs, args[1:]); help || err != nil {
		return err
	}
	if fs.NArg() != 1 {
		return usagef("lot show: give exactly one lot identifier")
	}
	if *format != "text" && *format != "json" {
		return usagef("--format: %q is not text or json", *format)
	}
	store, err := OpenStoreReadOnly(ctx, *dsn)
	if err != nil {
		return err
	}
	defer store.Close()
	l, err := store.FindLot(ctx, fs.Arg(0))
	if err != nil {
		// A lot whose every event was declared in error is withdrawn,
		// named with its declarations, not unknown (410 in the API).
		return critminhttp.WithdrawnLot(ctx, store, fs.Arg(0), err)
	}
	// A lot whose making event was declared in error while a run that
	// fed on it stands is not in the record either (410 in the API).
	if err := custody.CheckLotMade(ctx, store, l.ID); err != nil {
		return err
	}
	v, err := critminhttp.ViewLot(ctx, store, l)
	if err != nil {
		return err
	}
	if *format == "json" {
		return printFigures(env, v)
	}
	// Sites and parties by their master-data names, as the lot page
	// names them (web.MasterNames), each with its identifier (issue 15,
	// fix15f item 2: the lines gave the identifiers alone).
	names, err := web.LoadMasterNames(ctx, store)
	if err != nil {
		return err
	}
	site, party := namedSite(names), namedParty(names)
	w := tabwriter.NewWriter(env.Stdout, 2, 4, 2, ' ', 0)
	fmt.Fprintf(w, "Lot\t%s\n", l.ID)
	fmt.Fprintf(w, "Commodity\t%s (%s)\n", ledger.CommodityName(l.Commodity), l.Commodity)
	fmt.Fprintf(w, "Status\t%s\n", l.Status)
	// As people read it: to the gram in its unit, grouped, never in
	// exponent form (units.Quantity; issue 15, fix15zi).
	fmt.Fprintf(w, "Quantity\t%s %s\n", units.Quantity(l.Quantity, l.UOM), l.UOM)
	fmt.Fprintf(w, "Mass\t%s wmt, %s dmt\n", fixedDigits(l.WetTonnes, 3, 0), fixedDigits(l.DryTonnes, 3, 0))
	if len(l.Parts) > 0 || l.TakenTonnes > 0 {
		// What stands where the lot is, once parts have left or runs
		// took some (docs/identity.md, "Parts moved").
		// Every site where something of it stands, the body and each
		// received part, as the lot page lists them (ledger.StandsAt;
		// issue 15, fix15d item 3: it named the body's site alone).
		var at []string
		for _, st := range ledger.StandsAt(l) {
			what := "the lot's body"
			switch {
			case !st.Body && len(st.Parts) == 1:
				what = "received part"
			case !st.Body:
				what = "received parts"
			case len(st.Parts) == 1:
				what += " and a received part"
			case len(st.Parts) > 1:
				what += " and received parts"
			}
			// What each owner and custodian pair holds there, when more
			// than one does, as the lot page's Remaining line splits it
			// (ledger.SiteStanding.Holdings).
			var hs []string
			if len(st.Holdings) > 1 {
				for _, h := range st.Holdings {
					hs = append(hs, fmt.Sprintf("%s wmt owned by %s, held by %s", fixedDigits(h.WetTonnes, 3, 0), orNone(party(h.Owner)), orNone(party(h.Custodian))))
				}
			}
			held := ""
			if len(hs) > 0 {
				held = ": " + strings.Join(hs, "; ")
			}
			at = append(at, fmt.Sprintf("%s wmt, %s dmt at %s (%s)%s", fixedDigits(st.WetTonnes, 3, 0), fixedDigits(st.DryTonnes, 3, 0), site(st.Site), what, held))
		}
		if len(at) == 0 {
			at = []string{"nothing at a site"}
		}
		fmt.Fprintf(w, "Remaining\t%s\n", strings.Join(at, " · "))
	}
	// Shipped and received weights of each shipment a receipt closed, as
	// the lot page prints them (ledger.Outturns).
	for _, o := range v.Outturns {
		bl := "B/L " + o.BillOfLading
		if o.BillOfLading == "" {
			bl = "no B/L" // a receipt matched to its leg by weight (ledger.Outturns)
		}
		fmt.Fprintf(w, "Shipped / received\t%s: shipped %s wmt by %s, received %s wmt by %s, difference %s wmt (%s)", bl,
			fixedDigits(o.ShippedTonnes, 3, 0), o.ShipEventID, fixedDigits(o.ReceivedTonnes, 3, 0), o.ReceiptEventID, units.Signed(o.DifferenceTonnes, 3), ledger.OutturnPercentText(o.ShippedTonnes, o.ReceivedTonnes))
		if o.Anomaly != "" {
			fmt.Fprintf(w, " %s", o.Anomaly)
		}
		fmt.Fprintln(w)
	}
	if t := l.InTransitTonnes(); len(l.Parts) > 0 && t > 0 {
		// Only what is at sea: no "0.000 wmt in parts" once every part
		// arrived (issue 15, fix15s).
		fmt.Fprintf(w, "In transit\t%s wmt in parts\n", fixedDigits(t, 3, 0))
	}
	for _, p := range l.Parts {
		// Its status, then the mass shipped as shipped: "received:
		// 12.000 wmt shipped from …, received 11.950 wmt by …", never
		// "12.000 wmt received from … received 11.950" (issue 15, fix15s).
		fmt.Fprintf(w, "Part\t%s: %s wmt shipped from %s", strings.ReplaceAll(p.Status, "_", " "), fixedDigits(p.Tonnes, 3, 0), site(p.From))
		if p.To != "" {
			fmt.Fprintf(w, " to %s", site(p.To))
		}
		if p.BillOfLading != "" {
			fmt.Fprintf(w, ", B/L %s", p.BillOfLading)
		}
		fmt.Fprintf(w, ", by %s", p.ShipEventID)
		if p.Status == critmin.PartReceived {
			fmt.Fprintf(w, ", %s by %s", partReceivedText(p), p.ReceiptEventID)
		}
		// The part's own owner and custodian, set at its receipt (issue
		// 15, fix15o; docs/identity.md, "Parts moved").
		// A part shipped of several parties' holdings names them all
		// (Lot.PartOwners; issue 15, fix15l).
		// A part shipped from a receipt declared in error has only the
		// parties its dispatch named (fix15v, nu15f 7).
		named := ""
		if p.FromRetracted {
			named = " as its dispatch names them"
		}
		fmt.Fprintf(w, ", %s, %s%s", partPartiesText("owner", l.PartOwners(p), party), partPartiesText("custodian", l.PartCustodians(p), party), named)
		if p.Status == critmin.PartRejoined {
			// Back where the lot's body stands: counted in the body
			// (docs/identity.md, "Parts moved").
			fmt.Fprintf(w, ", %s by %s", partReceivedText(p), p.ReceiptEventID)
			if by := p.RejoinedBy(); by != p.ReceiptEventID {
				// The body came to where the part stood (issue 15, fix15y).
				fmt.Fprintf(w, ", rejoined by %s", by)
			}
			fmt.Fprintf(w, " where the body stands: counted in the body\n")
			continue
		}
		if p.WeighedTonnes != nil {
			// What the weighing weighed of the part where it stood, not
			// counting what had left before it (LotPart.WeighedThereTonnes;
			// issue 15, fix15zb), and when.
			weighed, when := *p.WeighedTonnes, ""
			if p.WeighedThereTonnes != nil {
				weighed = *p.WeighedThereTonnes
			}
			if p.WeighedAt != nil {
				when = " on " + p.WeighedAt.UTC().Format("2006-01-02")
			}
			fmt.Fprintf(w, ", weighed there %s wmt%s by %s", fixedDigits(weighed, 3, 0), when, p.WeighEventID)
		}
		if p.TakenTonnes > 0 {
			fmt.Fprintf(w, ", %s wmt taken by runs", fixedDigits(p.TakenTonnes, 3, 0))
		}
		if p.ShippedOnTonnes > 0 {
			fmt.Fprintf(w, ", %s wmt shipped on from there", fixedDigits(p.ShippedOnTonnes, 3, 0))
		}
		if m := l.PartMoisture(p); m != nil && !p.FromRetracted {
			// The part's own moisture and dry mass (docs/identity.md,
			// "Parts moved": a part's moisture is its own).
			fmt.Fprintf(w, ", moisture %s %%", fixedDigits(*m*100, 2, 0, 100))
			if p.MoistureEventID != "" {
				fmt.Fprintf(w, " by %s", p.MoistureEventID)
			}
			// What is left of it: what runs took of it is gone (issue
			// 15, fix15zh: a 5 t part, 4.01 t taken, read 4.6 dmt).
			left := ""
			if p.Status == critmin.PartReceived && (p.TakenTonnes > 0 || p.ShippedOnTonnes > 0) {
				left = " left there"
			}
			fmt.Fprintf(w, ", %s dmt%s", fixedDigits(l.PartRemainingDryTonnes(p), 3, 0), left)
		}
		if p.FromRetracted {
			// docs/identity.md, "Shipping from a receipt declared in
			// error"; worded from the holdings that stood where it left
			// (ledger.FromNothingText; issue 15, fix15zh).
			fmt.Fprintf(w, " — ships from a receipt declared in error: %s, not counted",
				ledger.FromNothingText(p.LeftFrom, p.From, p.Tonnes, site, party, func(t float64) string { return fixedDigits(t, 3, 0) }))
		}
		fmt.Fprintln(w)
	}
	if l.Moisture != nil {
		fmt.Fprintf(w, "Moisture\t%s %%\n", fixedDigits(*l.Moisture*100, 2, 0, 100))
	}
	// Every assay the lot was given, an older one of the same analyte
	// and basis too (ledger.AssayRecords).
	recs, err := ledger.LotAssayRecords(ctx, store, l)
	if err != nil {
		return err
	}
	for _, rec := range recs {
		a := rec.Assay
		// The lot page's wording: a basis left out is read as dry, and
		// said so; an as-received grade shows its dry grade beside it
		// (ledger.DryValue, with the moisture measured with it).
		basis := a.Basis
		if a.BasisNotStated {
			basis = "basis not stated, read as dry"
		}
		dry := ""
		if a.Basis != "dry" {
			if v, ok := ledger.DryValue(a, rec.Moisture); ok {
				dry = fmt.Sprintf(", dry grade %s %s", custody.Figure(v), a.Unit)
			}
		}
		// A superseded assay is listed, marked, never read (ledger.SupersededBy).
		state := ""
		if b := rec.SupersededBy; b != nil {
			state = fmt.Sprintf("; superseded by event %s of %s, not in effect", b.EventID, b.At.UTC().Format("2006-01-02"))
		}
		// An assay of a part read at grades of its own is that part's,
		// not the lot's (issue 15, fix15a); of whose part, where two
		// stand at its site (ledger.AssayPartLabel; fix15v).
		of := ""
		if label := ledger.AssayPartLabel(rec, site, party); label != "" {
			of = " of " + label
		}
		fmt.Fprintf(w, "Assay\t%s %s %s%s (%s%s) at %s%s\n", a.Analyte, critmin.PlainNumber(a.Value), a.Unit, of, basis, dry, a.At.UTC().Format(time.RFC3339), state)
		// Its contained tonnes in what remains of what it is of, as the
		// lot page's assay table gives them (ledger.AssayRecord.Contained:
		// what runs took is no longer the lot's; issue 15, fix15zh).
		if c, ok := rec.Contained(); ok {
			fmt.Fprintf(w, "Contained\t%s %s t%s in %s dmt remaining\n", a.Analyte, fixedDigits(c, 6, 0), of, fixedDigits(rec.RemainingDryTonnes, 3, 0))
		}
	}
	c, err := custody.OriginOf(ctx, store, l.ID, false)
	if err != nil {
		return err
	}
	fmt.Fprintf(w, "Physical origin\t%s\n", c.Headline().Text)
	if l.OriginMine != "" {
		fmt.Fprintf(w, "Origin mine\t%s\n", site(l.OriginMine))
	}
	if cl := c.Claimed; cl.Unbacked() {
		fmt.Fprintf(w, "Claimed origin\t%s; %s\n", custody.RefusedClaimText(cl), cl.Error)
	} else if cl != nil {
		fmt.Fprintf(w, "Claimed origin\tmass balance, not physical (%s):", cl.StatusText())
		// Countries by name, in the form of the physical origin line
		// and the lot page ("Pakistan 100.0 %"), never bare codes.
		fmt.Fprintf(w, " %s\n", cl.SharesText())
	}
	// The anomalies of the lot's origin, as the lot page and the API's
	// lot and origin views give them (custody.Origin with evidence; the
	// kept mix read above carries none).
	full, err := custody.Origin(ctx, store, l.ID)
	if err != nil {
		return err
	}
	for _, a := range full.Anomalies {
		fmt.Fprintf(w, "Anomaly\t%s: %s\n", a.Kind, a.Detail)
	}
	if t, err := critminhttp.LotTransit(ctx, store, l); err != nil {
		return err
	} else if t != nil {
		fmt.Fprintf(w, "Location\t%s\n", t.Text()) // at no site while at sea
	} else {
		fmt.Fprintf(w, "Location\t%s\n", site(l.Location))
	}
	// Every holding's owner and custodian with its mass, one line per
	// site and one for what is in transit, as the lot page reads them
	// (ledger.Holders; issue 15, fix15o, fix15u).
	holdersLines(w, "Owner", l.Owner, ledger.Holders(l, false), site, party)
	holdersLines(w, "Custodian", l.Custodian, ledger.Holders(l, true), site, party)
	fmt.Fprintf(w, "Events\t%d (%s – %s)\n", l.EventCount, l.FirstEventAt.UTC().Format(time.RFC3339), l.LastEventAt.UTC().Format(time.RFC3339))
	for _, p := range l.Parents {
		fmt.Fprintf(w, "Came from\t%s\n", p)
	}
	for _, c := range l.Children {
		fmt.Fprintf(w, "Went into\t%s\n", c)
	}
	return w.Flush()
}

// holdersLines writes label's lines for hs (ledger.Holders): the one
// party holding all of the lot at one place alone ("Owner  FWO"), else a
// line per site and one for what is in transit naming each holding's
// party and its mass ("Owner  at Port Qasim: USSM 9.962 wmt, FWO 2.988
// wmt"); lot, the lot's own party, when nothing stands or travels. site
// and party word the identifiers (namedSite, namedParty).
func holdersLines(w io.Writer, label, lot string, hs []ledger.HoldersAt, site, party func(string) string) {
	// A holding whose party no event named reads "owner not stated",
	// never a blank name ("Owner  in transit:  5.000 wmt"; issue 15,
	// fix15zi).
	notStated := strings.ToLower(label) + " not stated"
	if p, ok := ledger.SoleHolder(hs); ok || len(hs) == 0 {
		if ok {
			lot = p
		}
		if lot == "" {
			fmt.Fprintf(w, "%s\t%s\n", label, notStated)
			return
		}
		fmt.Fprintf(w, "%s\t%s\n", label, party(lot))
		return
	}
	for _, h := range hs {
		where := "in transit"
		if !h.InTransit {
			where = "at " + site(h.Site)
		}
		var who []string
		for _, x := range h.Holders {
			var names []string
			for _, p := range x.Parties {
				names = append(names, party(p))
			}
			if len(names) == 0 {
				names = []string{notStated}
			}
			who = append(who, strings.Join(names, " and ")+" "+fixedDigits(x.WetTonnes, 3, 0)+" wmt")
		}
		fmt.Fprintf(w, "%s\t%s: %s\n", label, where, strings.Join(who, ", "))
	}
}

// namedSite words a site identifier for the terminal: "Port of Houston
// (urn:…:site:houston)" when master data names it (web.MasterNames, the
// lot page's resolver), else the identifier; "" stays "".
func namedSite(n web.MasterNames) func(string) string {
	return func(id string) string {
		name, ok := n.Site(id)
		return withName(id, name, ok)
	}
}

// namedParty words a party identifier as namedSite words a site.
func namedParty(n web.MasterNames) func(string) string {
	return func(id string) string {
		name, ok := n.Party(id)
		return withName(id, name, ok)
	}
}

// withName is "NAME (id)" when master data names id (ok), else id.
func withName(id, name string, ok bool) string {
	if !ok || id == "" {
		return id
	}
	return name + " (" + id + ")"
}

// orNone is s, or "no party named" when s is "" (as the lot page says).
func orNone(s string) string {
	if s == "" {
		return "no party named"
	}
	return s
}

// partPartiesText is "owner A" or "owners A, B" (role and its plural, each
// party by name), "owner not stated" when none is stated (as the lot
// page words it).
func partPartiesText(role string, parties []string, name func(string) string) string {
	if len(parties) == 0 {
		return role + " not stated"
	}
	if len(parties) > 1 {
		role += "s"
	}
	names := make([]string, len(parties))
	for i, p := range parties {
		names[i] = orNotStated(name(p))
	}
	return role + " " + strings.Join(names, ", ")
}

// orNotStated is s, or "not stated" when s is "" (a party not stated).
func orNotStated(s string) string {
	if s == "" {
		return "not stated"
	}
	return s
}

// fixedDigits prints v with at least min decimals, and more (up to 12)
// while the printed figure would read as one of the bounds it is not: a
// dry mass of 0.000001 t is "0.000001", never "0.000"; a moisture of
// 99.9999 % is "99.9999", never "100.00". Float residue below
// units.MassResidue is 0 (units.Settled): an emptied holding is "0.000",
// never "-0.000000000001" (issue 15, fix15u). Thousands are grouped
// (units.Group: 1,010.020; fix15zi).
func fixedDigits(v float64, min int, bounds ...float64) string {
	v = units.Settled(v)
	for d := min; ; d++ {
		s := units.Fixed(v, d)
		if d >= 12 {
			return units.Group(s)
		}
		p, _ := strconv.ParseFloat(s, 64)
		misleads := false
		for _, b := range bounds {
			if p == b && v != b {
				misleads = true
			}
		}
		if !misleads {
			return units.Group(s)
		}
	}
}

// partReceivedText words a part's receipt: "received 4.960 wmt", or
// "received, not weighed" when the receipt stated no weight (the part
// keeps its shipped weight; ReceivedTonnes is then 0, which is not what
// arrived — issue 15, fix15zd, nu15g item 4: "received 0.000 wmt").
func partReceivedText(p critmin.LotPart) string {
	if p.ReceivedTonnes <= 0 {
		return "received, not weighed"
	}
	return "received " + fixedDigits(p.ReceivedTonnes, 3, 0) + " wmt"
}
