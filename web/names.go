package web

import (
	"context"

	"github.com/critmin/critmin"
)

// MasterNames is what master data names sites and parties (the EPCIS
// master data's cbv:mda#name, critmin.Site.Name and critmin.Party.Name),
// keyed by identifier as the events spell it: the resolver the lot page
// names them with (its siteName and partyName), which `critmin lot show`
// reuses (issue 15, fix15f item 2).
type MasterNames struct {
	Sites   map[string]*critmin.Site
	Parties map[string]*critmin.Party
}

// LoadMasterNames reads the stored sites and parties (FindSites,
// FindParties); it fails as those do.
func LoadMasterNames(ctx context.Context, st critmin.LotStore) (MasterNames, error) {
	sites, err := st.FindSites(ctx)
	if err != nil {
		return MasterNames{}, err
	}
	parties, err := st.FindParties(ctx)
	if err != nil {
		return MasterNames{}, err
	}
	return MasterNames{Sites: sitesByID(sites), Parties: partiesByID(parties)}, nil
}

// sitesByID is sites keyed by their identifiers.
func sitesByID(sites []*critmin.Site) map[string]*critmin.Site {
	m := make(map[string]*critmin.Site, len(sites))
	for _, s := range sites {
		m[s.ID] = s
	}
	return m
}

// partiesByID is parties keyed by their identifiers.
func partiesByID(parties []*critmin.Party) map[string]*critmin.Party {
	m := make(map[string]*critmin.Party, len(parties))
	for _, p := range parties {
		m[p.ID] = p
	}
	return m
}

// Site is site id's master-data name, and false when master data gives
// it none.
func (n MasterNames) Site(id string) (string, bool) {
	if s, ok := n.Sites[id]; ok && s.Name != "" {
		return s.Name, true
	}
	return "", false
}

// Party is party id's master-data name, and false when master data gives
// it none.
func (n MasterNames) Party(id string) (string, bool) {
	if p, ok := n.Parties[id]; ok && p.Name != "" {
		return p.Name, true
	}
	return "", false
}
