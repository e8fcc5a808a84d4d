package sqldb

import (
	"context"
	"database/sql"
	"fmt"
	"github.com/critmin/critmin/country"
	"sort"
	"strings"
	"time"

	"github.com/critmin/critmin"
)

// lotColumns are the columns a lots row is read with: the lot's values,
// then location_canon, the row's seal (seal.go) and the counts of the
// derived rows that hang off it which its seal covers (migration 0073):
// the lot_links rows into it (child = id) and its lot_moves rows.
const lotColumns = `id, commodity, quantity, COALESCE(uom, ''), wet_t, dry_t, moisture, origin_country, origin_mine, supplier, location, read_point,
	status, disposition, owner, custodian, first_us, last_us, event_count, assays, claims, taken_t, parts, location_canon, seal, link_count, move_count, out_link_count`

// lotReadColumns are lotColumns and, counted in the same statement, the
// lot_links rows into the lot and its lot_moves rows as stored now: a
// reader that serves the lot compares them with the sealed counts
// (scanLotRead), so a link or move deleted by hand is refused, not
// served. The writer's own loads read lotColumns: within a capture the
// rows it has just added are not yet counted in the lot's row.
const lotReadColumns = lotColumns + `, (SELECT COUNT(*) FROM lot_links ll WHERE ll.child = lots.id), (SELECT COUNT(*) FROM lot_moves lm WHERE lm.lot = lots.id),
	(SELECT COUNT(*) FROM lot_links lo WHERE lo.parent = lots.id)`

// lotRow is a lots row as read (lotColumns).
type lotRow struct {
	l                     critmin.Lot
	moist                 sql.NullFloat64
	first, last           int64
	assays, claims, parts string
	locationCanon         sql.NullString
	seal                  sql.NullString
	linkCount, moveCount  int64 // sealed counts of the lot_links into it and its lot_moves
	outLinkCount          int64 // sealed count of the lot_links out of it (parent = id, migration 0076)
}

func (r *lotRow) ptrs() []any {
	l := &r.l
	return []any{&l.ID, &l.Commodity, &l.Quantity, &l.UOM, &l.WetTonnes, &l.DryTonnes, &r.moist, &l.OriginCountry, &l.OriginMine, &l.Supplier,
		&l.Location, &l.ReadPoint, &l.Status, &l.Disposition, &l.Owner, &l.Custodian, &r.first, &r.last, &l.EventCount, &r.assays, &r.claims, &l.TakenTonnes, &r.parts, &r.locationCanon, &r.seal, &r.linkCount, &r.moveCount, &r.outLinkCount}
}

// sealValues are the values the row's seal covers (lotSealValues).
func (r *lotRow) sealValues() []any {
	l := &r.l
	return lotSealValues(l.ID, l.Commodity, l.Quantity, l.UOM, l.WetTonnes, l.DryTonnes, floatOrNil(r.moist), l.OriginCountry, l.OriginMine, l.Supplier, l.Location, l.ReadPoint,
		l.Status, l.Disposition, l.Owner, l.Custodian, r.first, r.last, l.EventCount, r.assays, r.claims, l.TakenTonnes, r.parts, r.locationCanon.String, r.linkCount, r.moveCount, r.outLinkCount)
}

// scanLot reads a lots row (lotColumns) and refuses (ECONFLICT, naming
// the table, row and, where it can, the column) one critmin did not
// write: a value no capture stores, or a row whose seal does not match.
func scanLot(row interface{ Scan(...any) error }) (*critmin.Lot, error) {
	var r lotRow
	if err := row.Scan(r.ptrs()...); err != nil {
		return nil, err
	}
	return r.lot()
}

// scanLotRead reads a lots row with the live counts of lotReadColumns and
// refuses, besides what scanLot refuses, a lot whose stored lot_links
// into it or lot_moves are fewer or more than its seal says: a derived
// row deleted (or inserted) by hand, which no row's own seal can show.
func scanLotRead(row interface{ Scan(...any) error }) (*critmin.Lot, error) {
	var r lotRow
	var links, moves, outLinks int64
	if err := row.Scan(append(r.ptrs(), &links, &moves, &outLinks)...); err != nil {
		return nil, err
	}
	l, err := r.lot()
	if err != nil {
		return nil, err
	}
	if err := r.checkCounts(links, moves, outLinks); err != nil {
		return nil, err
	}
	return l, nil
}

// checkCounts refuses (ECONFLICT naming the table and the lot) a lot
// whose lot_links into it, lot_moves or lot_links out of it, as counted
// now, number otherwise than its seal says (migrations 0073 and 0076).
func (r *lotRow) checkCounts(links, moves, outLinks int64) error {
	id := r.l.ID
	if err := checkCount("lot_links", rowKey("child", id), id, r.linkCount, links); err != nil {
		return err
	}
	if err := checkCount("lot_moves", rowKey("lot", id), id, r.moveCount, moves); err != nil {
		return err
	}
	return checkCount("lot_links", rowKey("parent", id), id, r.outLinkCount, outLinks)
}

// lot is the row's lot, refused as scanLot says.
func (r *lotRow) lot() (*critmin.Lot, error) {
	l := &r.l
	moist, first, last, assays, claims, parts := r.moist, r.first, r.last, r.assays, r.claims, r.parts
	if moist.Valid {
		v := moist.Float64
		l.Moisture = &v
	}
	l.FirstEventAt, l.LastEventAt = fromMicros(first), fromMicros(last)
	l.Material = true // every stored lot is one (critmin.Lot.Material)
	if err := decodeDerived("lots", rowKey("id", l.ID), "assays", assays, &l.Assays); err != nil {
		return nil, err
	}
	if parts != "" && parts != "[]" {
		if err := decodeDerived("lots", rowKey("id", l.ID), "parts", parts, &l.Parts); err != nil {
			return nil, err
		}
	}
	if claims != "" && claims != "null" {
		if err := decodeDerived("lots", rowKey("id", l.ID), "claims", claims, &l.OriginClaim); err != nil {
			return nil, err
		}
		// Capture accepts only shares in [0, 1] adding up to at most 1
		// (ledger.DecodeMineral): any other claim was written by hand.
		total := 0.0
		for c, sh := range l.OriginClaim {
			if !(sh >= 0 && sh <= 1) {
				return nil, StoredValueError("lots", rowKey("id", l.ID), "claims", claims, fmt.Errorf("the share of %s is not in [0, 1]", c))
			}
			total += sh
		}
		if total > 1+1e-9 {
			return nil, StoredValueError("lots", rowKey("id", l.ID), "claims", claims, fmt.Errorf("the shares add up to %g, over 1", total))
		}
	}
	if err := checkSeal("lots", rowKey("id", l.ID), l.ID, r.seal, r.sealValues()...); err != nil {
		return nil, err
	}
	return l, nil
}

