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
