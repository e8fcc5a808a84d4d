package ledger

import (
	"fmt"
	"strings"

	"github.com/critmin/critmin"
	"github.com/critmin/critmin/epcis"
)

// FromNothingText words why a dispatch of shipped wet tonnes that left
// site from took nothing (critmin.LotPart.FromRetracted, the anomaly
// "ships from a receipt declared in error"), from what it found there
// when it left (left, critmin.LotPart.LeftFrom: the source parties it
// named and the holdings that stood of the lot there then) — the lot
// page's part line, `critmin lot show`, the shipment page and the
// declaration preview all read it (issue 15, fix15zh: lot NU-B1's 6 t
// shipped from Karachi naming USSM read "nothing of the lot stood there
// when it left" where the smelter's 5 t stood). site, party and tonnes
// write a site, a party and a mass in tonnes as the view does.
//
//   - nothing of the lot stood there: "nothing of the lot stood at
//     Karachi when it left";
//   - it named a source party whose holding held nothing there while
//     others' did: "nothing of the holding of USSM, the source party it
//     names, stood at Karachi when it left: what stood of the lot there
//     then was another party's (5 wmt owned by the smelter, held by the
//     smelter), which it may not ship (CBV 2.0 §7.5)";
//   - the holding it draws on held less than it ships: "the holding of
//     USSM, the source party it names, held 4 wmt at Karachi when it
//     left, less than the 6 wmt it ships (what stood of the lot there
//     then: …)", or, naming no party, "only 4 wmt of the lot stood at
//     Karachi when it left, less than the 6 wmt it ships (…)".
//
// A flagged part projected before fix15zh has no LeftFrom (nil):
// "nothing of the holding it draws on stood at Karachi when it left".
func FromNothingText(left *critmin.LeftFrom, from string, shipped float64, site, party func(string) string, tonnes func(float64) string) string {
	where := "there"
	if from != "" {
		where = "at " + site(from)
	}
	if left == nil {
		return "nothing of the holding it draws on stood " + where + " when it left"
	}
	if len(left.Stood) == 0 {
		return "nothing of the lot stood " + where + " when it left"
	}
	name := func(p string) string {
		if p == "" {
			return "no party named"
		}
		return party(p)
	}
	var stood []string
	held, named, matched := 0.0, left.SourceOwner != "" || left.SourceCustodian != "", false
	for _, h := range left.Stood {
		stood = append(stood, tonnes(h.WetTonnes)+" wmt owned by "+name(h.Owner)+", held by "+name(h.Custodian))
		// A holding whose party is not known is not another party's
		// (NamedAbsent's rule).
		ownerOK := left.SourceOwner == "" || h.Owner == "" || epcis.Canonical(h.Owner) == epcis.Canonical(left.SourceOwner)
		custodianOK := left.SourceCustodian == "" || h.Custodian == "" || epcis.Canonical(h.Custodian) == epcis.Canonical(left.SourceCustodian)
		if ownerOK && custodianOK {
			held += h.WetTonnes
			matched = true
		}
	}
	list := strings.Join(stood, "; ")
	whose := ""
	switch {
	case left.SourceOwner != "" && left.SourceCustodian != "":
		whose = "the holding of " + party(left.SourceOwner) + " held by " + party(left.SourceCustodian) + ", the source parties it names,"
	case left.SourceOwner != "":
		whose = "the holding of " + party(left.SourceOwner) + ", the source party it names,"
	case left.SourceCustodian != "":
		whose = "the holding held by " + party(left.SourceCustodian) + ", the source party it names,"
	}
	switch {
	case named && !matched:
		return fmt.Sprintf("nothing of %s stood %s when it left: what stood of the lot there then was another party's (%s), which it may not ship (CBV 2.0 §7.5)",
			whose, where, list)
	case shipped <= 0:
		return fmt.Sprintf("nothing of the holding it draws on stood %s when it left (what stood of the lot there then: %s)", where, list)
	case named:
		return fmt.Sprintf("%s held %s wmt %s when it left, less than the %s wmt it ships (what stood of the lot there then: %s)",
			whose, tonnes(held), where, tonnes(shipped), list)
	}
	return fmt.Sprintf("only %s wmt of the lot stood %s when it left, less than the %s wmt it ships (%s)", tonnes(held), where, tonnes(shipped), list)
}
