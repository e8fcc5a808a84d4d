package custody

import (
	"github.com/critmin/critmin"
	"github.com/critmin/critmin/epcis"
)

// siteKey is the key site maps are held and read by: the canonical form of
// a GS1 key (epcis.Canonical: GS1 Digital Link, TDS 2.0), the identifier
// itself otherwise. Master data may name a site as
// urn:epc:id:sgln:4012345.00008.0 while an event names it
// https://id.gs1.org/414/4012345000085: both find the one site, so its
// country, kind, custody model and certification reach every rule
// (docs/identity.md, "One identity per key").
func siteKey(id string) string { return epcis.Canonical(id) }

// siteMap indexes sites by siteKey.
func siteMap(sites []*critmin.Site) map[string]*critmin.Site {
	sm := make(map[string]*critmin.Site, len(sites))
	for _, st := range sites {
		sm[siteKey(st.ID)] = st
	}
	return sm
}

// siteAt is the site of location id in sm: its own entry, else — a GLN
// sub-location (an SGLN extension other than 0, Digital Link AI 254) that
// neither master data nor a stored event names — a site of its own in
// the country of its GLN's site (critmin.SubSite): a GLN extension
// identifies a sub-location inside the physical location the GLN
// identifies (GS1 General Specifications §3.4.2), so material there is in
// that location's country. ok is false when neither is known.
func siteAt(sm map[string]*critmin.Site, id string) (*critmin.Site, bool) {
	if s, ok := sm[siteKey(id)]; ok {
		return s, true
	}
	if b := epcis.LocationBase(id); b != "" {
		if s, ok := sm[b]; ok {
			return critmin.SubSite(s, id), true
		}
	}
	return nil, false
}

// siteOf is siteAt's site, nil when none is known.
func siteOf(sm map[string]*critmin.Site, id string) *critmin.Site {
	s, _ := siteAt(sm, id)
	return s
}