func findLot(ctx context.Context, q querier, db *DB, id string) (*critmin.Lot, error) {
	l, err := scanLotRead(q.QueryRowContext(ctx, db.q("SELECT "+lotReadColumns+" FROM lots WHERE id = ?"), id))
	if err != nil {
		return nil, notFound(err, "no lot %q", id)
	}
	// Every link row is read whole, so that its seal is checked (a link
	// inserted or edited by hand names no parent or child here).
	links, err := q.QueryContext(ctx, db.q(`SELECT `+edgeColumns+` FROM lot_links WHERE kind = 'transformation' AND (parent = ? OR child = ?) ORDER BY parent, child`), id, id)
	if err != nil {
		return nil, fmt.Errorf("%s: lot links: %w", db.Dialect.Name, err)
	}
	edges, err := scanEdges(links)
	if err != nil {
		return nil, err
	}
	for i, e := range edges {
		if i > 0 && e.Parent == edges[i-1].Parent && e.Child == edges[i-1].Child {
			continue // DISTINCT parent, child
		}
		if e.Parent == id {
			l.Children = append(l.Children, e.Child)
		} else {
			l.Parents = append(l.Parents, e.Parent)
		}
	}
	return l, nil
}

// linkKey names a lot_links row as verify's Difference does.
func linkKey(parent, child, eventID string) string {
	return rowKey("parent", parent) + ", " + rowKey("child", child) + ", " + rowKey("event_id", eventID)
}

// FindLot returns one lot of the mineral view with its genealogy links.
// Lots are keyed by canonical class identifier, so any spelling of a GS1
// key finds its lot.
// FindLot is findLotUnexplained with a sealed row's refusal explained (explain).
func (db *DB) FindLot(ctx context.Context, id string) (*critmin.Lot, error) {
	l, err := db.findLotUnexplained(ctx, id)
	return l, db.explain(ctx, err)
}

func (db *DB) findLotUnexplained(ctx context.Context, id string) (*critmin.Lot, error) {
	if !storable(id) {
		return nil, critmin.Errorf(critmin.ENOTFOUND, "no lot %q", id)
	}
	return findLot(ctx, db.consistent(ctx), db, canon(id))
}

// FindLots lists lots, most recently active first, and the total matching.
// FindLots is findLotsUnexplained with a sealed row's refusal explained (explain).
func (db *DB) FindLots(ctx context.Context, f critmin.LotFilter) ([]*critmin.Lot, int, error) {
	ls, n, err := db.findLotsUnexplained(ctx, f)
	return ls, n, db.explain(ctx, err)
}

func (db *DB) findLotsUnexplained(ctx context.Context, f critmin.LotFilter) ([]*critmin.Lot, int, error) {
	w := &where{}
	if f.Commodity != "" {
		w.add("commodity = ?", f.Commodity)
	}
	if f.Status != "" {
		w.add("status = ?", f.Status)
	}
	if f.Location != "" {
		// A lot in transit is at no site, though location keeps the
		// port it left (docs/identity.md).
		w.add("location_canon = ?", canon(f.Location))
		w.add("status <> ?", critmin.LotInTransit)
	}
	if f.LastLocation != "" {
		w.add("location_canon = ?", canon(f.LastLocation))
	}
	if f.InTransit {
		// parts is the JSON of critmin.Lot.Parts as encoding/json writes
		// it (capture.go): a part in transit reads "status":"in_transit".
		w.add("(status = ? OR parts LIKE ?)", critmin.LotInTransit, `%"status":"`+critmin.PartInTransit+`"%`)
	}
	cond := ""
	if len(w.conds) > 0 {
		cond = " WHERE " + strings.Join(w.conds, " AND ")
	}
	var total int
	if err := db.reader(ctx).QueryRowContext(ctx, db.q("SELECT COUNT(*) FROM lots"+cond), w.args...).Scan(&total); err != nil {
		return nil, 0, fmt.Errorf("%s: count lots: %w", db.Dialect.Name, err)
	}
	limit := f.Limit
	if limit <= 0 {
		limit = 100
	}
	rows, err := db.reader(ctx).QueryContext(ctx, db.q(fmt.Sprintf("SELECT %s FROM lots%s ORDER BY last_us DESC, id LIMIT %d OFFSET %d", lotReadColumns, cond, limit, max(f.Offset, 0))), w.args...)
	if err != nil {
		return nil, 0, fmt.Errorf("%s: find lots: %w", db.Dialect.Name, err)
	}
	defer rows.Close()
	var out []*critmin.Lot
	for rows.Next() {
		l, err := scanLotRead(rows)
		if err != nil {
			return nil, 0, err
		}
		out = append(out, l)
	}
	if err := rows.Err(); err != nil {
		return nil, 0, err
	}
	rows.Close()
	if err := db.lotLinks(ctx, out); err != nil {
		return nil, 0, err
	}
	return out, total, nil
}

