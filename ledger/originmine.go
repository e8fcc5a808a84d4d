package ledger

import (
	"context"
	"fmt"
	"strings"

	"github.com/critmin/critmin"
	"github.com/critmin/critmin/country"
	"github.com/critmin/critmin/epcis"
)

// locationVocab are the master-data vocabularies a mine is described in
// (CBV 2.0 §8: BusinessLocation and ReadPoint).
var locationVocab = map[string]bool{"urn:epcglobal:epcis:vtype:BusinessLocation": true, "urn:epcglobal:epcis:vtype:ReadPoint": true}

// mineCountries reads the country master data gives each location
// (cm:country, else CBV countryCode), alpha-3, keyed by canonical id:
// the stored sites first, then the document's own master data, which
// describes them anew.
type mineCountries struct {
	s      *Service
	loaded bool
	byID   map[string]string
	kinds  map[string]string // stored cm:siteKind by canonical id
	// wasMine: stored sites master data ever typed a mine, their kind
	// changed since (a store from before capture refused that,
	// critmin.Site.KindVersions).
	wasMine map[string]bool
}

// kind is the cm:siteKind master data gives the site mine (lower case;
// the document's master data first, then the stored), "" when untyped.
func (m *mineCountries) kind(ctx context.Context, master []critmin.MasterDataElement, mine string) (string, error) {
	if _, err := m.of(ctx, nil, mine); err != nil {
		return "", err
	}
	for _, e := range master {
		if !locationVocab[e.Type] || epcis.Canonical(e.ID) != epcis.Canonical(mine) {
			continue
		}
		if k := masterAttr(e.Attributes, "siteKind"); k != "" {
			return strings.ToLower(strings.TrimSpace(k)), nil
		}
	}
	return m.kinds[epcis.Canonical(mine)], nil
}

func (m *mineCountries) of(ctx context.Context, master []critmin.MasterDataElement, mine string) (string, error) {
	if !m.loaded {
		m.byID, m.kinds, m.wasMine = map[string]string{}, map[string]string{}, map[string]bool{}
		sites, err := m.s.Store.SiteDetails(ctx)
		if err != nil {
			return "", err
		}
		for _, st := range sites {
			if st.Country != "" {
				m.byID[epcis.Canonical(st.ID)] = st.Country
			}
			if st.Kind != "" {
				m.kinds[epcis.Canonical(st.ID)] = strings.ToLower(strings.TrimSpace(st.Kind))
			}
			if len(st.KindVersions) > 0 && st.WasKind(critmin.SiteMine) {
				m.wasMine[epcis.Canonical(st.ID)] = true
			}
		}
		m.loaded = true
	}
	for _, e := range master {
		if !locationVocab[e.Type] || epcis.Canonical(e.ID) != epcis.Canonical(mine) {
			continue
		}
		if a3, _ := critmin.SiteCountry(e.Attributes, e.AttributeValues); country.Valid(a3) {
			return a3, nil // the document's description is the latest
		}
	}
	return m.byID[epcis.Canonical(mine)], nil
}

// masterAttr is a master-data attribute by its local name, whatever its
// namespace or prefix (cm:country, CBV's countryCode).
func masterAttr(attrs map[string]string, local string) string {
	for k, v := range attrs {
		i := strings.LastIndexAny(k, "#:/")
		if k[i+1:] == local {
			return v
		}
	}
	return ""
}

