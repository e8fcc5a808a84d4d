package storetest

// corridorDoc is a hand-made corridor document: a REE concentrate lot
// commissioned at a Pakistani mine with ILMD, bagged, shipped from Karachi,
// received in Houston with a later assay, and consumed by a refinery run
// that produces an NdPr oxide lot. Quantities are illustrative.
const corridorDoc = `{
  "@context": ["https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld", {"cm": "https://ns.critmin.org/mineral/v1/", "ex": "https://example.org/ns/"}],
  "type": "EPCISDocument", "schemaVersion": "2.0", "creationDate": "2025-09-20T08:00:00Z",
  "epcisHeader": {"epcisMasterData": {"vocabularyList": [
    {"type": "urn:epcglobal:epcis:vtype:BusinessLocation", "vocabularyElementList": [
      {"id": "urn:critmin:site:mine-a", "attributes": [
        {"id": "urn:epcglobal:cbv:mda#name", "attribute": "Mine A"},
        {"id": "https://ns.critmin.org/mineral/v1/siteKind", "attribute": "mine"},
        {"id": "https://ns.critmin.org/mineral/v1/country", "attribute": "PAK"},
        {"id": "urn:epcglobal:cbv:mda#latitude", "attribute": 29.1},
        {"id": "urn:epcglobal:cbv:mda#longitude", "attribute": 64.5}]},
      {"id": "urn:critmin:site:pkkhi", "attributes": [
        {"id": "urn:epcglobal:cbv:mda#name", "attribute": "Karachi"},
        {"id": "https://ns.critmin.org/mineral/v1/siteKind", "attribute": "port"},
        {"id": "https://ns.critmin.org/mineral/v1/unLocode", "attribute": "PKKHI"}]}]},
    {"type": "urn:epcglobal:epcis:vtype:Party", "vocabularyElementList": [
      {"id": "urn:critmin:party:fwo", "attributes": [{"id": "urn:epcglobal:cbv:mda#name", "attribute": "Frontier Works Organization"}]}]}
  ]}},
  "epcisBody": {"eventList": [
    {"type": "ObjectEvent", "eventID": "urn:uuid:00000000-0000-4000-8000-000000000001",
     "eventTime": "2025-09-20T10:00:00.000+05:00", "eventTimeZoneOffset": "+05:00", "action": "ADD", "bizStep": "commissioning", "disposition": "active",
     "quantityList": [{"epcClass": "urn:critmin:lot:ree-1", "quantity": 25000, "uom": "KGM"}],
     "readPoint": {"id": "urn:critmin:site:mine-a"}, "bizLocation": {"id": "urn:critmin:site:mine-a"},
     "destinationList": [{"type": "owning_party", "destination": "urn:critmin:party:fwo"}],
     "ilmd": {"cm:commodity": "ree_concentrate", "cm:originCountry": "PAK", "cm:originMine": "urn:critmin:site:mine-a", "cm:moisture": 0.08,
              "cm:assay": [{"cm:analyte": "Nd2O3", "cm:value": 4.0, "cm:unit": "%", "cm:basis": "dry"}], "ex:batch": "B-17"}},
    {"type": "ObjectEvent", "eventID": "urn:uuid:00000000-0000-4000-8000-000000000002",
     "eventTime": "2025-09-25T09:00:00.000+05:00", "eventTimeZoneOffset": "+05:00", "action": "OBSERVE", "bizStep": "shipping", "disposition": "in_transit",
     "quantityList": [{"epcClass": "urn:critmin:lot:ree-1", "quantity": 25000, "uom": "KGM"}],
     "readPoint": {"id": "urn:critmin:site:pkkhi"}, "bizLocation": {"id": "urn:critmin:site:pkkhi"},
     "bizTransactionList": [{"type": "bol", "bizTransaction": "urn:critmin:bol:KHI-HOU-001"}],
     "sourceList": [{"type": "location", "source": "urn:critmin:site:pkkhi"}],
     "destinationList": [{"type": "location", "destination": "urn:critmin:site:ushou"}, {"type": "possessing_party", "destination": "urn:critmin:party:carrier"}]},
    {"type": "ObjectEvent", "eventID": "urn:uuid:00000000-0000-4000-8000-000000000003",
     "eventTime": "2025-10-02T08:00:00.000-05:00", "eventTimeZoneOffset": "-05:00", "action": "OBSERVE", "bizStep": "receiving", "disposition": "in_progress",
     "quantityList": [{"epcClass": "urn:critmin:lot:ree-1", "quantity": 24900, "uom": "KGM"}],
     "readPoint": {"id": "urn:critmin:site:ushou"}, "bizLocation": {"id": "urn:critmin:site:ushou"},
     "destinationList": [{"type": "possessing_party", "destination": "urn:critmin:party:ussm"}, {"type": "owning_party", "destination": "urn:critmin:party:ussm"}],
     "sensorElementList": [{"sensorReport": [{"type": "MassConcentration", "chemicalSubstance": "https://ns.critmin.org/mineral/v1/analyte/Nd2O3", "value": 4.2, "uom": "P1", "cm:basis": "dry"}]}]},
    {"type": "TransformationEvent", "eventID": "urn:uuid:00000000-0000-4000-8000-000000000004",
     "eventTime": "2025-10-20T12:00:00.000-05:00", "eventTimeZoneOffset": "-05:00", "bizStep": "commissioning", "transformationID": "urn:critmin:run:R-001",
     "inputQuantityList": [{"epcClass": "urn:critmin:lot:ree-1", "quantity": 24900, "uom": "KGM"}],
     "outputQuantityList": [{"epcClass": "urn:critmin:lot:ndpr-1", "quantity": 900, "uom": "KGM"}],
     "readPoint": {"id": "urn:critmin:site:refinery"}, "bizLocation": {"id": "urn:critmin:site:refinery"},
     "ilmd": {"cm:commodity": "ndpr_oxide"}},
    {"type": "AggregationEvent", "eventID": "urn:uuid:00000000-0000-4000-8000-000000000005",
     "eventTime": "2025-10-21T12:00:00.000-05:00", "eventTimeZoneOffset": "-05:00", "action": "ADD", "bizStep": "packing",
     "parentID": "urn:epc:id:sscc:0614141.1234567890",
     "childEPCs": ["urn:epc:id:sgtin:0614141.107346.2017"],
     "childQuantityList": [{"epcClass": "urn:critmin:lot:ndpr-1", "quantity": 900, "uom": "KGM"}],
     "bizLocation": {"id": "urn:critmin:site:refinery"}}
  ]}
}`
