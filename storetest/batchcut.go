package storetest

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/critmin/critmin"
	"github.com/critmin/critmin/custody"
	"github.com/critmin/critmin/ledger"
	"github.com/critmin/critmin/sqldb"
)

// testBatchCut (issue 8, fixOf): a batch of a streamed capture may end
// inside the store's projection unit — cut by its text
// (ledger.StreamBatchBytes) before it reaches its events, or under
// proceed with an event of it refused, so that fewer than a unit's
// events are stored — and the next batch's checks must still see every
// event of the document stored before it. Before, they read the earlier
// batch's lots unsettled: an observation of lot Z dated 10-03, in the
// second batch, of a lot the first batch commissioned on 10-05, was
// stored (with default sizes: 1,002 events of about 2.4 KB, cut at 807),
// where the same two events alone are refused 400 at the observation's
// eventTime ("before lot … exists").
//
// The batch (ledger.Service.BatchEvents) and the projection unit
// (sqldb.DB.ProjectUnit) are both 12, as both are 1,000 by default; the
// batch's text (ledger.Service.BatchBytes) is lowered to cut the first
// batch after a few events, as 2 MiB cuts a thousand events of over
// 2 KiB each.
func testBatchCut(t *testing.T, open Opener) {
	ctx := context.Background()
	const batch = 12
	sites := scSite("cnw", "warehouse", [2]string{scCode, "CN"})
	doc := func(master string, evs ...string) string {
		head := ""
		if master != "" {
			head = `"epcisHeader": {"epcisMasterData": {"vocabularyList": [{"type": "urn:epcglobal:epcis:vtype:BusinessLocation", "vocabularyElementList": [` + master + `]}]}},`
		}
		return `{"@context": ["https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld", {"cm": "https://ns.critmin.org/mineral/v1/", "ex": "https://example.org/ex/"}], "type": "EPCISDocument", "schemaVersion": "2.0", "creationDate": "2025-10-01T00:00:00Z", ` +
			head + ` "epcisBody": {"eventList": [` + strings.Join(evs, ",") + `]}}`
	}
	// The pair: lot Z commissioned at cnw on 10-05, observed on 10-03.
	commission := `{"type": "ObjectEvent", "eventID": "urn:t:bc:c", "eventTime": "2025-10-05T00:00:00Z", "eventTimeZoneOffset": "+00:00", "action": "ADD", "bizStep": "commissioning",
	 "quantityList": [{"epcClass": "urn:t:lot:BCZ", "quantity": 10, "uom": "TNE"}], "bizLocation": {"id": "urn:t:site:cnw"}}`
	observe := `{"type": "ObjectEvent", "eventID": "urn:t:bc:o", "eventTime": "2025-10-03T00:00:00Z", "eventTimeZoneOffset": "+00:00", "action": "OBSERVE", "bizStep": "inspecting",
	 "quantityList": [{"epcClass": "urn:t:lot:BCZ", "quantity": 10, "uom": "TNE"}], "bizLocation": {"id": "urn:t:site:cnw"}}`
	pad := strings.Repeat("x", 400)
	// filler is a commissioning of a lot of its own at cnw on 10-01,
	// padded with an extension of 400 characters; bad, one refused for
	// its action.
	filler := func(i int, bad bool) string {
		action := "ADD"
		if bad {
			action = "REMOVE_ALL"
		}
		return fmt.Sprintf(`{"type": "ObjectEvent", "eventID": "urn:t:bcf:%d", "eventTime": "2025-10-01T00:00:00Z", "eventTimeZoneOffset": "+00:00", "action": "%s", "bizStep": "commissioning",
		 "quantityList": [{"epcClass": "urn:t:lot:BCF%d", "quantity": 1, "uom": "TNE"}], "bizLocation": {"id": "urn:t:site:cnw"}, "ex:pad": "%s"}`, i, action, i, pad)
	}
	ids := []string{"urn:t:bc:c", "urn:t:bc:o"}
	// capture captures evs on a fresh store with the sites; it returns
	// the job or the refusal, the events read when each batch was cut,
	// and which of the pair and how many fillers are stored.
	capture := func(t *testing.T, behaviour string, bytes int, evs []string) (*critmin.CaptureJob, error, []int64, []string, int) {
		s := open(t)
		svc := service(s)
		svc.Now = func() time.Time { return time.Date(2025, 11, 1, 8, 0, 0, 0, time.UTC) }
		svc.ClaimCheck = custody.CaptureClaimCheck(s.(custody.Store))
		svc.BatchEvents = batch
		svc.BatchBytes = bytes
		s.(*sqldb.DB).ProjectUnit = batch
		MustCapture(t, svc, doc(sites))
		var cuts []int64
		pctx := critmin.WithProgress(ctx, func(stage string, done, _ int64) {
			if stage == "validate" {
				cuts = append(cuts, done)
			}
		})
		job, err := svc.Capture(pctx, ledger.CaptureRequest{Behaviour: behaviour, Body: []byte(doc("", evs...))})
		var stored []string
		for _, id := range ids {
			if got, _ := s.FindEventsByID(ctx, id); len(got) > 0 {
				stored = append(stored, id)
			}
		}
		fillers := 0
		for i := range len(evs) {
			if got, _ := s.FindEventsByID(ctx, fmt.Sprintf("urn:t:bcf:%d", i)); len(got) > 0 {
				fillers++
			}
		}
		return job, err, cuts, stored, fillers
	}
	// The pair alone: refused 400 at the observation's eventTime, under
	// either behaviour (under proceed: the observation is the job's
	// error, the commissioning stored).
	_, alone, _, storedAlone, _ := capture(t, critmin.BehaviourRollback, 0, []string{commission, observe})
	fe := critmin.ErrorFields(alone)
	if critmin.ErrorCode(alone) != critmin.EINVALID || len(fe) != 1 || fe[0].Pointer != "/epcisBody/eventList/1/eventTime" || len(storedAlone) > 0 {
		t.Fatalf("the pair alone: %v (fields %v), stored %v; want 400 at /epcisBody/eventList/1/eventTime, nothing stored", alone, fe, storedAlone)
	}
	reason := fe[0].Reason

	// The document: the commissioning, six padded fillers (about 700
	// bytes of text each), the observation: 8 events, under one batch of
	// 12; with the batch's text at 2,000 bytes the first batch is cut
	// after 3 events (the commissioning, ~330 bytes, and two fillers,
	// ~2 × 700: under 2,000; a third filler takes it over), the
	// observation in a later one.
	cutDoc := []string{commission}
	for i := range 6 {
		cutDoc = append(cutDoc, filler(i, false))
	}
	cutDoc = append(cutDoc, observe)
	last := len(cutDoc) - 1 // 7
	// firstCut requires the capture to have cut its first batch before
	// the observation, and before the unit (12).
	firstCut := func(t *testing.T, cuts []int64, want int64) {
		t.Helper()
		if len(cuts) < 2 || cuts[0] >= want {
			t.Fatalf("the document of %d events was cut into batches at events %v: want its first batch to end before event %d", len(cutDoc), cuts, want)
		}
	}
	t.Run("cut by text/rollback", func(t *testing.T) {
		_, err, cuts, stored, fillers := capture(t, critmin.BehaviourRollback, 2000, cutDoc)
		firstCut(t, cuts, int64(last))
		fe := critmin.ErrorFields(err)
		want := fmt.Sprintf("/epcisBody/eventList/%d/eventTime", last)
		if critmin.ErrorCode(err) != critmin.EINVALID || len(fe) != 1 || fe[0].Pointer != want || fe[0].Reason != reason {
			t.Errorf("refusal %v (fields %v); want 400 at %s: %s", err, fe, want, reason)
		}
		if len(stored) > 0 || fillers > 0 {
			t.Errorf("stored %v and %d fillers; want nothing (rollback)", stored, fillers)
		}
	})
	// proceed checks that the observation is the job's only error, at
	// its eventTime with the pair's reason, and that it alone is not
	// stored: the commissioning and the valid fillers (wantFillers) are.
	proceed := func(t *testing.T, job *critmin.CaptureJob, err error, stored []string, fillers, at, wantFillers int) {
		t.Helper()
		if err != nil {
			t.Fatalf("refused whole: %v", err)
		}
		want := fmt.Sprintf("/epcisBody/eventList/%d/eventTime", at)
		var got []string
		for _, e := range job.Errors {
			if e.Pointer == want && e.Detail == reason && e.Status == 400 {
				continue
			}
			if !strings.HasSuffix(e.Pointer, "/action") {
				got = append(got, e.Pointer+": "+e.Detail)
			}
		}
		found := false
		for _, e := range job.Errors {
			found = found || e.Pointer == want
		}
		if !found || len(got) > 0 {
			t.Errorf("job errors %v (unexpected %v); want the observation refused 400 at %s: %s", job.Errors, got, want, reason)
		}
		if len(stored) != 1 || stored[0] != ids[0] || fillers != wantFillers {
			t.Errorf("stored %v and %d fillers; want %s and %d fillers", stored, fillers, ids[0], wantFillers)
		}
	}
	t.Run("cut by text/proceed", func(t *testing.T) {
		job, err, cuts, stored, fillers := capture(t, critmin.BehaviourProceed, 2000, cutDoc)
		firstCut(t, cuts, int64(last))
		// 6 fillers, all valid.
		proceed(t, job, err, stored, fillers, last, 6)
	})
	// Under proceed, a first batch of 12 whose second event is refused
	// (action REMOVE_ALL) stores 11 events: one short of the unit. The
	// observation is event 13, in the second batch (cut at 12 and 14).
	t.Run("first batch short of the unit/proceed", func(t *testing.T) {
		evs := []string{commission, filler(0, true)}
		for i := 1; i <= 11; i++ {
			evs = append(evs, filler(i, false))
		}
		evs = append(evs, observe)
		job, err, cuts, stored, fillers := capture(t, critmin.BehaviourProceed, 0, evs)
		if len(cuts) != 2 || cuts[0] != batch || cuts[1] != batch+2 {
			t.Fatalf("the document of %d events was cut into batches at events %v, want [12 14]", len(evs), cuts)
		}
		// 11 valid fillers (1–11); filler 0 refused for its action.
		proceed(t, job, err, stored, fillers, len(evs)-1, 11)
	})
	// The rows a capture leaves when its batches end inside units (the
	// lots rows written early for the next batch's checks,
	// sqldb flushLots) are those verify rebuilds from the log, which
	// settles at the units' ends only: a run making lot BCP of lot BCA
	// (stored before), then in a later batch a weighing of BCA, and lot
	// BCB observed on 10-06 then, in a later batch, on 10-04 (out of
	// event-time order). The capture's own check of the lots rows it
	// writes (link and move counts) runs at each flush too.
	t.Run("rows rebuild", func(t *testing.T) {
		s := open(t)
		svc := service(s)
		svc.Now = func() time.Time { return time.Date(2025, 11, 1, 8, 0, 0, 0, time.UTC) }
		svc.ClaimCheck = custody.CaptureClaimCheck(s.(custody.Store))
		svc.BatchEvents = batch
		svc.BatchBytes = 2000
		s.(*sqldb.DB).ProjectUnit = batch
		MustCapture(t, svc, doc(sites+","+scSite("cn", "mine", [2]string{scCode, "CN"})))
		const facts = `"ilmd": {"cm:commodity": "ree_concentrate", "cm:moisture": 0, "cm:assay": [{"cm:analyte": "Nd", "cm:value": 4, "cm:unit": "%", "cm:basis": "dry"}]}`
		MustCapture(t, svc, doc("", `{"type": "ObjectEvent", "eventID": "urn:t:bc:a", "eventTime": "2025-10-01T00:00:00Z", "eventTimeZoneOffset": "+00:00", "action": "ADD", "bizStep": "commissioning",
		 "quantityList": [{"epcClass": "urn:t:lot:BCA", "quantity": 10, "uom": "TNE"}], "readPoint": {"id": "urn:t:site:cn"}, "bizLocation": {"id": "urn:t:site:cn"}, `+facts+`}`))
		obs := func(id, lot, site string, day int, q float64) string {
			return fmt.Sprintf(`{"type": "ObjectEvent", "eventID": "urn:t:bc:%s", "eventTime": "2025-10-%02dT00:00:00Z", "eventTimeZoneOffset": "+00:00", "action": "OBSERVE", "bizStep": "inspecting",
			 "quantityList": [{"epcClass": "urn:t:lot:%s", "quantity": %v, "uom": "TNE"}], "bizLocation": {"id": "urn:t:site:%s"}}`, id, day, lot, q, site)
		}
		evs := []string{
			`{"type": "TransformationEvent", "eventID": "urn:t:bc:r", "eventTime": "2025-10-02T00:00:00Z", "eventTimeZoneOffset": "+00:00", "bizStep": "commissioning",
			 "inputQuantityList": [{"epcClass": "urn:t:lot:BCA", "quantity": 4, "uom": "TNE"}], "outputQuantityList": [{"epcClass": "urn:t:lot:BCP", "quantity": 4, "uom": "TNE"}], "bizLocation": {"id": "urn:t:site:cn"},
			 "ilmd": {"cm:commodity": "ree_concentrate", "cm:moisture": 0}}`,
			strings.Replace(strings.Replace(commission, "BCZ", "BCB", 1), "2025-10-05", "2025-10-01", 1),
			obs("b6", "BCB", "cnw", 6, 10),
			filler(0, false), filler(1, false), filler(2, false),
			obs("a3", "BCA", "cn", 3, 5.9),
			obs("b4", "BCB", "cnw", 4, 10),
			filler(3, false), filler(4, false), filler(5, false),
		}
		var cuts []int64
		pctx := critmin.WithProgress(ctx, func(stage string, done, _ int64) {
			if stage == "validate" {
				cuts = append(cuts, done)
			}
		})
		job, err := svc.Capture(pctx, ledger.CaptureRequest{Body: []byte(doc("", evs...))})
		if err != nil {
			t.Fatalf("capture: %v", err)
		}
		if len(job.Errors) > 0 || len(cuts) < 3 {
			t.Fatalf("job errors %v; batches cut at %v, want 3 or more", job.Errors, cuts)
		}
		if rep := verifyFull(t, s, nil, true); !rep.OK() {
			t.Errorf("verify after a capture whose batches end inside units: %+v", rep)
		}
	})
}