// lotLinks sets each lot's Parents and Children from its transformation
// links, as findLot does for one lot, so a list and the single lot view
// agree (fix9d item 5). Read in chunks of at most 400 lots (800
// parameters, under every dialect's limit).
func (db *DB) lotLinks(ctx context.Context, lots []*critmin.Lot) error {
	for start := 0; start < len(lots); start += 400 {
		chunk := lots[start:min(start+400, len(lots))]
		byID := make(map[string]*critmin.Lot, len(chunk))
		for _, l := range chunk {
			byID[l.ID] = l
		}
		marks := strings.TrimSuffix(strings.Repeat("?, ", len(chunk)), ", ")
		args := make([]any, 0, 2*len(chunk))
		for _, l := range chunk {
			args = append(args, l.ID)
		}
		args = append(args, args...)
		links, err := db.reader(ctx).QueryContext(ctx, db.q(`SELECT `+edgeColumns+` FROM lot_links WHERE kind = 'transformation' AND (parent IN (`+marks+`) OR child IN (`+marks+`)) ORDER BY parent, child`), args...)
		if err != nil {
			return fmt.Errorf("%s: lot links: %w", db.Dialect.Name, err)
		}
		edges, err := scanEdges(links) // every row whole, its seal checked
		if err != nil {
			return err
		}
		for i, e := range edges {
			if i > 0 && e.Parent == edges[i-1].Parent && e.Child == edges[i-1].Child {
				continue // DISTINCT parent, child
			}
			if l := byID[e.Parent]; l != nil {
				l.Children = append(l.Children, e.Child)
			}
			if l := byID[e.Child]; l != nil {
				l.Parents = append(l.Parents, e.Parent)
			}
		}
	}
	return nil
}

// locationTypes are the EPCIS master-data vocabulary types of locations.
var locationTypes = map[string]bool{"urn:epcglobal:epcis:vtype:BusinessLocation": true, "urn:epcglobal:epcis:vtype:ReadPoint": true}

// partyType is the vocabulary type critmin reads parties from.
const partyType = "urn:epcglobal:epcis:vtype:Party"

// attr finds a master-data attribute by its local name, whatever the
// namespace spelling (urn:epcglobal:cbv:mda#name, cbvmda:name, cm:siteKind).
func attr(attrs map[string]string, local string) string {
	for k, v := range attrs {
		i := strings.LastIndexAny(k, "#:/")
		if k[i+1:] == local {
			return v
		}
	}
	return ""
}

func (db *DB) masterData(ctx context.Context) ([]critmin.MasterDataElement, error) {
	// Oldest version first: where master data describes one key under two
	// spellings, the later description wins in the canonical-keyed views.
	rows, err := db.reader(ctx).QueryContext(ctx, `SELECT vtype, id, attrs FROM master_data ORDER BY record_us, vtype, id`)
	if err != nil {
		return nil, fmt.Errorf("%s: master data: %w", db.Dialect.Name, err)
	}
	defer rows.Close()
	var out []critmin.MasterDataElement
	for rows.Next() {
		var m critmin.MasterDataElement
		var a string
		if err := rows.Scan(&m.Type, &m.ID, &a); err != nil {
			return nil, err
		}
		if err := decodeDerived("master_data", rowKey("id", m.ID), "attrs", a, &m.Attributes); err != nil {
			return nil, err
		}
		out = append(out, m)
	}
	return out, rows.Err()
}

// SiteDetails returns the sites master data describes.
func (db *DB) SiteDetails(ctx context.Context) ([]*critmin.Site, error) {
	sites, err := db.masterSites(ctx)
	if err != nil {
		return nil, err
	}
	// A location is read with the locations it lies inside.
	if err := db.applySiteParents(ctx, db.reader(ctx), sites); err != nil {
		return nil, err
	}
	out := make([]*critmin.Site, 0, len(sites))
	for _, s := range sites {
		out = append(out, s)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].ID < out[j].ID })
	return out, nil
}

// masterSites reads the sites of master data keyed by canonical identifier
// (canon: the GS1 Digital Link of a GS1 key), each keeping the ID as master
// data spells it for display.
func (db *DB) masterSites(ctx context.Context) (map[string]*critmin.Site, error) {
	md, err := db.masterData(ctx)
	if err != nil {
		return nil, err
	}
	sites := map[string]*critmin.Site{}
	for _, m := range md {
		if !locationTypes[m.Type] {
			continue
		}
		s := &critmin.Site{ID: m.ID, Name: attr(m.Attributes, "name"), Kind: attr(m.Attributes, "siteKind"), UNLocode: attr(m.Attributes, "unLocode"), CustodyModel: attr(m.Attributes, "custodyModel"),
			Certification: attr(m.Attributes, "certification"), CertValidFrom: attr(m.Attributes, "certificationValidFrom"), CertValidUntil: attr(m.Attributes, "certificationValidUntil")}
		// cm:country, CBV countryCode and the UN/LOCODE's country,
		// normalised to alpha-3, the form covered-country lists use; where
		// they disagree, no country (critmin.SiteCountry).
		s.Country, s.CountryConflict = critmin.SiteCountry(m.Attributes, nil)
		s.Lat, s.Lon = parseFloat(attr(m.Attributes, "latitude")), parseFloat(attr(m.Attributes, "longitude"))
		s.ElementTolerance = parseFloat(attr(m.Attributes, "elementTolerance"))
		sites[canon(m.ID)] = s
	}
	if err := db.toleranceVersions(ctx, sites); err != nil {
		return nil, err
	}
	changes, err := siteChanges(ctx, db.reader(ctx), db.Dialect)
	if err != nil {
		return nil, err
	}
	applySiteChanges(sites, changes)
	return sites, nil
}

