// Package ledger is critmin's Track job: it captures EPCIS documents
// through the epcis package, decodes the mineral extension, projects lots
// (mass, assays, origin, location, custody, status) from events, and serves
// the mineral view. It depends on the domain and the epcis and units
// packages, never on a store or the HTTP layer.
package ledger

import (
	_ "embed"
	"encoding/json"
	"fmt"
	"github.com/critmin/critmin/country"
	"math"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"

	"github.com/critmin/critmin"
	"github.com/critmin/critmin/epcis"
	"github.com/critmin/critmin/units"
)

// Namespace is the critmin mineral extension namespace (see
// docs/mineral-extension.md and ledger/mineral-extension.schema.json). It
// is stable: new terms may be added, none renamed or re-purposed.
const Namespace = "https://ns.critmin.org/mineral/v1/"

// Prefix is the customary JSON-LD prefix for Namespace.
const Prefix = "cm"

// AnalyteBase is the IRI base of analytes named in sensor reports'
// chemicalSubstance ("https://ns.critmin.org/mineral/v1/analyte/Nd2O3").
const AnalyteBase = Namespace + "analyte/"

// Terms of the mineral extension, as expanded IRIs.
const (
	TermCommodity     = Namespace + "commodity"
	TermOriginCountry = Namespace + "originCountry"
	TermOriginMine    = Namespace + "originMine"
	TermSupplier      = Namespace + "supplier"
	TermMoisture      = Namespace + "moisture"
	TermAssay         = Namespace + "assay"
	TermAnalyte       = Namespace + "analyte"
	TermValue         = Namespace + "value"
	TermUnit          = Namespace + "unit"
	TermBasis         = Namespace + "basis"
	TermSiteKind      = Namespace + "siteKind"
	TermUNLocode      = Namespace + "unLocode"
	TermCountry       = Namespace + "country"
	TermOriginClaim   = Namespace + "originClaim"
	TermShare         = Namespace + "share"
	TermCustodyModel  = Namespace + "custodyModel"
)

// Commodities are the commodity codes the extension defines. A lot of an
// unlisted material may use an absolute URI instead.
var Commodities = map[string]string{
	"ree_concentrate":    "Rare-earth concentrate",
	"ree_carbonate":      "Mixed rare-earth carbonate",
	"ndpr_oxide":         "NdPr oxide",
	"lace_carbonate":     "La/Ce carbonate",
	"antimony_ore":       "Antimony ore",
	"antimony_trioxide":  "Antimony trioxide",
	"antimony_metal":     "Antimony metal",
	"copper_concentrate": "Copper concentrate",
	"copper_cathode":     "Copper cathode",
	"blister_copper":     "Blister copper",
	"residue":            "Process residue",
}

// PayableElements are, by commodity code, the elements a lot of that
// commodity is valued on: NdPr oxide is sold on its Nd and Pr, La/Ce
// carbonate on its La and Ce, the antimony products on Sb, copper
// cathode on Cu, copper concentrate and blister copper on Cu with the
// Au and Ag they carry (the usual payable metals of copper concentrate
// terms). They are also the qualifying elements a mass-balance category
// with that product declares in practice (ISO 22095-2: the qualifying
// characteristic of the claimed product). A commodity not listed —
// rare-earth concentrate and carbonate (sold on every rare earth they
// carry), process residue, a commodity given by URI — has no such list,
// and every element counts (Payable).
//
// An element a product's feed carried that the product's own assays do
// not measure and its commodity does not pay for (La and Ce carried into
// an NdPr oxide assayed for Nd and Pr) is a by-product not assayed: its
// share in the product is unknown, but it does not make the product's
// origin read "grade not measured" (custody.Composition.Headline;
// docs/origin.md, "Grade not measured").
var PayableElements = map[string][]string{
	"ndpr_oxide":         {"Nd", "Pr"},
	"lace_carbonate":     {"La", "Ce"},
	"antimony_ore":       {"Sb"},
	"antimony_trioxide":  {"Sb"},
	"antimony_metal":     {"Sb"},
	"copper_concentrate": {"Cu", "Au", "Ag"},
	"blister_copper":     {"Cu", "Au", "Ag"},
	"copper_cathode":     {"Cu"},
}

// Payable reports whether element is one a lot of commodity (a code or
// its IRI) is valued on (PayableElements); true for every element of a
// commodity without a list.
func Payable(commodity, element string) bool {
	els, ok := PayableElements[CanonicalCommodity(commodity)]
	return !ok || slices.Contains(els, element)
}

// CommodityBase is the IRI base of the commodity codes: the code
// ree_concentrate is the IRI CommodityBase + "ree_concentrate".
const CommodityBase = Namespace + "commodity/"

// CanonicalCommodity is the one spelling of a commodity: a code of
// Commodities written as its IRI (CommodityBase + code, or cm:commodity/
// + code) is the code; anything else is returned as it is. Declarations,
// lots and the mass-balance account compare commodities in this form, so
// "ree_concentrate" and its IRI are one material.
func CanonicalCommodity(c string) string {
	for _, base := range []string{CommodityBase, Prefix + ":commodity/"} {
		if code, ok := strings.CutPrefix(c, base); ok {
			if _, known := Commodities[code]; known {
				return code
			}
		}
	}
	return c
}

// CommodityName returns a commodity's display name.
func CommodityName(code string) string {
	if n, ok := Commodities[code]; ok {
		return n
	}
	if code == "" {
		return "unspecified"
	}
	return code
}

var (
	analyteR = regexp.MustCompile(`^[A-Z][a-z]?([A-Z][a-z]?|[0-9])*$`)
)

