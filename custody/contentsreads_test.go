package custody_test

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/critmin/critmin"
	"github.com/critmin/critmin/custody"
	"github.com/critmin/critmin/sqldb"
)

// readCounter is a store that counts the reads of one identifier or one
// eventID each that the container checks make (custody's contentsJudge
// and checkContentsChanged): a container's stored packings, a
// container's stored movements, a lot's stored packings, a packing's
// eventID (urn:t:ev:P…; the runs' are also read by the mass-balance
// check's late facts), a container's stored ObjectEvents naming it in
// their epcList (where it stands: contentsJudge.movesOf) and a
// container's stored runs fed it whole (contentsJudge.feedsOf). Every
// other read is the store's own.
type readCounter struct {
	*sqldb.DB
	packings, movements, lotPackings, byID, objectMoves, runFeeds int
}

func (c *readCounter) FindEvents(ctx context.Context, f critmin.EventFilter) (*critmin.EventPage, error) {
	agg := len(f.EventTypes) == 1 && f.EventTypes[0] == critmin.AggregationEvent
	one := func(ms []critmin.EPCMatch, role string) bool {
		return len(ms) == 1 && len(ms[0].Patterns) == 1 && len(ms[0].Roles) == 1 && ms[0].Roles[0] == role
	}
	switch {
	case agg && one(f.EPCMatches, critmin.RoleParent) && len(f.ClassMatches) == 0:
		c.packings++
	case len(f.EventTypes) == 0 && one(f.EPCMatches, critmin.RoleEPC) && len(f.ClassMatches) == 0:
		c.movements++
	case agg && one(f.ClassMatches, critmin.RoleChild) && len(f.EPCMatches) == 0:
		c.lotPackings++
	case len(f.EventTypes) == 1 && f.EventTypes[0] == critmin.ObjectEvent && one(f.EPCMatches, critmin.RoleEPC) && len(f.ClassMatches) == 0:
		c.objectMoves++
	case len(f.EventTypes) == 1 && f.EventTypes[0] == critmin.TransformationEvent && one(f.EPCMatches, critmin.RoleInput) && len(f.ClassMatches) == 0:
		c.runFeeds++
	}
	return c.DB.FindEvents(ctx, f)
}

func (c *readCounter) FindEventsByID(ctx context.Context, id string) ([]*critmin.Event, error) {
	if strings.HasPrefix(id, "urn:t:ev:P") {
		c.byID++
	}
	return c.DB.FindEventsByID(ctx, id)
}

// ConsistentReads is the counter itself, so that the check reads
// through it.
func (c *readCounter) ConsistentReads() critmin.Store { return c }

// TestContainerChecksReadTogether (issue 11 §7, capture throughput): the
// container checks of a document read the stored state of all its
// containers, lots and eventIDs together, not once for each. A document
// of 12 lots L0…L11, each commissioned, packed into its own container
// C0…C11 and the container shipped (12 movements by container
// identifier), and 12 lots R0…R11 each commissioned and fed whole to a
// run (12 runs): before, the checks read each container's packings
// (12), each packed container's movements (12), each run input's
// packings (12) and each packing's and run's eventID (24) one by one
// (the packings' are counted); and each container's stored ObjectEvents
// (where it stands, 12 — added with the place check) and stored runs fed
// it whole (12) one by one.
// Now none of these reads is made one by one for a document whose
// containers and lots have no stored history — and the document is
// still judged: it is stored whole, and the same document with a
// packing dated after its container's shipment moved is refused.
func TestContainerChecksReadTogether(t *testing.T) {
	const n = 12
	db, svc := mbSvc(t)
	rc := &readCounter{DB: db.(*sqldb.DB)}
	svc.ClaimCheck = custody.CaptureClaimCheck(rc)
	svc.Now = clockAt("2025-10-20T00:00:00Z") // the claim period of October open
	var evs []string
	for i := range n {
		l, c := fmt.Sprintf("L%d", i), fmt.Sprintf("urn:t:container:C%d", i)
		evs = append(evs, commissionAt(fmt.Sprintf("CL%d", i), l),
			packInto(fmt.Sprintf("P%d", i), "2025-10-02T00:00:00Z", l, c, "10000"),
			shipFrom(fmt.Sprintf("S%d", i), "2025-10-03T00:00:00Z", l, c, "10000", fmt.Sprintf("B%d", i)))
	}
	for i := range n {
		r := fmt.Sprintf("R%d", i)
		evs = append(evs, commissionAt("CR"+r, r),
			runOf("RUN"+r, "mb", "2025-10-04T00:00:00Z", []string{r + ":10"}, product{lot: "O" + r, commodity: "antimony_trioxide", t: 0.5, assays: []string{"Sb:80"}}))
	}
	if err := capture(svc, evs...); err != nil {
		t.Fatalf("the document of %d lots: %v; want stored", 2*n, err)
	}
	if rc.packings+rc.movements+rc.lotPackings+rc.byID+rc.objectMoves+rc.runFeeds != 0 {
		t.Errorf("reads one by one: %d containers' packings, %d containers' movements, %d lots' packings, %d packings' eventIDs, %d containers' ObjectEvents, %d containers' runs fed them; want none (read together)",
			rc.packings, rc.movements, rc.lotPackings, rc.byID, rc.objectMoves, rc.runFeeds)
	}
	if _, err := db.FindEventsByID(context.Background(), "urn:t:ev:RUNR11"); err != nil {
		t.Errorf("run RUNR11 of the document: %v; want stored", err)
	}
	// Still judged: X packed into C0 on 2 October, at or before C0's
	// recorded shipment S0 of 3 October, is refused (409).
	err := capture(svc, commissionAt("CX", "X"), packInto("PX", "2025-10-02T00:00:00Z", "X", "urn:t:container:C0", "10000"))
	if critmin.ErrorCode(err) != critmin.ECONFLICT {
		t.Errorf("packing X into C0 before its recorded shipment S0: %v; want refused 409", err)
	}
}