// toleranceVersions gives each site whose master data declares a
// cm:elementTolerance in any version the tolerance of every version, by
// record time (critmin.Site.ToleranceAt): a run is judged by the
// tolerance in force when it was recorded (issue 9, nu38b-1). Sites that
// never declared one keep none (the default holds at every time). So too
// cm:custodyModel (ModelVersions, ModelAt) and cm:certification with its
// validity dates (CertVersions, CertAt): an event is read under the
// version in force when it was recorded.
func (db *DB) toleranceVersions(ctx context.Context, sites map[string]*critmin.Site) error {
	// One read of the versions of every site any version of which names
	// one of the terms; a site gets the versions of a term only where
	// some version names it.
	terms := []string{"lementTolerance", "custodyModel", "certification"}
	rows, err := db.reader(ctx).QueryContext(ctx, `SELECT vtype, id, record_us, attrs FROM master_data_versions
		WHERE id IN (SELECT id FROM master_data_versions WHERE attrs LIKE '%lementTolerance%' OR attrs LIKE '%custodyModel%' OR attrs LIKE '%certification%')
		ORDER BY record_us, vtype, id`)
	if err != nil {
		return fmt.Errorf("%s: master data versions: %w", db.Dialect.Name, err)
	}
	defer rows.Close()
	type version struct {
		s     *critmin.Site
		rt    time.Time
		attrs map[string]string
	}
	var all []version
	names := map[*critmin.Site][3]bool{}
	for rows.Next() {
		var vtype, id, a string
		var rt int64
		if err := rows.Scan(&vtype, &id, &rt, &a); err != nil {
			return err
		}
		if !locationTypes[vtype] {
			continue
		}
		s := sites[canon(id)]
		if s == nil {
			continue
		}
		var attrs map[string]string
		if err := decodeDerived("master_data_versions", rowKey("id", id), "attrs", a, &attrs); err != nil {
			return err
		}
		all = append(all, version{s, fromMicros(rt), attrs})
		n := names[s]
		for k, t := range terms {
			n[k] = n[k] || strings.Contains(a, t)
		}
		names[s] = n
	}
	if err := rows.Err(); err != nil {
		return err
	}
	for _, v := range all {
		n := names[v.s]
		if n[0] {
			v.s.ToleranceVersions = append(v.s.ToleranceVersions, critmin.ToleranceVersion{RecordTime: v.rt, Tolerance: parseFloat(attr(v.attrs, "elementTolerance"))})
		}
		if n[1] {
			v.s.ModelVersions = append(v.s.ModelVersions, critmin.ModelVersion{RecordTime: v.rt, Model: attr(v.attrs, "custodyModel")})
		}
		if n[2] {
			v.s.CertVersions = append(v.s.CertVersions, critmin.CertVersion{RecordTime: v.rt, Certification: attr(v.attrs, "certification"),
				ValidFrom: attr(v.attrs, "certificationValidFrom"), ValidUntil: attr(v.attrs, "certificationValidUntil")})
		}
	}
	return nil
}

// eventLocationsQuery lists the distinct bizLocation and readPoint
// identifiers of the events by a loose index scan: each step asks the
// index on events (biz_location, …) or (read_point, …) for the next value
// after the last (MIN … WHERE col > last), so the query costs one index
// probe per distinct location rather than a scan of every event — which
// SELECT DISTINCT was on every overview page, record form and /api/v1/sites
// request, growing with the log (fix14c). Same rows as
// SELECT DISTINCT biz_location … UNION SELECT DISTINCT read_point … (both
// backends compare TEXT deterministically, so no value is skipped).
const eventLocationsQuery = `WITH RECURSIVE
	b(v) AS (SELECT MIN(biz_location) FROM events
		UNION ALL SELECT (SELECT MIN(e.biz_location) FROM events e WHERE e.biz_location > b.v) FROM b WHERE b.v IS NOT NULL),
	r(v) AS (SELECT MIN(read_point) FROM events
		UNION ALL SELECT (SELECT MIN(e.read_point) FROM events e WHERE e.read_point > r.v) FROM r WHERE r.v IS NOT NULL)
	SELECT v FROM b WHERE v IS NOT NULL UNION SELECT v FROM r WHERE v IS NOT NULL`

// FindSites lists every location named by master data or by events, with
// what master data says of it and the number of lots there now. A GS1 key
// is one site however it is spelled (EPC URN or Digital Link): it is
// listed once, under master data's spelling when master data names it.
// FindSites is findSitesUnexplained with a sealed row's refusal explained (explain).
func (db *DB) FindSites(ctx context.Context) ([]*critmin.Site, error) {
	ss, err := db.findSitesUnexplained(ctx)
	return ss, db.explain(ctx, err)
}

func (db *DB) findSitesUnexplained(ctx context.Context) ([]*critmin.Site, error) {
	sites, err := db.masterSites(ctx)
	if err != nil {
		return nil, err
	}
	rows, err := db.reader(ctx).QueryContext(ctx, eventLocationsQuery)
	if err != nil {
		return nil, fmt.Errorf("%s: event locations: %w", db.Dialect.Name, err)
	}
	for rows.Next() {
		var id string
		if err := rows.Scan(&id); err != nil {
			rows.Close()
			return nil, err
		}
		if _, ok := sites[canon(id)]; !ok {
			sites[canon(id)] = &critmin.Site{ID: id}
		}
	}
	rows.Close()
	// A location is read with the locations it lies inside: a GLN
	// sub-location only events name is in its GLN's country.
	if err := db.applySiteParents(ctx, db.reader(ctx), sites); err != nil {
		return nil, err
	}
	// Lots at each site now: every lots row read with its seal checked
	// (seal.go) and counted here, so that an edited status or location
	// moves no lot in or out of a site's count.
	counts, err := db.reader(ctx).QueryContext(ctx, `SELECT `+lotColumns+` FROM lots`)
	if err != nil {
		return nil, fmt.Errorf("%s: lots by location: %w", db.Dialect.Name, err)
	}
	for counts.Next() {
		var r lotRow
		if err := counts.Scan(r.ptrs()...); err != nil {
			counts.Close()
			return nil, err
		}
		if err := checkSeal("lots", rowKey("id", r.l.ID), r.l.ID, r.seal, r.sealValues()...); err != nil {
			counts.Close()
			return nil, err
		}
		if r.l.Status == critmin.LotConsumed || r.l.Status == critmin.LotInTransit {
			continue // used up, or at sea: at no site
		}
		if s, ok := sites[canon(r.l.Location)]; ok {
			s.Lots++
		}
	}
	err = counts.Err()
	counts.Close()
	if err != nil {
		return nil, err
	}
	out := make([]*critmin.Site, 0, len(sites))
	for _, s := range sites {
		if s.Kind == "" {
			s.Kind = critmin.SiteOther
		}
		out = append(out, s)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].ID < out[j].ID })
	return out, nil
}

func parseFloat(s string) *float64 {
	var f float64
	if _, err := fmt.Sscan(s, &f); err != nil {
		return nil
	}
	return &f
}