// DecodeMineral reads the mineral extension of an event — ILMD at
// commissioning and MassConcentration sensor reports for later assays —
// and validates it. ptr is the event's JSON pointer, for error fields.
func DecodeMineral(ev *critmin.Event, ptr string) (*critmin.MineralFacts, []critmin.FieldError) {
	var errs []critmin.FieldError
	fail := func(field, format string, args ...any) {
		errs = append(errs, critmin.FieldError{Pointer: ptr + field, Reason: fmt.Sprintf(format, args...)})
	}
	var mf critmin.MineralFacts
	found := false
	// moistureAt is where the event's moisture was stated: one event
	// states one moisture of its lot (cm:moisture or a MassConcentration
	// of H2O), as it states one dry grade per analyte; two different
	// values are refused, never resolved by order.
	moistureAt := ""
	setMoisture := func(field string, m float64) {
		if mf.Moisture != nil && math.Abs(*mf.Moisture-m) > 1e-9 {
			fail(field, "moisture %s contradicts moisture %s stated at %s%s in this event: report one moisture per event", critmin.PlainNumber(m), critmin.PlainNumber(*mf.Moisture), ptr, moistureAt)
			return
		}
		mf.Moisture, moistureAt, mf.MoistureAt = &m, field, field
	}
	if t := ev.ILMDTree; t != nil {
		if v, ok := t[TermCommodity]; ok {
			found = true
			s, _ := v.(string)
			s = CanonicalCommodity(s)
			if _, known := Commodities[s]; !known && !strings.Contains(s, ":") {
				fail("/ilmd/cm:commodity", "%q is not a commodity code (%s) or a URI", s, strings.Join(commodityCodes(), ", "))
			}
			mf.Commodity = s
		}
		if v, ok := t[TermOriginCountry]; ok {
			found = true
			s, _ := v.(string)
			a3, ok := country.Normalize(s)
			if !ok {
				fail("/ilmd/cm:originCountry", "%q is not an ISO 3166-1 country code (alpha-3 PAK, alpha-2 PK or numeric 586)", s)
			}
			mf.OriginCountry = a3
		}
		if v, ok := t[TermOriginMine]; ok {
			found = true
			mf.OriginMine, _ = v.(string)
			if !strings.Contains(mf.OriginMine, ":") {
				fail("/ilmd/cm:originMine", "%q is not a URI (use a site URI, a mine licence URN, …)", mf.OriginMine)
			}
		}
		if v, ok := t[TermSupplier]; ok {
			found = true
			mf.Supplier, _ = v.(string)
		}
		if v, ok := t[TermMoisture]; ok {
			found = true
			f, ok := number(v)
			if _, isString := v.(string); isString || v == nil || !ok {
				fail("/ilmd/cm:moisture", "must be a number, a fraction in [0, 1) (0.08 for 8 %%), not %s%s", jsonKind(v), xmlNumber(v, "cm:moisture", "0.08"))
			} else if f < 0 || f >= 1 {
				fail("/ilmd/cm:moisture", "must be a fraction in [0, 1) (0.08 for 8 %%)")
			} else if f > units.MaxMoisture {
				fail("/ilmd/cm:moisture", "%s leaves no dry mass at the precision stored: moisture is at most %s (one part per million dry)", critmin.PlainNumber(f), critmin.PlainNumber(units.MaxMoisture))
			} else {
				setMoisture("/ilmd/cm:moisture", f)
			}
		}
		if v, ok := t[TermOriginClaim]; ok {
			found = true
			list, ok := v.([]any)
			if !ok {
				list = []any{v}
			}
			mf.OriginClaim = map[string]float64{}
			total := 0.0
			if len(list) == 0 {
				fail("/ilmd/cm:originClaim", "missing (required): an empty list claims nothing; give at least one {cm:country, cm:share}, or leave cm:originClaim out")
			}
			first := map[string]int{} // country → index of its first claim
			for i, c := range list {
				m, _ := c.(map[string]any)
				ptr := fmt.Sprintf("/ilmd/cm:originClaim/%d", i)
				iso, _ := m[TermCountry].(string)
				if a3, ok := country.Normalize(iso); ok {
					iso = a3
				}
				rawShare, hasShare := m[TermShare]
				sh, ok := number(rawShare)
				_, isString := rawShare.(string)
				var unknown []string
				for k := range m {
					if k != TermCountry && k != TermShare {
						unknown = append(unknown, strings.Replace(k, Namespace, Prefix+":", 1))
					}
				}
				sort.Strings(unknown)
				bad := true
				switch {
				case m == nil:
					fail(ptr, "a claim is an object with cm:country (ISO 3166-1: alpha-3 PAK, alpha-2 PK or numeric 586, read as alpha-3) and cm:share in (0, 1]")
				case len(unknown) > 0:
					fail(ptr, "unknown term %s: a claim has only cm:country and cm:share", strings.Join(unknown, ", "))
				case iso == "":
					fail(ptr+"/cm:country", "missing (required): the claimed origin country, an ISO 3166-1 code (alpha-3 PAK, alpha-2 PK or numeric 586)")
				case !IsCountry(iso):
					fail(ptr+"/cm:country", "%q is not an ISO 3166-1 country code (alpha-3 PAK, alpha-2 PK or numeric 586)", iso)
				case !hasShare:
					fail(ptr+"/cm:share", "missing (required): the claimed share of the lot's qualifying content, in (0, 1]")
				case isString:
					fail(ptr+"/cm:share", "must be a number, not a JSON string (%q)%s", rawShare, xmlNumber(rawShare, "cm:share", "1"))
				case rawShare == nil:
					fail(ptr+"/cm:share", "must be a number in (0, 1], not null")
				case !ok:
					fail(ptr+"/cm:share", "must be a number in (0, 1], not %s", jsonKind(rawShare))
				case sh <= 0 || sh > 1:
					fail(ptr+"/cm:share", "%s is outside (0, 1]: a claim covers a positive share of the lot, at most all of it (1, not 100)", critmin.PlainNumber(sh))
				case sh < MinClaimShare:
					fail(ptr+"/cm:share", "%s is below the smallest share a claim may state, %s (one part per million): the account's figures are not kept finer", critmin.PlainNumber(sh), critmin.PlainNumber(MinClaimShare))
				case hasKey(first, iso):
					// A claim is a set of origins: a country listed twice
					// is a malformed claim (which of the two shares is
					// meant?), not a sum.
					fail(ptr+"/cm:country", "%q is listed twice (first at /ilmd/cm:originClaim/%d): a claim names each country once, with its whole share", iso, first[iso])
				default:
					bad = false
				}
				if bad {
					continue
				}
				first[iso] = i
				mf.OriginClaim[iso] += sh
				total += sh
			}
			if total > 1+1e-9 {
				fail("/ilmd/cm:originClaim", "shares add up to %s, over 1", strconv.FormatFloat(math.Round(total*1e9)/1e9, 'f', -1, 64))
			}
		}
		if v, ok := t[TermAssay]; ok {
			found = true
			list, ok := v.([]any)
			if !ok {
				list = []any{v}
			}
			for i, a := range list {
				m, _ := a.(map[string]any)
				as, term, err := assay(m)
				if err != "" {
					fail(fmt.Sprintf("/ilmd/cm:assay/%d", i)+ilmdTerm[term], "%s", err)
					continue
				}
				as.EventID, as.At = ev.EventID, ev.EventTime
				if as.BasisNotStated {
					mf.BasisMissingAt = append(mf.BasisMissingAt, fmt.Sprintf("/ilmd/cm:assay/%d", i))
				}
				mf.Assays = append(mf.Assays, as)
			}
		}
	}
	// Every quantity in a mass unit becomes a lot figure in tonnes: it must
	// stay finite and within MaxTonnes after conversion (one mass limit,
	// whatever the unit: units.MaxMassKg).
	roleIdx := map[string]int{}
	for _, q := range ev.Quantities {
		idx := roleIdx[q.Role]
		roleIdx[q.Role]++
		if q.Quantity == nil || !units.IsMass(q.UOM) {
			continue
		}
		t, _ := units.ToTonnes(*q.Quantity, q.UOM)
		if reason := tonnesOutOfRange(t); reason != "" {
			fail(fmt.Sprintf("/%s/%d/quantity", quantityListName(q.Role), idx), "%s %s is %s t: %s", critmin.PlainNumber(*q.Quantity), q.UOM, critmin.PlainNumber(t), reason)
		}
	}
	// A dispatch (CBV 2.0 §7.2 shipping, departing, loading,
	// transporting) states what moved: a quantity of 0 (or less) moves
	// nothing and is refused, where stating none ships the holding the
	// event concerns (HoldingOf; issue 15, fix15n: a 0 t shipment was
	// taken and previewed as valid in the Ship form). An error
	// declaration repeats the event it retracts and is not judged.
	if ev.Type == critmin.ObjectEvent && ev.Action != "DELETE" && ev.ErrorDeclaration == nil && dispatchSteps[stepOf(ev.BizStep)] {
		n := 0
		for _, q := range ev.Quantities {
			if q.Role != "" && q.Role != critmin.RoleEPC {
				continue
			}
			// A mass below units.MinMovedKg (1 g, the resolution of a
			// movement) moves nothing either: 1e-300 KGM was shipped and
			// shown as "Part shipped 0 wmt" (issue 15, W7).
			kg, isMass := units.ToKg(derefOr0(q.Quantity), q.UOM)
			if q.Quantity != nil && (*q.Quantity <= 0 || isMass && kg < units.MinMovedKg) {
				fail(fmt.Sprintf("/quantityList/%d/quantity", n), "a %s of %s %s moves nothing: state the quantity that moved (at least 1 g, the smallest mass a movement may carry), or none to ship what stands of the lot at the site", stepOf(ev.BizStep), critmin.PlainNumber(*q.Quantity), q.UOM)
			}
			n++
		}
	}
	// A lot is listed once per role in one event (docs/origin.md "A run's
	// accounting"): two lines of one input would be two consumptions the
	// genealogy keeps as one link, and two lines of one output two masses
	// the lot keeps as one. Spellings of one lot are one lot
	// (epcis.Canonical).
	if ev.Type == critmin.TransformationEvent {
		firstAt := map[[2]string]int{}
		roleIdx = map[string]int{}
		for _, q := range ev.Quantities {
			idx := roleIdx[q.Role]
			roleIdx[q.Role]++
			if q.Role != critmin.RoleInput && q.Role != critmin.RoleOutput {
				continue
			}
			k := [2]string{q.Role, epcis.Canonical(q.EPCClass)}
			if j, dup := firstAt[k]; dup {
				fail(fmt.Sprintf("/%s/%d/epcClass", quantityListName(q.Role), idx), "lot %s is listed twice in this event's %s (first at /%s/%d): state one line per lot with its whole quantity", epcis.Canonical(q.EPCClass), quantityListName(q.Role), quantityListName(q.Role), j)
				continue
			}
			firstAt[k] = idx
		}
	}
	assayPtr := make([]string, len(mf.Assays))
	for i := range mf.Assays {
		assayPtr[i] = fmt.Sprintf("/ilmd/cm:assay/%d", i)
	}
	for i, s := range ev.Sensors {
		if isSensorType(s.Type, "Mass") {
			// A weighing: the lot's wet mass now (CBV 2.0 measurement type
			// Mass). One the ledger cannot read is refused, never skipped:
			// a skipped weighing leaves the lot's dry mass stale.
			if s.Value == nil {
				fail(sensorPtr(s, i)+"/value", "a Mass report needs a value (the lot's wet mass now); minValue, maxValue and meanValue are not read as a weighing")
				continue
			}
			if !units.IsMass(s.UOM) {
				fail(sensorPtr(s, i)+"/uom", "a Mass report needs a mass unit (KGM, TNE, LBR, …), got %q", s.UOM)
				continue
			}
			// A weighing is of one lot: the ledger sets the wet mass of
			// every lot the event describes, so on an event naming two
			// lots each would take the whole weight.
			if lots := describedLots(ev); len(lots) > 1 {
				fail(sensorPtr(s, i), "a Mass report weighs one lot, but this event describes %d (%s): capture one event per lot weighed", len(lots), strings.Join(lots, ", "))
				continue
			}
			found = true
			t, _ := units.ToTonnes(*s.Value, s.UOM)
			if reason := tonnesOutOfRange(t); reason != "" {
				fail(sensorPtr(s, i)+"/value", "%s %s is %s t: %s", critmin.PlainNumber(*s.Value), s.UOM, critmin.PlainNumber(t), reason)
				continue
			}
			mf.MassTonnes = &t
			continue
		}
		if !isSensorType(s.Type, "MassConcentration") {
			// A report naming one of our analytes under another type
			// (gs1:MT-MassConcentraton, VolumeFraction) is an assay the
			// ledger would skip: refused, naming the type to use.
			_, named := s.Extensions[TermAnalyte].(string)
			if named || strings.HasPrefix(s.ChemicalSubstance, AnalyteBase) {
				fail(sensorPtr(s, i)+"/type", "a report of an analyte (%s) is read as an assay only as a MassConcentration (gs1:MT-MassConcentration), not %q", strings.TrimPrefix(s.ChemicalSubstance, AnalyteBase), s.Type)
			}
			continue
		}
		analyte := strings.TrimPrefix(s.ChemicalSubstance, AnalyteBase)
		if a, ok := s.Extensions[TermAnalyte].(string); ok {
			analyte = a
		}
		if analyte == s.ChemicalSubstance && analyte != "" {
			switch {
			case IsWater(analyte):
				// Water named by another recognised identifier (InChIKey,
				// CAS, ChEBI, PubChem): the lot's moisture, read and
				// checked as …/analyte/H2O is.
				analyte = MoistureAnalyte
			case len(describedLots(ev)) > 0:
				// A MassConcentration on a lot is an assay: one the
				// ledger cannot read would be silently dropped.
				fail(sensorPtr(s, i)+"/chemicalSubstance", "%q is not an analyte critmin reads: name the element or oxide as %s<formula> (Nd2O3, TREO, …; %sH2O for moisture), or water by its InChIKey (%s), CAS (%s) or ChEBI (CHEBI:%s)",
					critmin.Excerpt(analyte), AnalyteBase, AnalyteBase, waterInChIKey, waterCAS, waterChEBI)
				continue
			default:
				continue // no lot: a reading of something else, not an assay of ours
			}
		}
		found = true
		if s.Value == nil {
			fail(sensorPtr(s, i)+"/value", "an assay report needs a value")
			continue
		}
		if analyte == MoistureAnalyte {
			// Moisture content: the mass fraction of water in the wet lot.
			f, err := units.ConvertGrade(*s.Value, normUnit(s.UOM), units.Percent)
			if err != nil {
				// The unit is wrong, not the value: a mass (KGM) or a
				// per-mass unit (E40) is no fraction of the wet lot.
				fail(sensorPtr(s, i)+"/uom", "%q is not a unit of moisture: moisture is a MassConcentration of H2O, the mass fraction of water in the wet lot, in P1 (percent: 8 for 8 %%) or a grade unit (NA g/t, 59 ppm); a mass (KGM) or a mass per mass (E40) is not one", s.UOM)
				continue
			}
			if f < 0 || f >= 100 {
				fail(sensorPtr(s, i)+"/value", "moisture must be a fraction in [0, 1) (a MassConcentration of H2O in %%, below 100 %%)")
				continue
			}
			if f/100 > units.MaxMoisture {
				fail(sensorPtr(s, i)+"/value", "moisture %s %% leaves no dry mass at the precision stored: at most %s %% (one part per million dry)", critmin.PlainNumber(f), critmin.PlainNumber(units.MaxMoisture*100))
				continue
			}
			setMoisture(sensorPtr(s, i)+"/value", f/100)
			continue
		}
		m := map[string]any{TermAnalyte: analyte, TermValue: json.Number(fmt.Sprint(*s.Value)), TermUnit: s.UOM}
		if b, ok := s.Extensions[TermBasis]; ok {
			m[TermBasis] = b
		}
		as, term, err := assay(m)
		if err != "" {
			fail(sensorPtr(s, i)+sensorTerm[term], "%s", err)
			continue
		}
		as.EventID, as.At = ev.EventID, ev.EventTime
		if !s.Time.IsZero() {
			as.At = s.Time
		}
		if as.BasisNotStated {
			mf.BasisMissingAt = append(mf.BasisMissingAt, sensorPtr(s, i))
		}
		mf.Assays = append(mf.Assays, as)
		assayPtr = append(assayPtr, sensorPtr(s, i))
	}
	// An as-received assay is converted to dry with the moisture measured
	// with it, in the same event; without it the dry grade is unknown.
	for i := range mf.Assays {
		if mf.Assays[i].Basis != "as_received" {
			continue
		}
		if mf.Moisture == nil {
			fail(assayPtr[i], "an as_received assay needs the moisture measured with it (cm:moisture, or a MassConcentration of H2O, in the same event)")
			continue
		}
		m := *mf.Moisture
		mf.Assays[i].Moisture = &m
	}
	for _, fe := range dryClosure(mf.Assays, assayPtr) {
		fail(fe.Pointer, "%s", fe.Reason)
	}
	if !found {
		return nil, errs
	}
	return &mf, errs
}

