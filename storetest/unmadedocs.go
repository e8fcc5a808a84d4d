package storetest

// UnmadeLotDocuments are two EPCIS documents, captured in order, that
// leave lot urn:t:lot:U not in the record (issue 8 §2): the first
// commissions U with 10 t (event urn:t:ev:U1, 2025-10-01, at
// urn:t:site:mine) and feeds all 10 t to run urn:t:ev:U2 (2025-10-03,
// into 8 t of urn:t:lot:UP); the second declares U1 alone in error
// (declarationTime 2025-10-20, reason incorrect_data). The run stands,
// taking nothing, so U keeps a row but nothing standing makes it; UP
// stands. The API, CLI and web tests of such a lot read them.
var UnmadeLotDocuments = []string{unmadeHead + unmadeCommission + `},
  {"type": "TransformationEvent", "eventID": "urn:t:ev:U2", "eventTime": "2025-10-03T00:00:00Z", "eventTimeZoneOffset": "+00:00", "bizStep": "commissioning", "bizLocation": {"id": "urn:t:site:mine"},
   "inputQuantityList": [{"epcClass": "urn:t:lot:U", "quantity": 10, "uom": "TNE"}], "outputQuantityList": [{"epcClass": "urn:t:lot:UP", "quantity": 8, "uom": "TNE"}]}]}}`,
	unmadeHead + unmadeCommission + `, "errorDeclaration": {"declarationTime": "2025-10-20T00:00:00Z", "reason": "incorrect_data"}}]}}`}

const unmadeHead = `{"@context": ["https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld"], "type": "EPCISDocument", "schemaVersion": "2.0", "creationDate": "2025-11-01T00:00:00Z", "epcisBody": {"eventList": [`

const unmadeCommission = `{"type": "ObjectEvent", "eventID": "urn:t:ev:U1", "eventTime": "2025-10-01T00:00:00Z", "eventTimeZoneOffset": "+00:00", "action": "ADD", "bizStep": "commissioning",
   "quantityList": [{"epcClass": "urn:t:lot:U", "quantity": 10, "uom": "TNE"}], "bizLocation": {"id": "urn:t:site:mine"}`