// FindParties lists parties from master data and from owner and custodian
// fields of lots, each GS1 key once (canonical form), under master data's
// spelling when master data names it.
func (db *DB) FindParties(ctx context.Context) ([]*critmin.Party, error) {
	md, err := db.masterData(ctx)
	if err != nil {
		return nil, err
	}
	parties := map[string]*critmin.Party{}
	for _, m := range md {
		if m.Type == partyType {
			pc := attr(m.Attributes, "country")
			if a3, ok := country.Normalize(pc); ok {
				pc = a3
			}
			parties[canon(m.ID)] = &critmin.Party{ID: m.ID, Name: attr(m.Attributes, "name"), Country: pc}
		}
	}
	rows, err := db.reader(ctx).QueryContext(ctx, `SELECT DISTINCT name, val FROM event_attrs WHERE kind IN ('source', 'destination') AND name IN ('owning_party', 'possessing_party')`)
	if err != nil {
		return nil, fmt.Errorf("%s: parties: %w", db.Dialect.Name, err)
	}
	defer rows.Close()
	for rows.Next() {
		var typ, id string
		if err := rows.Scan(&typ, &id); err != nil {
			return nil, err
		}
		if _, ok := parties[canon(id)]; !ok {
			parties[canon(id)] = &critmin.Party{ID: id}
		}
	}
	out := make([]*critmin.Party, 0, len(parties))
	for _, p := range parties {
		out = append(out, p)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].ID < out[j].ID })
	return out, rows.Err()
}

// Stats summarises the ledger for the overview page.
// Stats is statsUnexplained with a sealed row's refusal explained (explain).
func (db *DB) Stats(ctx context.Context) (*critmin.LedgerStats, error) {
	st, err := db.statsUnexplained(ctx)
	return st, db.explain(ctx, err)
}

func (db *DB) statsUnexplained(ctx context.Context) (*critmin.LedgerStats, error) {
	st := &critmin.LedgerStats{}
	var err error
	if st.Events, err = db.CountEvents(ctx); err != nil {
		return nil, err
	}
	// In transit: lots in transit as a whole, and the parts of lots in
	// transit (critmin.Lot.Parts) — for a lot that sent parts, what
	// remains of it counts only when it is in transit itself. The figures
	// are summed here from every lots row, read in one statement with its
	// seal checked (seal.go), so that no figure of the overview comes from
	// a row edited outside critmin; parts are decoded only where a lot has
	// them.
	// Each row is read with its lot_links and lot_moves counted in the
	// same statement (lotReadColumns) and compared with the counts its
	// seal covers: the flows below are summed from the lot_moves rows, so
	// a move deleted or inserted by hand is refused here, naming its lot,
	// rather than served as a smaller or larger flow.
	rows, err := db.reader(ctx).QueryContext(ctx, `SELECT `+lotReadColumns+` FROM lots ORDER BY commodity, status`)
	if err != nil {
		return nil, fmt.Errorf("%s: lot stats: %w", db.Dialect.Name, err)
	}
	byCS := map[[2]string]int{}
	for rows.Next() {
		var r lotRow
		var links, moves, outLinks int64
		if err := rows.Scan(append(r.ptrs(), &links, &moves, &outLinks)...); err != nil {
			rows.Close()
			return nil, err
		}
		l := &r.l
		if err := checkSeal("lots", rowKey("id", l.ID), l.ID, r.seal, r.sealValues()...); err != nil {
			rows.Close()
			return nil, err
		}
		if err := r.checkCounts(links, moves, outLinks); err != nil {
			rows.Close()
			return nil, err
		}
		st.Lots++
		var sea float64 // what of the lot is in transit
		if r.parts == "" || r.parts == "[]" {
			if l.Status == critmin.LotInTransit {
				sea = l.WetTonnes
			}
		} else {
			if err := decodeDerived("lots", rowKey("id", l.ID), "parts", r.parts, &l.Parts); err != nil {
				rows.Close()
				return nil, err
			}
			sea = l.InTransitTonnes()
			if l.Status == critmin.LotInTransit {
				sea += l.RemainingWetTonnes()
			}
		}
		st.TonnesInTransit += sea
		row := func(status string) *critmin.CommodityStatus {
			k := [2]string{l.Commodity, status}
			i, ok := byCS[k]
			if !ok {
				i = len(st.LotsByCommodity)
				byCS[k] = i
				st.LotsByCommodity = append(st.LotsByCommodity, critmin.CommodityStatus{Commodity: l.Commodity, Status: status})
			}
			return &st.LotsByCommodity[i]
		}
		// A lot counts once, under its status; its tonnes split by the
		// state of its parts: what is at sea under in transit, the rest
		// under its status (in stock when the lot itself is in transit:
		// its received parts stand where they were received) — a lot in
		// stock with 17 t of parts at sea counted all its 39.85 t in
		// stock while the in-transit card counted the 17 t too (issue 15,
		// fix15u; nu15f finding 9).
		row(l.Status).Lots++
		if rest := l.WetTonnes - sea; l.Status == critmin.LotInTransit {
			if rest > 1e-9 {
				row(critmin.LotInStock).Tonnes += rest
				row(critmin.LotInStock).Parts++
			}
		} else {
			row(l.Status).Tonnes += rest
		}
		if sea > 0 {
			row(critmin.LotInTransit).Tonnes += sea
			if l.Status != critmin.LotInTransit {
				row(critmin.LotInTransit).Parts++
			}
		}
	}
	err = rows.Err()
	rows.Close()
	if err != nil {
		return nil, err
	}
	// ORDER BY commodity, status as the database collates text; Go's byte
	// order is the same for the ASCII names capture stores, and sorting
	// here keeps it so whatever the collation.
	sort.SliceStable(st.LotsByCommodity, func(i, j int) bool {
		a, b := st.LotsByCommodity[i], st.LotsByCommodity[j]
		return a.Commodity < b.Commodity || a.Commodity == b.Commodity && a.Status < b.Status
	})
	if err := db.reader(ctx).QueryRowContext(ctx, `SELECT COUNT(*) FROM capture_jobs`).Scan(&st.CaptureJobsTotal); err != nil {
		return nil, err
	}
	// Flows: every lot_moves row read with its seal checked, summed here
	// (from, to: tonnes and distinct lots), largest first.
	// Each move carries its lot's commodity (the map colours by it).
	flows, err := db.reader(ctx).QueryContext(ctx, `SELECT m.lot, m.from_loc, m.to_loc, m.tonnes, m.event_id, m.seal, COALESCE(l.commodity, '') FROM lot_moves m LEFT JOIN lots l ON l.id = m.lot`)
	if err != nil {
		return nil, fmt.Errorf("%s: flows: %w", db.Dialect.Name, err)
	}
	byPair := map[[2]string]int{}
	lotsOf := map[[2]string]map[string]bool{}
	byCommodity := map[[2]string]map[string]float64{}
	for flows.Next() {
		var lot, from, to, ev, commodity string
		var tonnes float64
		var seal sql.NullString
		if err := flows.Scan(&lot, &from, &to, &tonnes, &ev, &seal, &commodity); err != nil {
			flows.Close()
			return nil, err
		}
		if err := checkSeal("lot_moves", rowKey("lot", lot)+", "+rowKey("event_id", ev), lot, seal, lot, from, to, tonnes, ev); err != nil {
			flows.Close()
			return nil, err
		}
		k := [2]string{from, to}
		i, ok := byPair[k]
		if !ok {
			i = len(st.Flows)
			byPair[k] = i
			lotsOf[k] = map[string]bool{}
			byCommodity[k] = map[string]float64{}
			st.Flows = append(st.Flows, critmin.Flow{From: from, To: to})
		}
		st.Flows[i].Tonnes += tonnes
		lotsOf[k][lot] = true
		byCommodity[k][commodity] += tonnes
	}
	err = flows.Err()
	flows.Close()
	if err != nil {
		return nil, err
	}
	for i := range st.Flows {
		k := [2]string{st.Flows[i].From, st.Flows[i].To}
		st.Flows[i].Lots = len(lotsOf[k])
		for c, t := range byCommodity[k] {
			st.Flows[i].ByCommodity = append(st.Flows[i].ByCommodity, critmin.CommodityTonnes{Commodity: c, Tonnes: t})
		}
		sort.Slice(st.Flows[i].ByCommodity, func(a, b int) bool {
			x, y := st.Flows[i].ByCommodity[a], st.Flows[i].ByCommodity[b]
			return x.Tonnes > y.Tonnes || x.Tonnes == y.Tonnes && x.Commodity < y.Commodity
		})
	}
	sort.SliceStable(st.Flows, func(i, j int) bool {
		a, b := st.Flows[i], st.Flows[j]
		if a.Tonnes != b.Tonnes {
			return a.Tonnes > b.Tonnes
		}
		return a.From < b.From || a.From == b.From && a.To < b.To
	})
	recent, err := db.FindEvents(ctx, critmin.EventFilter{OrderBy: "recordTime", Limit: 12})
	if err != nil {
		return nil, err
	}
	st.RecentEvents = recent.Events
	if st.Sites, err = db.FindSites(ctx); err != nil {
		return nil, err
	}
	return st, nil
}