// MissingBasis refuses, at capture, each assay of mf that states no
// cm:basis (issue 9, "Bad input": an assay whose basis is unknown is
// refused, nothing stored): whether a grade is of the dried sample or of
// the sample as received changes the contained element by the moisture,
// and the ledger will not guess it for a new record. ptr is the event's
// JSON pointer. Stored events without a basis are not refused
// (DecodeMineral reads them as dry, marked BasisNotStated).
func MissingBasis(mf *critmin.MineralFacts, ptr string) []critmin.FieldError {
	if mf == nil {
		return nil
	}
	var out []critmin.FieldError
	for _, at := range mf.BasisMissingAt {
		out = append(out, critmin.FieldError{Pointer: ptr + at + "/cm:basis", Reason: "missing (required): state dry or as-received (\"dry\" for a grade of the dried sample, \"as_received\" for one of the sample as received, with its moisture)"})
	}
	return out
}

// MinClaimShare is the finest share a claim may state: one part per
// million of the lot's qualifying content. A share below it (1e-9) is no
// claim a buyer could check, and the statement prints shares to 6 places.
const MinClaimShare = 1e-6

// AssayClosureTolerance is how far, in percentage points, the dry-basis
// grades of a lot's distinct elements may add up beyond 100 % before
// the assays are refused: laboratories round, and a near-pure product's
// element assays (Sb 99.7 % + impurities) may close a little over 100 %.
// The same tolerance bounds the rare-earth oxides' sum over TREO.
const AssayClosureTolerance = 0.5

