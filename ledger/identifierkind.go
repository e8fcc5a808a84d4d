package ledger

import (
	"fmt"

	"github.com/critmin/critmin"
	"github.com/critmin/critmin/epcis"
)

// CheckIdentifierKinds refuses an event that uses a class identifier as
// an instance, or an instance as a class. EPCIS 2.0 §7.3.3 and §8.2
// (and CBV 2.0 §8) keep the two apart: a quantityList, childQuantityList,
// inputQuantityList or outputQuantityList names a class (a lot: an amount
// of material, epcClass), while parentID, epcList, childEPCs,
// inputEPCList and outputEPCList name instances (one container, one bag).
// A lot is not a container: an AggregationEvent whose parentID is a lot
// would pack lots into a lot, and a shipment listing a lot among its
// containers would ship an object that does not exist (issue 15,
// fix15zm). The reverse, a container or bag already used as an instance
// named as a lot's class, is refused too.
//
// classUse and instanceUse name, for a canonical identifier, the eventID
// of an earlier event (stored or earlier in the capture) that used it as
// a class or as an instance; "" when none did. Both capture (sqldb, in
// its transaction) and the form and import preview (through the trial
// capture) run it. An error declaration repeats the event it retracts
// and is not checked, so that an event stored before the rule can still
// be declared in error. The errors are conflicts with the record (409).
func CheckIdentifierKinds(ev *critmin.Event, classUse, instanceUse func(canon string) string) []critmin.FieldError {
	if ev.ErrorDeclaration != nil {
		return nil
	}
	var errs []critmin.FieldError
	if ev.ParentID != "" {
		if by := classUse(epcis.Canonical(ev.ParentID)); by != "" {
			errs = append(errs, critmin.FieldError{Pointer: "/parentID", Conflict: true,
				Reason: fmt.Sprintf("parentID %s is a lot (event %s names it as a class in a quantity list), not a container: a parentID is one container, bag or pallet (an instance, EPCIS 2.0 §7.3.5); pack the lot into a container by naming it in childQuantityList", ev.ParentID, by)})
		}
	}
	n := map[string]int{}
	for _, e := range ev.EPCs {
		list := epcListName(e.Role)
		if list == "" {
			continue
		}
		i := n[list]
		n[list]++
		if by := classUse(epcis.Canonical(e.EPC)); by != "" {
			errs = append(errs, critmin.FieldError{Pointer: fmt.Sprintf("/%s/%d", list, i), Conflict: true,
				Reason: fmt.Sprintf("%s %s is a lot (event %s names it as a class in a quantity list), not a container or other single object: %s lists instances (EPCIS 2.0 §7.3.3); name the lot in %s with its quantity", list, e.EPC, by, list, quantityListName(e.Role))})
		}
	}
	nq := map[string]int{}
	for _, q := range ev.Quantities {
		list := quantityListName(q.Role)
		i := nq[list]
		nq[list]++
		if by := instanceUse(epcis.Canonical(q.EPCClass)); by != "" {
			errs = append(errs, critmin.FieldError{Pointer: fmt.Sprintf("/%s/%d/epcClass", list, i), Conflict: true,
				Reason: fmt.Sprintf("%s epcClass %s is a container or other single object (event %s names it as an instance), not a lot: a quantity list names classes (EPCIS 2.0 §7.3.3); use the lot's own identifier", list, q.EPCClass, by)})
		}
	}
	return errs
}