// edgeColumns read a lot_links row and the transformationID of its event
// (LotEdge.Run), so that runs split over several events group as one.
const edgeColumns = `parent, child, event_id, kind, parent_qty, parent_uom, child_qty, child_uom, event_time, biz_location, replay, seal,
	(SELECT ev.transformation_id FROM events ev WHERE ev.event_id = lot_links.event_id AND ev.declaration = 0)`

func scanEdges(rows *sql.Rows) ([]critmin.LotEdge, error) {
	defer rows.Close()
	var out []critmin.LotEdge
	for rows.Next() {
		var e critmin.LotEdge
		var pq, cq sql.NullFloat64
		var at int64
		var run sql.NullString
		var replay int64
		var seal sql.NullString
		if err := rows.Scan(&e.Parent, &e.Child, &e.EventID, &e.Kind, &pq, &e.ParentUOM, &cq, &e.ChildUOM, &at, &e.BizLocation, &replay, &seal, &run); err != nil {
			return nil, err
		}
		if err := checkSeal("lot_links", linkKey(e.Parent, e.Child, e.EventID), e.Child, seal,
			linkSealValues(e.Parent, e.Child, e.EventID, e.Kind, floatOrNil(pq), e.ParentUOM, floatOrNil(cq), e.ChildUOM, at, e.BizLocation, int(replay))...); err != nil {
			return nil, err
		}
		e.Run = run.String
		e.Replay, e.Carried = replay == 1, replay == 2
		if pq.Valid {
			v := pq.Float64
			e.ParentQty = &v
		}
		if cq.Valid {
			v := cq.Float64
			e.ChildQty = &v
		}
		e.EventTime = fromMicros(at)
		out = append(out, e)
	}
	return out, rows.Err()
}

// LotEdges returns the genealogy edges into (upstream) or out of ids.
// LotEdges is lotEdgesUnexplained with a sealed row's refusal explained (explain).
func (db *DB) LotEdges(ctx context.Context, ids []string, upstream bool) ([]critmin.LotEdge, error) {
	es, err := db.lotEdgesUnexplained(ctx, ids, upstream)
	return es, db.explain(ctx, err)
}

func (db *DB) lotEdgesUnexplained(ctx context.Context, ids []string, upstream bool) ([]critmin.LotEdge, error) {
	col := "parent"
	if upstream {
		col = "child"
	}
	var out []critmin.LotEdge
	const chunk = 500
	for start := 0; start < len(ids); start += chunk {
		part := ids[start:min(start+chunk, len(ids))]
		args := make([]any, len(part))
		for i, id := range part {
			args[i] = canon(id)
		}
		rows, release, err := rowsOf(ctx, db.reader(ctx), db.q("SELECT "+edgeColumns+" FROM lot_links WHERE "+col+" IN ("+placeholders(len(part))+") ORDER BY event_time, parent, child"), args...)
		if err != nil {
			return nil, fmt.Errorf("%s: lot edges: %w", db.Dialect.Name, err)
		}
		edges, err := scanEdges(rows) // (closes rows)
		release()
		if err != nil {
			return nil, err
		}
		out = append(out, edges...)
	}
	// A link deleted by hand has no seal left to check: the lots' sealed
	// counts of links into and out of them betray it (checkLinkCounts).
	if err := db.checkLinkCounts(ctx, ids); err != nil {
		return nil, err
	}
	return db.settleEdges(ctx, out)
}

// checkLinkCounts reads the lots rows of ids as every lot reader does
// (scanLotRead) and refuses (ECONFLICT naming table lot_links and the lot)
// a lot whose links into it or out of it, counted now, number otherwise
// than its seal says (migrations 0073 and 0076), or whose row's seal does
// not match: a genealogy link deleted or inserted by hand. The edge
// readers call it with every lot whose links they answer for, so an edge
// missing from their answer cannot pass unseen. An id with no lots row
// (a container, a lot never stored) has no counts to check.
func (db *DB) checkLinkCounts(ctx context.Context, ids []string) error {
	_, err := db.findLotsByIDUnexplained(ctx, ids)
	return err
}