// rareEarths are the rare-earth elements (IUPAC Nomenclature of Inorganic
// Chemistry 2005, IR-3.5: Sc, Y and the lanthanoids La–Lu), whose oxides
// a TREO (total rare-earth oxide) assay totals.
var rareEarths = map[string]bool{"Sc": true, "Y": true, "La": true, "Ce": true, "Pr": true, "Nd": true, "Pm": true, "Sm": true,
	"Eu": true, "Gd": true, "Tb": true, "Dy": true, "Ho": true, "Er": true, "Tm": true, "Yb": true, "Lu": true}

// IsRareEarth reports whether el is one of the 17 rare-earth elements
// (the lanthanides, Sc and Y) whose oxides a TREO assay totals.
func IsRareEarth(el string) bool { return rareEarths[el] }

// TotalAnalytes are the aggregate analytes a laboratory reports as one
// figure: total rare-earth oxides (TREO, REO) and total rare-earth
// elements (TREE). They are not formulas and are not summed with elements.
var TotalAnalytes = map[string]bool{"TREO": true, "REO": true, "TREE": true}

// dryClosure refuses the assays of one event that cannot all be true of
// one lot on the dry basis: an assay whose dry grade is over 100 % (an
// as-received grade converts with the moisture measured with it, dry =
// as_received / (1 − H2O), ISO 12743: 60 % as received at 50 % moisture is
// 120 % dry); two assays of one analyte whose dry grades differ (dry 60 %
// and 60 % as received at 0.3 moisture, 85.7 % dry: which is the lot's?
// — refused, never one picked); and a set that fails Closure. ptrs names
// each assay (ILMD or sensor report) relative to the event.
func dryClosure(assays []critmin.Assay, ptrs []string) []critmin.FieldError {
	var out []critmin.FieldError
	first := map[string]int{} // analyte → index of its first assay
	for i, a := range assays {
		v, ok := DryValue(a, nil)
		if !ok {
			continue
		}
		pct, err := units.ConvertGrade(v, a.Unit, units.Percent)
		if err != nil {
			continue
		}
		if pct > 100+1e-9 && a.Moisture != nil {
			out = append(out, critmin.FieldError{Pointer: ptrs[i], Reason: fmt.Sprintf("%s %s %s %s with %s moisture is %s %% on the dry basis (dry = as_received / (1 − H2O)): over 100 %%; check the value, its basis and the moisture",
				a.Analyte, critmin.PlainNumber(a.Value), a.Unit, strings.ReplaceAll(a.Basis, "_", " "), critmin.PlainNumber(*a.Moisture), critmin.PlainNumber(sig4(pct)))})
			continue
		}
		el := units.ElementOf(a.Analyte)
		j, seen := first[el]
		if !seen {
			first[el] = i
			continue
		}
		b := assays[j]
		bv, _ := DryValue(b, nil)
		bpct, _ := units.ConvertGrade(bv, b.Unit, units.Percent)
		if b.Analyte == a.Analyte {
			if math.Abs(bpct-pct) > 1e-9*math.Max(1, pct) {
				out = append(out, critmin.FieldError{Pointer: ptrs[i], Reason: fmt.Sprintf("%s is assayed twice in this event with different dry grades: %s %% (%s) and %s %% (%s; dry = as_received / (1 − H2O)); report one assay per analyte",
					a.Analyte, units.Sig(bpct, 4), describeAssay(b), units.Sig(pct, 4), describeAssay(a))})
			}
			continue
		}
		// One element in two spellings (Nd and Nd2O3): both report the
		// element, so they must agree once converted by the stoichiometric
		// factor, within laboratory rounding (AssayClosureTolerance):
		// Nd2O3 70 % is Nd 70 × 0.857356 = 60.01 %, agreeing with Nd 60 %.
		ae, be := pct*toElement(a.Analyte), bpct*toElement(b.Analyte)
		if math.Abs(ae-be) > AssayClosureTolerance {
			out = append(out, critmin.FieldError{Pointer: ptrs[i], Reason: fmt.Sprintf("%s is assayed twice in this event, as %s %s and as %s %s: %s %% and %s %% %s on the dry basis (oxide × its stoichiometric element fraction), more than %.1f percentage points apart; report one assay per element, or two that agree",
				el, b.Analyte, describeAssay(b), a.Analyte, describeAssay(a), units.Sig(be, 4), units.Sig(ae, 4), el, AssayClosureTolerance)})
		}
	}
	if len(out) > 0 {
		return out
	}
	if reason, i := Closure(assays, nil); reason != "" {
		out = append(out, critmin.FieldError{Pointer: ptrs[i], Reason: reason})
	}
	return out
}