// checkOriginMine adds to errs (one slice per event, nil for a valid
// event) the refusal of every event whose ILMD states a cm:originCountry
// that contradicts the country master data gives its cm:originMine
// (cm:country or CBV countryCode, the document's master data, else the
// stored): a lot "from PAK" out of a mine in CHN proves neither, and a
// covered-country rule reading either would be misled. pointer is the
// event's JSON pointer (doc.Pointer); path, when not nil, turns an error's
// pointer into the event's XML path. A lot whose mine master data does
// not place is accepted as stated. Stores from before this check keep
// such lots readable: custody flags them origin_conflict and counts their
// country as unknown (docs/origin.md, "Origin country against the mine").
func (s *Service) checkOriginMine(ctx context.Context, master []critmin.MasterDataElement, events []*critmin.Event, errs [][]critmin.FieldError, pointer func(i int) string, path func(i int, fe []critmin.FieldError) []critmin.FieldError) error {
	mc := &mineCountries{s: s}
	for i, ev := range events {
		if errs[i] != nil || ev == nil || ev.ErrorDeclaration != nil || ev.Mineral == nil {
			continue
		}
		m := ev.Mineral
		if m.OriginMine != "" {
			// A site master data types as something other than a mine
			// (a port, a refinery, …) is not where a lot was dug: the
			// origin would name the port of Karachi as the mine.
			kind, err := mc.kind(ctx, master, m.OriginMine)
			if err != nil {
				return err
			}
			if kind != "" && kind != critmin.SiteMine && kind != critmin.SiteOther {
				fe := []critmin.FieldError{{Pointer: pointer(i) + "/ilmd/cm:originMine",
					Reason: fmt.Sprintf("cm:originMine %s is a %s in master data (cm:siteKind %s), not a mine: name the mine the lot was dug at, or correct the site's master data first", m.OriginMine, kind, kind)}}
				if path != nil {
					fe = path(i, fe)
				}
				errs[i] = fe
				continue
			}
		}
		if m.OriginCountry == "" && m.OriginMine == "" {
			continue
		}
		var fe []critmin.FieldError
		stated, field, words := m.OriginCountry, "cm:originCountry", "cm:originCountry "+m.OriginCountry
		if m.OriginMine != "" {
			mine, err := mc.of(ctx, master, m.OriginMine)
			if err != nil {
				return err
			}
			if m.OriginCountry != "" && mine != "" && mine != m.OriginCountry {
				fe = append(fe, critmin.FieldError{Pointer: pointer(i) + "/ilmd/cm:originCountry",
					Reason: originConflict(m.OriginCountry, m.OriginMine, mine)})
			}
			if m.OriginCountry == "" {
				stated, field, words = mine, "cm:originMine", fmt.Sprintf("cm:originMine %s (in %s by master data)", m.OriginMine, mine)
			}
		}
		if fe == nil && stated != "" {
			// The event's own place: a mine there in another country
			// contradicts the origin stated as the mine named does — the
			// lot was recorded where it was dug, or was not dug where it
			// is said to come from. One rule for every way a country is
			// stated (fixKk): refused, never stored and flagged.
			for _, at := range []struct{ role, site string }{{"readPoint", ev.ReadPoint}, {"bizLocation", ev.BizLocation}} {
				if at.site == "" {
					continue
				}
				kind, err := mc.kind(ctx, master, at.site)
				if err != nil {
					return err
				}
				c, err := mc.of(ctx, master, at.site)
				if err != nil {
					return err
				}
				// A mine relabelled after events were recorded there
				// is read as the mine it was (a site does not change
				// kind).
				if kind != critmin.SiteMine && !mc.wasMine[epcis.Canonical(at.site)] || c == "" || c == stated {
					continue
				}
				fe = append(fe, critmin.FieldError{Pointer: pointer(i) + "/ilmd/" + field,
					Reason: siteConflictReason(words, stated, at.role, at.site, c)})
				break
			}
		}
		if fe == nil {
			continue
		}
		if path != nil {
			fe = path(i, fe)
		}
		errs[i] = fe
	}
	return nil
}

// siteConflictReason is the reason an event's stated origin (words,
// country stated) is refused where the event's own readPoint or
// bizLocation (role, site) is a mine master data places in another
// country: it names the field, both countries and the site.
func siteConflictReason(words, stated, role, site, siteCountry string) string {
	return fmt.Sprintf("%s places the lot's origin in %s (%s), but the event's %s %s is a mine master data places in %s (%s) (cm:siteKind mine; cm:country or countryCode): a lot recorded at a mine in %s is not shown to be dug in %s — state the origin the mine proves, record the lot where it was first held, or correct the site's master data first",
		words, country.Name(stated), stated, role, site, country.Name(siteCountry), siteCountry, country.Name(siteCountry), country.Name(stated))
}

// originConflict is the reason an event's stated origin country is
// refused: it names the stated country, the mine and the mine's country.
func originConflict(stated, mine, mineCountry string) string {
	return fmt.Sprintf("cm:originCountry %s contradicts cm:originMine %s, which master data places in %s (cm:country or countryCode): state the mine's country, or correct the mine's master data first", stated, mine, mineCountry)
}