// edgeLots lists the lots at either end of edges, and extra.
func edgeLots(edges []critmin.LotEdge, extra ...string) []string {
	seen := map[string]bool{}
	var out []string
	add := func(id string) {
		if !seen[id] {
			seen[id] = true
			out = append(out, id)
		}
	}
	for _, id := range extra {
		add(id)
	}
	for _, e := range edges {
		add(e.Parent)
		add(e.Child)
	}
	sort.Strings(out)
	return out
}

// EdgesAt returns the transformation edges at a site in a time window.
// EdgesAt is edgesAtUnexplained with a sealed row's refusal explained (explain).
func (db *DB) EdgesAt(ctx context.Context, site string, from, to time.Time) ([]critmin.LotEdge, error) {
	es, err := db.edgesAtUnexplained(ctx, site, from, to)
	return es, db.explain(ctx, err)
}

func (db *DB) edgesAtUnexplained(ctx context.Context, site string, from, to time.Time) ([]critmin.LotEdge, error) {
	// The site in any spelling of it (docs/identity.md): the edges' own
	// biz_location is as captured, so it is matched through the events'
	// canonical column.
	rows, err := db.reader(ctx).QueryContext(ctx, db.q("SELECT "+edgeColumns+" FROM lot_links WHERE kind = 'transformation' AND biz_location IN (SELECT DISTINCT biz_location FROM events WHERE biz_location_canon = ?) AND event_time >= ? AND event_time < ? ORDER BY event_time, parent, child"), canon(site), micros(from), micros(to))
	if err != nil {
		return nil, fmt.Errorf("%s: edges at site: %w", db.Dialect.Name, err)
	}
	edges, err := scanEdges(rows)
	if err != nil {
		return nil, err
	}
	// An edge is dated when it became true (critmin.LinkTime): an input
	// counts for its run's outputs from its consumption, not from a
	// back-dated output-only event of the run that captured the link. So
	// the edges of runs with a live event in the window dated before it
	// are read too, and every run edge is dated and filtered again.
	rows, err = db.reader(ctx).QueryContext(ctx, db.q("SELECT "+edgeColumns+" FROM lot_links WHERE kind = 'transformation' AND biz_location IN (SELECT DISTINCT biz_location FROM events WHERE biz_location_canon = ?) AND event_time < ?"+
		" AND event_id IN (SELECT x.event_id FROM events x WHERE x.declaration = 0 AND x.transformation_id IN (SELECT e.transformation_id FROM events e WHERE e.biz_location_canon = ? AND e.declaration = 0 AND e.event_time >= ? AND e.event_time < ? AND e.transformation_id IS NOT NULL AND e.transformation_id <> ''))"+
		" ORDER BY event_time, parent, child"), canon(site), micros(from), canon(site), micros(from), micros(to))
	if err != nil {
		return nil, fmt.Errorf("%s: edges at site: %w", db.Dialect.Name, err)
	}
	before, err := scanEdges(rows)
	if err != nil {
		return nil, err
	}
	if edges, err = db.settleEdges(ctx, append(edges, before...)); err != nil {
		return nil, err
	}
	kept := edges[:0]
	for _, e := range edges {
		if !e.EventTime.Before(from) && e.EventTime.Before(to) {
			kept = append(kept, e)
		}
	}
	edges = kept
	sort.SliceStable(edges, func(i, j int) bool {
		a, b := edges[i], edges[j]
		if !a.EventTime.Equal(b.EventTime) {
			return a.EventTime.Before(b.EventTime)
		}
		if a.Parent != b.Parent {
			return a.Parent < b.Parent
		}
		return a.Child < b.Child
	})
	// The lots the site's transformations made in the window, as their
	// events state them — in outputQuantityList and in outputEPCList (an
	// instance with mineral facts is a lot of its own, Event.LotLines) —
	// besides the ends of the edges found: a deleted link into such a lot
	// leaves no edge to name it (checkLinkCounts).
	made := map[string]bool{}
	rows, err = db.reader(ctx).QueryContext(ctx, db.q("SELECT q.canon FROM events e JOIN event_quantities q ON q.event_pk = e.pk WHERE e.biz_location_canon = ? AND e.event_time >= ? AND e.event_time < ? AND e.declaration = 0 AND q.role = ?"+
		" UNION SELECT p.canon FROM events e JOIN event_epcs p ON p.event_pk = e.pk WHERE e.biz_location_canon = ? AND e.event_time >= ? AND e.event_time < ? AND e.declaration = 0 AND p.role = ?"),
		canon(site), micros(from), micros(to), critmin.RoleOutput, canon(site), micros(from), micros(to), critmin.RoleOutput)
	if err != nil {
		return nil, fmt.Errorf("%s: lots made at site: %w", db.Dialect.Name, err)
	}
	if err := collectStrings(rows, made); err != nil {
		return nil, err
	}
	extra := make([]string, 0, len(made))
	for id := range made {
		extra = append(extra, id)
	}
	if err := db.checkLinkCounts(ctx, edgeLots(edges, extra...)); err != nil {
		return nil, err
	}
	return edges, nil
}

// settleEdges dates each transformation edge of a run when it became
// true (critmin.LinkTime) from the lines the run's live events state.
func (db *DB) settleEdges(ctx context.Context, edges []critmin.LotEdge) ([]critmin.LotEdge, error) {
	var xids []string
	seen := map[string]bool{}
	for _, e := range edges {
		if e.Run != "" && !seen[e.Run] {
			seen[e.Run] = true
			xids = append(xids, e.Run)
		}
	}
	if len(xids) == 0 {
		return edges, nil
	}
	lines, err := db.RunLines(ctx, xids)
	if err != nil {
		return nil, err
	}
	for i, e := range edges {
		var upTo int64 = -1 // the edge's event not among the live lines: none counts
		for _, l := range lines[e.Run] {
			if l.EventID == e.EventID {
				upTo = l.PK
			}
		}
		if upTo < 0 {
			continue
		}
		edges[i].EventTime = critmin.LinkTime(e, lines[e.Run], upTo)
	}
	return edges, nil
}