// toElement is the mass fraction of its element in an analyte: the
// stoichiometric factor of a known oxide (Nd2O3 0.857356), 1 for the
// element itself.
func toElement(analyte string) float64 {
	if o, ok := units.LookupOxide(analyte); ok {
		return o.ToElement
	}
	return 1
}

// describeAssay spells an assay as reported: "60 % dry", "60 % as received
// at 0.3 moisture".
func describeAssay(a critmin.Assay) string {
	s := fmt.Sprintf("%s %s %s", critmin.PlainNumber(a.Value), a.Unit, strings.ReplaceAll(a.Basis, "_", " "))
	if a.Basis == "as_received" && a.Moisture != nil {
		s += fmt.Sprintf(" at %s moisture", critmin.PlainNumber(*a.Moisture))
	}
	return s
}

// Closure checks that a set of assays can all be true of one lot on the
// dry basis (lotMoisture converts as-received assays that carry no
// moisture of their own; nil for none). Each assay is taken as the mass of
// its element: an element symbol as it is, a known oxide or mineral
// (units.LookupOxide) times its stoichiometric element fraction
// (n·A(M) / (n·A(M) + m·A(O)), IUPAC standard atomic weights: Nd2O3 →
// 0.857356 Nd). Per element the highest of its forms counts (Nd and Nd2O3
// report the same Nd), and the distinct elements must add up to at most
// 100 % + AssayClosureTolerance: Nd2O3 80 % + Pr6O11 40 % is Nd 68.59 % +
// Pr 33.11 % = 101.70 %, refused. A TREO (or REO) assay is the total of the
// rare-earth oxides, so the rare-earth oxides assayed beside it may add up
// to at most TREO + AssayClosureTolerance: TREO 50 % with Nd2O3 80 % is
// refused. It returns a reason and the index of the assay to name, or "".
func Closure(assays []critmin.Assay, lotMoisture *float64) (string, int) {
	best := map[string]float64{} // element → its highest dry grade as element, %
	form := map[string]string{}  // element → the assay behind best, for the message
	sum, last := 0.0, -1
	reo, reoLast, treo, treoIdx := 0.0, -1, -1.0, -1
	reoSeen := map[string]float64{}
	for i, a := range assays {
		v, ok := DryValue(a, lotMoisture)
		if !ok {
			continue
		}
		pct, err := units.ConvertGrade(v, a.Unit, units.Percent)
		if err != nil {
			continue
		}
		if a.Analyte == "TREO" || a.Analyte == "REO" {
			if pct > treo {
				treo, treoIdx = pct, i
			}
			continue
		}
		el, elPct := a.Analyte, pct
		o, isOxide := units.LookupOxide(a.Analyte)
		switch {
		case units.IsElement(a.Analyte):
		case isOxide:
			el, elPct = o.Element, pct*o.ToElement
			if rareEarths[el] && pct > reoSeen[a.Analyte] {
				reo += pct - reoSeen[a.Analyte]
				reoSeen[a.Analyte] = pct
				reoLast = i
			}
		default:
			continue
		}
		if elPct > best[el] {
			sum += elPct - best[el]
			best[el] = elPct
			last = i
			if isOxide {
				form[el] = fmt.Sprintf("%s %s %% as %s × %s", el, units.Sig(elPct, 4), a.Analyte, units.Sig(o.ToElement, 4))
			} else {
				form[el] = fmt.Sprintf("%s %s %%", el, units.Sig(elPct, 4))
			}
		}
	}
	if treoIdx >= 0 && reo > treo+AssayClosureTolerance {
		var parts []string
		for _, f := range sortedKeysF(reoSeen) {
			parts = append(parts, fmt.Sprintf("%s %s %%", f, units.Sig(reoSeen[f], 4)))
		}
		return fmt.Sprintf("the rare-earth oxides add up to %s %% (%s), over the TREO assay of %s %% (dry): TREO is the total of the rare-earth oxides, so no oxide, nor their sum, may exceed it (tolerance %.1f percentage points)",
			units.Sig(reo, 4), strings.Join(parts, ", "), units.Sig(treo, 4), AssayClosureTolerance), reoLast
	}
	if sum > 100+AssayClosureTolerance {
		var parts []string
		for _, el := range sortedKeysF(best) {
			parts = append(parts, form[el])
		}
		return fmt.Sprintf("the dry-basis grades of the assayed elements add up to %s %% (%s; oxides converted to element by their stoichiometric factor, IUPAC atomic weights; as-received grades by dry = as_received / (1 − H2O)): over 100 %% (tolerance %.1f percentage points)",
			units.Sig(sum, 4), strings.Join(parts, ", "), AssayClosureTolerance), last
	}
	return "", -1
}

