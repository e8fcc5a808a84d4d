package storetest

import (
	"context"
	"fmt"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/critmin/critmin"
	"github.com/critmin/critmin/custody"
	"github.com/critmin/critmin/ledger"
	"github.com/critmin/critmin/sqldb"
)

// batchBoundaryEvents is BatchBoundary's batch size
// (ledger.Service.BatchEvents): a document of one batch is the pair and
// ten fillers.
const batchBoundaryEvents = 12

// testBatchBoundary (issue 9, new-user finding nu36b-4): a check that
// compares the events of one document with each other gives the same
// answer — code, pointer, reason, nothing stored — whatever the
// document's size. A streamed capture stages a large document a batch
// at a time (ledger.StreamBatch events), so of a pair of events far
// apart in it the first is in the store, staged by an earlier batch of
// the same capture, when the second is checked. Before, such a pair was
// judged as if the first were on the record: a stated origin contradicted
// by a back-dated first record at a mine came back 409 at the later
// event's eventTime (or readPoint) instead of 400 at the stating field,
// as the same two events alone in a document are refused.
//
// Each case is captured three times, on fresh stores holding the same
// preamble: as the pair alone ("small", events 0 and 1), with batch−2
// filler commissionings between them (the pair at events 0 and batch−1
// of a document of one batch), and with batch fillers between them
// ("large", the pair at events 0 and batch+1, so in batches 1 and 2).
// batch is the service's batch size (ledger.Service.BatchEvents), set
// to batchBoundaryEvents rather than ledger.StreamBatch's thousand, so
// that each document is a dozen events, not a thousand; the batches the
// capture cut are checked (its "validate" progress, reported once per
// batch), so that the large document cannot pass in one batch. The
// refusals must agree once the large document's pointers are mapped back
// to the small one's (event batch+1 → event 1), and neither stores
// an event of the pair. Both capture error behaviours are run; under
// proceed the pair's refused event is a job error and the other stored,
// except where an event staged by an earlier batch is the one a single
// batch would refuse (laterUnderProceed). The last two cases (a lot
// consumed twice over, a lot commissioned again elsewhere) gave the same
// answer before the fix and guard that they still do.
func testBatchBoundary(t *testing.T, open Opener) {
	ctx := context.Background()
	const batch = batchBoundaryEvents
	sites := scSite("cn", "mine", [2]string{scCode, "CN"}) + "," + scSite("pk", "mine", [2]string{scCountry, "PAK"}) + "," +
		scSite("cnw", "warehouse", [2]string{scCode, "CN"}) + "," + scSite("pkw", "warehouse", [2]string{scCountry, "PAK"})
	doc := func(master string, evs ...string) string {
		head := ""
		if master != "" {
			head = `"epcisHeader": {"epcisMasterData": {"vocabularyList": [{"type": "urn:epcglobal:epcis:vtype:BusinessLocation", "vocabularyElementList": [` + master + `]}]}},`
		}
		return `{"@context": ["https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld", {"cm": "https://ns.critmin.org/mineral/v1/"}], "type": "EPCISDocument", "schemaVersion": "2.0", "creationDate": "2025-10-01T00:00:00Z", ` +
			head + ` "epcisBody": {"eventList": [` + strings.Join(evs, ",") + `]}}`
	}
	// add is an ObjectEvent ADD of 10 t of lot at site on day (October
	// 2025) with bizStep step and, when ilmd is not "", that ILMD.
	add := func(id, lot, site, step string, day int, ilmd string) string {
		ev := fmt.Sprintf(`{"type": "ObjectEvent", "eventID": "urn:t:bb:%s", "eventTime": "2025-10-%02dT00:00:00Z", "eventTimeZoneOffset": "+00:00", "action": "ADD", "bizStep": "%s",
		 "quantityList": [{"epcClass": "urn:t:lot:BB%s", "quantity": 10, "uom": "TNE"}], "readPoint": {"id": "urn:t:site:%s"}, "bizLocation": {"id": "urn:t:site:%s"}`, id, day, step, lot, site, site)
		if ilmd != "" {
			ev += `, "ilmd": {` + ilmd + `}`
		}
		return ev + `}`
	}
	observe := func(id, lot, site string, day int) string {
		return fmt.Sprintf(`{"type": "ObjectEvent", "eventID": "urn:t:bb:%s", "eventTime": "2025-10-%02dT00:00:00Z", "eventTimeZoneOffset": "+00:00", "action": "OBSERVE", "bizStep": "inspecting",
		 "quantityList": [{"epcClass": "urn:t:lot:BB%s", "quantity": 10, "uom": "TNE"}], "bizLocation": {"id": "urn:t:site:%s"}}`, id, day, lot, site)
	}
	// ship is a shipping OBSERVE of 10 t of lot from site on day.
	ship := func(id, lot, site string, day int) string {
		return fmt.Sprintf(`{"type": "ObjectEvent", "eventID": "urn:t:bb:%s", "eventTime": "2025-10-%02dT00:00:00Z", "eventTimeZoneOffset": "+00:00", "action": "OBSERVE", "bizStep": "shipping", "disposition": "in_transit",
		 "quantityList": [{"epcClass": "urn:t:lot:BB%s", "quantity": 10, "uom": "TNE"}], "readPoint": {"id": "urn:t:site:%s"}}`, id, day, lot, site)
	}
	run := func(id, in, out string, day int, t float64) string {
		return fmt.Sprintf(`{"type": "TransformationEvent", "eventID": "urn:t:bb:%s", "eventTime": "2025-10-%02dT00:00:00Z", "eventTimeZoneOffset": "+00:00", "bizStep": "commissioning",
		 "inputQuantityList": [{"epcClass": "urn:t:lot:BB%s", "quantity": %v, "uom": "TNE"}], "outputQuantityList": [{"epcClass": "urn:t:lot:BB%s", "quantity": %v, "uom": "TNE"}], "bizLocation": {"id": "urn:t:site:cnw"},
		 "ilmd": {"cm:commodity": "ree_concentrate", "cm:moisture": 0}}`, id, day, in, t, out, t)
	}
	const facts = `"cm:commodity": "ree_concentrate", "cm:moisture": 0, "cm:assay": [{"cm:analyte": "Nd", "cm:value": 4, "cm:unit": "%", "cm:basis": "dry"}], "cm:originCountry": "PAK"`
	// filler are n commissionings of lots of their own at warehouse cnw,
	// 2025-10-01, touching no lot of a case.
	filler := func(n int) []string {
		out := make([]string, n)
		for i := range out {
			out[i] = fmt.Sprintf(`{"type": "ObjectEvent", "eventID": "urn:t:bbf:%d", "eventTime": "2025-10-01T00:00:00Z", "eventTimeZoneOffset": "+00:00", "action": "ADD", "bizStep": "commissioning",
			 "quantityList": [{"epcClass": "urn:t:lot:BBF%d", "quantity": 1, "uom": "TNE"}], "bizLocation": {"id": "urn:t:site:cnw"}}`, i, i)
		}
		return out
	}
	cases := []struct {
		name string
		a, b string // the pair: a first in the document
		ids  []string
		code string
		// laterUnderProceed: under proceed the later event of the pair
		// is refused, at this field (pointer, of the small document's
		// numbering), and the earlier one stored, whatever the
		// document's size (nu38b-3: the pair alone refused the earlier
		// one, a document spanning batches the later).
		laterUnderProceed string
		// pre is what the store holds besides the sites ("": nothing).
		pre string
	}{
		// The statement (a receiving ADD at a Pakistani warehouse stating
		// PAK, 10-05) first; then a commissioning of the lot at the
		// Chinese mine cn dated 10-01, which becomes its first record:
		// refused 400 at the statement's cm:originCountry (fixUu, c2).
		{"first record origin, statement first",
			add("s1", "X", "pkw", "receiving", 5, facts), add("c1", "X", "cn", "commissioning", 1, ""),
			[]string{"urn:t:bb:s1", "urn:t:bb:c1"}, critmin.EINVALID, "/epcisBody/eventList/1/readPoint/id", ""},
		// The commissioning at cn first, then the statement: 400 at the
		// statement's field (fixUu, c1).
		{"first record origin, commissioning first",
			add("c2", "Y", "cn", "commissioning", 1, ""), add("s2", "Y", "pkw", "receiving", 5, facts),
			[]string{"urn:t:bb:c2", "urn:t:bb:s2"}, critmin.EINVALID, "/epcisBody/eventList/1/ilmd/cm:originCountry", ""},
		// A lot commissioned at cnw on 10-05 and observed on 10-03:
		// the observation is before the lot exists (checkLotExists),
		// 400 naming the commissioning "of this document".
		{"observed before its commissioning",
			add("c3", "Z", "cnw", "commissioning", 5, ""), observe("o3", "Z", "cnw", 3),
			[]string{"urn:t:bb:c3", "urn:t:bb:o3"}, critmin.EINVALID, "", ""},
		// Lot R (10 t at cnw) fed to two runs, 8 t each: 8 + 8 = 16 t
		// > 10 t, so the second finds 10 − 8 = 2 t left: 409 at its
		// input line, naming the first, in one batch or two.
		{"consumed twice over",
			run("r1", "R", "RO1", 2, 8), run("r2", "R", "RO2", 3, 8),
			[]string{"urn:t:bb:r1", "urn:t:bb:r2"}, critmin.ECONFLICT, "", add("r0", "R", "cnw", "commissioning", 1, "")},
		// Lot V commissioned at warehouse cnw on 10-01 and again at
		// warehouse pkw on 10-02: 409 at the second's bizLocation (the
		// lot is at cnw), in one batch or two.
		{"commissioned again elsewhere",
			add("v1", "V", "cnw", "commissioning", 1, ""), add("v2", "V", "pkw", "commissioning", 2, ""),
			[]string{"urn:t:bb:v1", "urn:t:bb:v2"}, critmin.ECONFLICT, "", ""},
		// Lot O stated PAK by its commissioning at warehouse pkw and CHN
		// by a receipt at warehouse cnw: two origin countries for one lot.
		{"two origin countries",
			add("g1", "O", "pkw", "commissioning", 1, facts), add("g2", "O", "cnw", "receiving", 2, strings.Replace(facts, `"PAK"`, `"CHN"`, 1)),
			[]string{"urn:t:bb:g1", "urn:t:bb:g2"}, "", "", ""},
		// Lot S (10 t at cnw) shipped from cnw on 10-02, then shipped
		// from cnw again on 10-03 before any receipt: it is in transit,
		// not at cnw.
		{"shipped again before received",
			ship("h1", "S", "cnw", 2), ship("h2", "S", "cnw", 3),
			[]string{"urn:t:bb:h1", "urn:t:bb:h2"}, "", "", add("h0", "S", "cnw", "commissioning", 1, "")},
	}
	norm := regexp.MustCompile(`/epcisBody/eventList/(\d+)`)
	// key is a refusal as compared: its code and each field's conflict
	// flag, pointer and reason, the large document's event numbers
	// mapped back to the small one's.
	key := func(err error, big bool) string {
		var b strings.Builder
		b.WriteString(critmin.ErrorCode(err))
		for _, f := range critmin.ErrorFields(err) {
			p := f.Pointer
			if big {
				p = norm.ReplaceAllStringFunc(p, func(m string) string {
					n, _ := strconv.Atoi(norm.FindStringSubmatch(m)[1])
					if n > 0 {
						n = 1 // the pair's later event, wherever it stands
					}
					return "/epcisBody/eventList/" + strconv.Itoa(n)
				})
			}
			fmt.Fprintf(&b, "\n%v %s: %s", f.Conflict, p, f.Reason)
		}
		return b.String()
	}
	for _, c := range cases {
		for _, behaviour := range []string{critmin.BehaviourRollback, critmin.BehaviourProceed} {
			got := map[int]string{}
			// size 0: the pair alone; 1: the pair at events 0 and
			// batch−1 of a document of batch events (one batch); 2: at
			// events 0 and batch+1 (two batches).
			for size := range 3 {
				// Each size in its own subtest, so its store is closed (and its
				// PostgreSQL database dropped) before the next opens: 2 cases ×
				// behaviours × sizes left open at once exhausted PostgreSQL's
				// connections.
				t.Run(fmt.Sprintf("%s/%s/%d", c.name, behaviour, size), func(t *testing.T) {
					big := size > 0
					s := open(t)
					svc := service(s)
					svc.Now = func() time.Time { return time.Date(2025, 11, 1, 8, 0, 0, 0, time.UTC) }
					svc.ClaimCheck = custody.CaptureClaimCheck(s.(custody.Store))
					svc.BatchEvents = batch
					// The store settles the projection of a capture every
					// batch stored events, as it settles every
					// ledger.StreamBatch (sqldb.ProjectEvery) by default:
					// a batch whose events are all stored is settled
					// before the next batch is checked. (Since fixOf the
					// checks see a unit's unsettled lots too, BatchCut;
					// the unit is kept at the batch so that this test
					// checks the settled path.)
					s.(*sqldb.DB).ProjectUnit = batch
					MustCapture(t, svc, doc(sites))
					if c.pre != "" {
						MustCapture(t, svc, doc("", c.pre))
					}
					evs := []string{c.a}
					switch size {
					case 1:
						evs = append(evs, filler(batch-2)...)
					case 2:
						evs = append(evs, filler(batch)...)
					}
					evs = append(evs, c.b)
					// The events read when each batch was cut: one batch
					// of 2 or batch events, or batch then batch+2.
					var cuts []int64
					pctx := critmin.WithProgress(ctx, func(stage string, done, _ int64) {
						if stage == "validate" {
							cuts = append(cuts, done)
						}
					})
					job, err := svc.Capture(pctx, ledger.CaptureRequest{Behaviour: behaviour, Body: []byte(doc("", evs...))})
					want := [][]int64{{2}, {batch}, {batch, batch + 2}}[size]
					if !slices.Equal(cuts, want) {
						t.Errorf("%s (%s, size %d): the document of %d events was cut into batches at events %v, want %v", c.name, behaviour, size, len(evs), cuts, want)
					}
					if behaviour == critmin.BehaviourProceed && err == nil {
						// The job's errors as refusal fields.
						var fe []critmin.FieldError
						for _, e := range job.Errors {
							fe = append(fe, critmin.FieldError{Pointer: e.Pointer, Reason: e.Detail, Conflict: e.Status == 409})
						}
						err = &critmin.Error{Code: "job", Fields: fe}
					}
					if err == nil {
						t.Errorf("%s (%s, size %d): accepted", c.name, behaviour, size)
						return
					}
					k := key(err, big)
					// Which events of the pair the capture stored.
					for _, id := range c.ids {
						if evs, _ := s.FindEventsByID(ctx, id); len(evs) > 0 {
							k += "\nstored " + id
						}
					}
					got[size] = k
				})
			}
			if !strings.HasPrefix(got[0], c.code) && behaviour == critmin.BehaviourRollback {
				t.Errorf("%s: small document refused %s, want %s", c.name, got[0], c.code)
			}
			if behaviour == critmin.BehaviourProceed && c.laterUnderProceed != "" {
				// "job\n{conflict} {pointer}: {reason}\nstored {earlier}".
				if !strings.HasPrefix(got[0], "job\nfalse "+c.laterUnderProceed+": ") || !strings.HasSuffix(got[0], "\nstored "+c.ids[0]) {
					t.Errorf("%s (proceed): the pair alone is answered\n%s\nwant the later event refused at %s, the earlier stored", c.name, got[0], c.laterUnderProceed)
				}
			}
			for _, size := range []int{1, 2} {
				if got[size] != got[0] {
					t.Errorf("%s (%s): a document of size %d is answered\n%s\nwhere the pair alone is answered\n%s", c.name, behaviour, size, got[size], got[0])
				}
			}
		}
	}
}