// RunLines returns, by transformationID, the lines (inputs and outputs,
// in quantity and EPC lists) of each live event of the runs xids, in
// capture order: when each lot entered or left the run
// (critmin.LinkTime).
func (db *DB) RunLines(ctx context.Context, xids []string) (map[string][]critmin.RunLine, error) {
	out := map[string][]critmin.RunLine{}
	err := inChunks(xids, func(part []any) error {
		ph := placeholders(len(part))
		live := "e.declaration = 0 AND e.transformation_id IN (" + ph + ") AND NOT EXISTS (SELECT 1 FROM events d WHERE d.declaration = 1 AND d.event_id = e.event_id)"
		args := append(append([]any{}, part...), part...)
		rows, err := db.reader(ctx).QueryContext(ctx, db.q("SELECT e.transformation_id, e.pk, e.event_id, e.event_time, q.role, q.canon FROM events e JOIN event_quantities q ON q.event_pk = e.pk WHERE "+live+
			" UNION ALL SELECT e.transformation_id, e.pk, e.event_id, e.event_time, p.role, p.canon FROM events e JOIN event_epcs p ON p.event_pk = e.pk WHERE "+live), args...)
		if err != nil {
			return fmt.Errorf("%s: run lines: %w", db.Dialect.Name, err)
		}
		defer rows.Close()
		for rows.Next() {
			var xid string
			var l critmin.RunLine
			var at int64
			if err := rows.Scan(&xid, &l.PK, &l.EventID, &at, &l.Role, &l.Lot); err != nil {
				return err
			}
			if l.Role != critmin.RoleInput && l.Role != critmin.RoleOutput {
				continue
			}
			l.At = fromMicros(at)
			out[xid] = append(out[xid], l)
		}
		return rows.Err()
	})
	for _, ls := range out {
		sort.SliceStable(ls, func(i, j int) bool { return ls[i].PK < ls[j].PK })
	}
	return out, err
}

// FindLotsByID returns the lots among ids, without genealogy links.
// FindLotsByID is findLotsByIDUnexplained with a sealed row's refusal explained (explain).
func (db *DB) FindLotsByID(ctx context.Context, ids []string) ([]*critmin.Lot, error) {
	ls, err := db.findLotsByIDUnexplained(ctx, ids)
	return ls, db.explain(ctx, err)
}

func (db *DB) findLotsByIDUnexplained(ctx context.Context, ids []string) ([]*critmin.Lot, error) {
	var out []*critmin.Lot
	const chunk = 500
	for start := 0; start < len(ids); start += chunk {
		part := ids[start:min(start+chunk, len(ids))]
		args := make([]any, len(part))
		for i, id := range part {
			args[i] = canon(id)
		}
		rows, release, err := rowsOf(ctx, db.reader(ctx), db.q("SELECT "+lotReadColumns+" FROM lots WHERE id IN ("+placeholders(len(part))+")"), args...)
		if err != nil {
			return nil, fmt.Errorf("%s: find lots by id: %w", db.Dialect.Name, err)
		}
		for rows.Next() {
			l, err := scanLotRead(rows)
			if err != nil {
				rows.Close()
				release()
				return nil, err
			}
			out = append(out, l)
		}
		rows.Close()
		release()
		if err := rows.Err(); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// UpstreamEdges walks the transformation edges upstream of id in one
// recursive query. UNION (not UNION ALL) makes a cycle end the walk.
// UpstreamEdges is upstreamEdgesUnexplained with a sealed row's refusal explained (explain).
func (db *DB) UpstreamEdges(ctx context.Context, id string, maxDepth int) ([]critmin.LotEdge, error) {
	es, err := db.upstreamEdgesUnexplained(ctx, id, maxDepth)
	return es, db.explain(ctx, err)
}

func (db *DB) upstreamEdgesUnexplained(ctx context.Context, id string, maxDepth int) ([]critmin.LotEdge, error) {
	q := `WITH RECURSIVE up(lot, depth) AS (
		SELECT ?, 0
		UNION
		SELECT l.parent, up.depth + 1 FROM lot_links l JOIN up ON l.child = up.lot WHERE l.kind = 'transformation' AND up.depth < ?
	)
	SELECT ` + edgeColumns + ` FROM lot_links WHERE kind = 'transformation' AND child IN (SELECT lot FROM up)`
	rows, err := db.reader(ctx).QueryContext(ctx, db.q(q), canon(id), maxDepth)
	if err != nil {
		return nil, fmt.Errorf("%s: upstream edges: %w", db.Dialect.Name, err)
	}
	edges, err := scanEdges(rows)
	if err != nil {
		return nil, err
	}
	// Every lot of the walk: a link deleted into any of them would cut
	// the walk short unseen (checkLinkCounts).
	if err := db.checkLinkCounts(ctx, edgeLots(edges, canon(id))); err != nil {
		return nil, err
	}
	return db.settleEdges(ctx, edges)
}

// LotMix returns the kept origin mix of a produced lot, if fresh.
// LotMix is lotMixUnexplained with a sealed row's refusal explained (explain).
func (db *DB) LotMix(ctx context.Context, id string) (string, bool, error) {
	mix, fresh, err := db.lotMixUnexplained(ctx, id)
	return mix, fresh, db.explain(ctx, err)
}

func (db *DB) lotMixUnexplained(ctx context.Context, id string) (string, bool, error) {
	var lot, mix string
	var stale int
	var seal sql.NullString
	err := db.reader(ctx).QueryRowContext(ctx, db.q(`SELECT lot, mix, stale, seal FROM lot_origin WHERE lot = ?`), canon(id)).Scan(&lot, &mix, &stale, &seal)
	if err == sql.ErrNoRows {
		return "", false, nil
	}
	if err != nil {
		return "", false, fmt.Errorf("%s: lot mix: %w", db.Dialect.Name, err)
	}
	if stale != 0 {
		return mix, false, nil // recomputed by the caller, not served
	}
	if err := checkSeal("lot_origin", rowKey("lot", lot), lot, seal, lot, mix, stale); err != nil {
		return "", false, err
	}
	return mix, true, nil
}
