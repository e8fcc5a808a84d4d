// Package epcistest writes small EPCIS 2.0 JSON-LD documents for tests of
// several packages (the CLI's and the web pages'): master data that names
// sites and parties, and ObjectEvents given as JSON text. It holds no
// figure: each test states its events and checks its own figures.
package epcistest

import "strings"

// Named is a master-data vocabulary element: id with its name, the CBV
// 2.0 master data attribute urn:epcglobal:cbv:mda#name.
func Named(id, name string) string {
	return `{"id": "` + id + `", "attributes": [{"id": "urn:epcglobal:cbv:mda#name", "attribute": "` + name + `"}]}`
}

// Object is an ObjectEvent OBSERVE with eventID id at time at (UTC, offset
// +00:00) of CBV business step step; body is the rest of its members
// (`"quantityList": […], …`).
func Object(id, at, step, body string) string {
	return `{"type": "ObjectEvent", "eventID": "` + id + `", "eventTime": "` + at + `", "eventTimeZoneOffset": "+00:00", "action": "OBSERVE", "bizStep": "` + step + `", ` + body + `}`
}

// BOL is a bizTransactionList member naming bill of lading id (CBV 2.0
// business transaction type bol).
func BOL(id string) string {
	return `"bizTransactionList": [{"type": "bol", "bizTransaction": "` + id + `"}]`
}

// Document is an EPCIS document (mineral context cm:, created
// 2025-11-21) whose master data names sites (BusinessLocation) and
// parties (Party), each a Named element, with events in its event list.
func Document(sites, parties []string, events ...string) string {
	return `{"@context": ["https://ref.gs1.org/standards/epcis/epcis-context.jsonld", {"cm": "https://ns.critmin.org/mineral/v1/"}], "type": "EPCISDocument", "schemaVersion": "2.0", "creationDate": "2025-11-21T00:00:00Z",
 "epcisHeader": {"epcisMasterData": {"vocabularyList": [
  {"type": "urn:epcglobal:epcis:vtype:BusinessLocation", "vocabularyElementList": [` + strings.Join(sites, ", ") + `]},
  {"type": "urn:epcglobal:epcis:vtype:Party", "vocabularyElementList": [` + strings.Join(parties, ", ") + `]}]}},
 "epcisBody": {"eventList": [
 ` + strings.Join(events, ",\n ") + `]}}`
}