// EffectiveAssays are the assays a lot's figures read: per analyte the
// latest dry-basis assay, else the latest as-received one (as Contained
// reads them).
func EffectiveAssays(l *critmin.Lot) []critmin.Assay {
	var out []critmin.Assay
	idx := map[string]int{}
	for _, a := range l.Assays {
		j, seen := idx[a.Analyte]
		switch {
		case !seen:
			idx[a.Analyte] = len(out)
			out = append(out, a)
		case out[j].Basis != "dry" && a.Basis == "dry":
			out[j] = a
		}
	}
	return out
}

func sortedKeysF(m map[string]float64) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// MaxTonnes bounds every mass that becomes a lot figure (quantities in any
// mass unit and Mass sensor reports, after conversion to metric tonnes):
// units.MaxMassKg, the one mass limit of capture, forms, imports and the
// API (docs/identity.md, "Limits"). A larger or non-finite figure would be
// stored as ±Inf and could not be written as JSON afterwards.
const MaxTonnes = units.MaxMassKg / 1000

// tonnesOutOfRange says why a mass in tonnes cannot be a lot figure, or "".
func tonnesOutOfRange(t float64) string {
	switch {
	case math.IsNaN(t) || math.IsInf(t, 0):
		return "not a finite number of tonnes"
	case t < 0:
		return "a mass cannot be negative"
	case t > MaxTonnes:
		return "over the mass limit of " + units.Int(int64(MaxTonnes*1000)) + " kg (" + units.Int(int64(MaxTonnes)) + " t)"
	}
	return ""
}

// describedLots are the distinct lots an event's mineral facts describe:
// its quantity elements other than inputs (ledger.Project).
func describedLots(ev *critmin.Event) []string {
	var out []string
	seen := map[string]bool{}
	for _, q := range ev.Quantities {
		if q.Role != critmin.RoleInput && !seen[q.EPCClass] {
			seen[q.EPCClass] = true
			out = append(out, q.EPCClass)
		}
	}
	return out
}

// quantityListName names the JSON list a quantity element of a role is in.
// QuantityListName is the EPCIS 2.0 member that holds quantity elements
// of role: childQuantityList, inputQuantityList, outputQuantityList or
// quantityList.
func QuantityListName(role string) string { return quantityListName(role) }

func quantityListName(role string) string {
	switch role {
	case critmin.RoleChild:
		return "childQuantityList"
	case critmin.RoleInput:
		return "inputQuantityList"
	case critmin.RoleOutput:
		return "outputQuantityList"
	}
	return "quantityList"
}

// MoistureAnalyte is the analyte of a moisture report: a MassConcentration
// of water in the wet lot.
const MoistureAnalyte = "H2O"

// Identifiers of water (EPCIS 2.0 §7.3.7.3: chemicalSubstance is any URI
// naming the substance; identifiers.org resolves these).
const (
	waterInChIKey = "XLYOFNOQVPJJNP-UHFFFAOYSA-N" // IUPAC InChIKey of H2O
	waterCAS      = "7732-18-5"                   // CAS Registry Number
	waterChEBI    = "15377"                       // ChEBI
	waterPubChem  = "962"                         // PubChem CID
)

// IsWater reports whether a chemicalSubstance URI names water by a
// recognised identifier: its InChIKey (https://identifiers.org/inchikey:…,
// or the key alone after any prefix), its CAS number (cas:7732-18-5,
// identifiers.org/cas:…), ChEBI 15377 (CHEBI:15377, …/obo/CHEBI_15377)
// or PubChem CID 962 (…/pubchem.compound:962, …/compound/962).
func IsWater(uri string) bool {
	u := strings.ToLower(uri)
	switch {
	case strings.HasSuffix(u, strings.ToLower(waterInChIKey)):
		return true
	case strings.HasSuffix(u, "cas:"+waterCAS), strings.HasSuffix(u, "cas/"+waterCAS):
		return true
	case strings.HasSuffix(u, "chebi:"+waterChEBI), strings.HasSuffix(u, "chebi_"+waterChEBI):
		return true
	case strings.HasSuffix(u, "pubchem.compound:"+waterPubChem), strings.HasSuffix(u, "pubchem.ncbi.nlm.nih.gov/compound/"+waterPubChem):
		return true
	}
	return false
}

// isSensorType reports whether a sensor report's type is the GS1 measurement
// type name in any of its spellings (Mass, gs1:Mass, gs1:MT-Mass, …:
// epcis.NormalizeMeasurementType).
func isSensorType(t, name string) bool {
	bare, _ := epcis.NormalizeMeasurementType(t)
	return bare == name
}

func normUnit(u string) string {
	if n, err := units.NormalizeGradeUnit(u); err == nil {
		return n
	}
	return u
}

func commodityCodes() []string {
	var out []string
	for k := range Commodities {
		out = append(out, k)
	}
	sortStrings(out)
	return out
}

func number(v any) (float64, bool) {
	switch n := v.(type) {
	case json.Number:
		f, err := n.Float64()
		if f == 0 {
			f = 0 // -0 is 0 (docs/identity.md, "Limits")
		}
		return f, err == nil && !critmin.Underflows(n.String(), f)
	case float64:
		if n == 0 {
			n = 0
		}
		return n, true
	}
	return 0, false
}

// assay validates one assay object; it returns a reason on failure.
// The term at fault is returned with the reason (TermAnalyte …, "" for
// the whole assay).
func assay(m map[string]any) (critmin.Assay, string, string) {
	var a critmin.Assay
	if m == nil {
		return a, "", "an assay must be an object with cm:analyte, cm:value, cm:unit and cm:basis"
	}
	a.Analyte, _ = m[TermAnalyte].(string)
	if reason := AnalyteProblem(a.Analyte); reason != "" {
		return a, TermAnalyte, reason
	}
	v, ok := number(m[TermValue])
	if !ok || v < 0 {
		return a, TermValue, "value must be a number of zero or more" + xmlNumber(m[TermValue], "cm:value", "4.2")
	}
	a.Value = v
	unit, _ := m[TermUnit].(string)
	u, err := units.NormalizeGradeUnit(unit)
	if err != nil {
		return a, TermUnit, err.Error()
	}
	a.Unit = u
	// A mass fraction is at most 1: 100 %, or 1,000,000 g/t or ppm.
	if ppm, _ := units.ConvertGrade(a.Value, a.Unit, units.PartsPerMill); ppm > 1e6 {
		return a, TermValue, fmt.Sprintf("%s %s is over 100 %% (1,000,000 g/t or ppm)", critmin.PlainNumber(a.Value), a.Unit)
	}
	// A basis is dry or as_received; any other value, or one that is no
	// string, is refused. An assay without cm:basis is refused at capture
	// (MissingBasis, issue 9); one already stored without it is read as
	// dry and marked so (BasisNotStated), so that a store written before
	// the refusal still opens and its lots read as they did: most
	// laboratory certificates for ores and concentrates report on the dry
	// basis (ISO 12743), and the mark keeps the reading visible on the
	// lot and the certificate.
	b, stated := m[TermBasis]
	if !stated {
		a.Basis, a.BasisNotStated = "dry", true
		return a, "", ""
	}
	bs, ok := b.(string)
	if !ok {
		got := fmt.Sprint(b)
		if b == nil {
			got = "null"
		}
		return a, TermBasis, fmt.Sprintf("basis must be the string \"dry\" or \"as_received\", not %s", got)
	}
	if bs != "dry" && bs != "as_received" {
		return a, TermBasis, fmt.Sprintf("basis %q is not dry or as_received", bs)
	}
	a.Basis = bs
	return a, "", ""
}

// formulaToken is one element symbol of a formula, with its count.
var formulaToken = regexp.MustCompile(`[A-Z][a-z]?[0-9]*`)

// AnalyteProblem says why an analyte cannot be assayed, or "". An analyte
// is an IUPAC element symbol in its exact case (Nd, not ND or nd), an
// aggregate (TREO, REO, TREE), or a formula whose every symbol is an IUPAC
// element in exact case (Nd2O3, SiO2, H2O). "ND" reads as N and D, and D
// (deuterium) is no IUPAC symbol: refused, rather than stored as a formula
// that holds no Nd. The same rule as a declaration's element symbols, with
// formulas allowed.
func AnalyteProblem(s string) string {
	if units.IsElement(s) || TotalAnalytes[s] {
		return ""
	}
	if !analyteR.MatchString(s) {
		return fmt.Sprintf("analyte %q is not an element symbol (IUPAC, exact case: Nd, Cu), a formula (Nd2O3) or a total (TREO)", critmin.Excerpt(s))
	}
	for _, tok := range formulaToken.FindAllString(s, -1) {
		sym := strings.TrimRight(tok, "0123456789")
		if !units.IsElement(sym) {
			hint := ""
			if up := strings.ToUpper(s[:1]) + strings.ToLower(s[1:]); units.IsElement(up) {
				hint = fmt.Sprintf(" (did you mean %s? symbols are case-sensitive)", up)
			}
			return fmt.Sprintf("analyte %q is neither an element symbol nor a formula: %q is not an IUPAC element symbol in exact case%s", critmin.Excerpt(s), critmin.Excerpt(sym), hint)
		}
	}
	return ""
}

// sensorPtr is the pointer of a sensor report (its JSON pointer when the
// parser recorded one).
func sensorPtr(s critmin.SensorReport, i int) string {
	if s.Pointer != "" {
		return s.Pointer
	}
	return fmt.Sprintf("/sensorElementList (report %d)", i)
}

// sensorTerm is the member of a sensor report that carries an assay term.
var sensorTerm = map[string]string{TermAnalyte: "/chemicalSubstance", TermValue: "/value", TermUnit: "/uom", TermBasis: "/cm:basis", "": ""}

// ilmdTerm is the member of an ILMD assay object for a term.
var ilmdTerm = map[string]string{TermAnalyte: "/cm:analyte", TermValue: "/cm:value", TermUnit: "/cm:unit", TermBasis: "/cm:basis", "": ""}

// ExtensionSchema is the JSON Schema of the mineral extension, published
// at /schemas/mineral-v1.json.
//
//go:embed mineral-extension.schema.json
var ExtensionSchema []byte

func hasKey(m map[string]int, k string) bool {
	_, ok := m[k]
	return ok
}

// jsonKind names a decoded JSON value's kind for an error message: "null",
// "a JSON string (\"0.1\")", "a boolean", "an object", "a list".
// xmlNumber says, for a value that arrived as a string, how an EPCIS XML
// document states a number: an element without xsi:type is text (EPCIS
// 2.0 §9.3 maps untyped XML to a JSON string), so a numeric extension
// element needs xsi:type="xsd:decimal". "" for any other value.
func xmlNumber(v any, elem, example string) string {
	if _, ok := v.(string); !ok {
		return ""
	}
	return fmt.Sprintf(`; in XML, type the element as a number: <%s xsi:type="xsd:decimal">%s</%s> (xmlns:xsd="http://www.w3.org/2001/XMLSchema"; untyped XML text reads as a string)`, elem, example, elem)
}

func jsonKind(v any) string {
	switch x := v.(type) {
	case nil:
		return "null"
	case string:
		return fmt.Sprintf("a JSON string (%q)", x)
	case bool:
		return "a boolean"
	case map[string]any:
		return "an object"
	case []any:
		return "a list"
	}
	return fmt.Sprintf("%v", v)
}

// sig4 is v rounded to four significant digits (what %.4g printed),
// for critmin.PlainNumber to print without an exponent.
func sig4(v float64) float64 {
	r, _ := strconv.ParseFloat(strconv.FormatFloat(v, 'g', 4, 64), 64)
	return r
}

// derefOr0 is *p, or 0 when p is nil.
func derefOr0(p *float64) float64 {
	if p == nil {
		return 0
	}
	return *p
}
