#!/usr/bin/env bash
# The README's worked example, "physical vs claimed origin" (docs/origin.md),
# replayable on any date against a running critmin:
#
#   CRITMIN_URL=http://127.0.0.1:8080 CRITMIN_TOKEN=<admin token> docs/examples/mass-balance.sh
#
# ISO 22095-2 books a claim in the claim period it is made in, and a period
# that has ended is final: critmin refuses a claim dated in an ended period
# and anything that would change an ended period's statement (docs/origin.md,
# "At capture"). So the example declares this month and the next as its
# claim periods and dates its events now (a few seconds apart): replayed on
# any day, its claims fall in an open period. Each run makes its own site
# (urn:example:mb:<timestamp>) and lots, so it can be replayed on the same
# database. Needs bash, curl and date (GNU or BSD).
set -euo pipefail
URL=${CRITMIN_URL:-http://127.0.0.1:8080}
TOKEN=${CRITMIN_TOKEN:?set CRITMIN_TOKEN to an admin or operator token}
AUTH="Authorization: Bearer $TOKEN"

# Periods: this month and the next, in UTC (period boundaries are UTC).
epoch=$(date -u +%s)
iso() { date -u -d "@$1" +"$2" 2>/dev/null || date -u -r "$1" +"$2"; }
Y=$(iso "$epoch" %Y); M=$(iso "$epoch" %m); M=${M#0}
next() { if [ "$2" -eq 12 ]; then echo "$(($1 + 1)) 1"; else echo "$1 $(($2 + 1))"; fi; }
read -r Y1 M1 <<<"$(next "$Y" "$M")"
read -r Y2 M2 <<<"$(next "$Y1" "$M1")"
THIS=$(printf '%04d-%02d' "$Y" "$M"); NEXT=$(printf '%04d-%02d' "$Y1" "$M1")
AFTER=$(printf '%04d-%02d' "$Y2" "$M2")
# Event times: now, now + 1 s, …; never more than 5 minutes ahead
# (custody.MaxClaimClockSkew).
at() { iso $((epoch + $1)) %Y-%m-%dT%H:%M:%SZ; }
RUN=$epoch
SITE="urn:example:mb:$RUN"
LOT="urn:example:lot:$RUN"

capture() { # capture FILE: prints the HTTP status and the problem's detail, if any
	curl -s -o /tmp/critmin-example.out -w '%{http_code}' -X POST "$URL/epcis/capture" -H "$AUTH" \
		-H 'Content-Type: application/ld+json' -H 'GS1-Capture-Error-Behaviour: rollback' --data-binary @"$1"
	echo
}
doc() { # doc EVENTS: an EPCIS document with the site's master data
	cat <<JSON
{"@context": ["https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld", {"cm": "https://ns.critmin.org/mineral/v1/"}],
 "type": "EPCISDocument", "schemaVersion": "2.0", "creationDate": "$(at 0)",
 "epcisHeader": {"epcisMasterData": {"vocabularyList": [{"type": "urn:epcglobal:epcis:vtype:BusinessLocation", "vocabularyElementList": [
  {"id": "$SITE", "attributes": [{"id": "urn:epcglobal:cbv:mda#name", "attribute": "Example mass-balance refinery"},
   {"id": "urn:epcglobal:cbv:mda#countryCode", "attribute": "US"}, {"id": "https://ns.critmin.org/mineral/v1/custodyModel", "attribute": "mass_balance"}]}]}]}},
 "epcisBody": {"eventList": [$1]}}
JSON
}
feed() { # feed LOT COUNTRY DMT ND PR SECONDS: concentrate commissioned at the site
	cat <<JSON
{"type": "ObjectEvent", "eventID": "$LOT:ev:$1", "eventTime": "$(at "$6")", "eventTimeZoneOffset": "+00:00", "action": "ADD", "bizStep": "commissioning",
 "quantityList": [{"epcClass": "$LOT:$1", "quantity": $3, "uom": "TNE"}], "bizLocation": {"id": "$SITE"},
 "ilmd": {"cm:commodity": "ree_concentrate", "cm:originCountry": "$2", "cm:moisture": 0,
  "cm:assay": [{"cm:analyte": "Nd", "cm:value": $4, "cm:unit": "%", "cm:basis": "dry"}, {"cm:analyte": "Pr", "cm:value": $5, "cm:unit": "%", "cm:basis": "dry"}]}}
JSON
}
run() { # run ID INPUT DMT OUTPUT T SECONDS: NdPr oxide at Nd 60 % + Pr 20 %, claiming Pakistan
	cat <<JSON
{"type": "TransformationEvent", "eventID": "$LOT:ev:$1", "eventTime": "$(at "$6")", "eventTimeZoneOffset": "+00:00", "bizStep": "commissioning",
 "transformationID": "$LOT:run:$1",
 "inputQuantityList": [{"epcClass": "$LOT:$2", "quantity": $3, "uom": "TNE"}],
 "outputQuantityList": [{"epcClass": "$LOT:$4", "quantity": $5, "uom": "TNE"}], "bizLocation": {"id": "$SITE"},
 "ilmd": {"cm:commodity": "ndpr_oxide", "cm:moisture": 0,
  "cm:assay": [{"cm:analyte": "Nd", "cm:value": 60, "cm:unit": "%", "cm:basis": "dry"}, {"cm:analyte": "Pr", "cm:value": 20, "cm:unit": "%", "cm:basis": "dry"}],
  "cm:originClaim": [{"cm:country": "PAK", "cm:share": 1}]}}
JSON
}
stock() { # stock RUN OUTPUT T SECONDS: another event of run RUN (same transformationID), no input,
	# making T t of NdPr oxide at Nd 66 % + Pr 14 % without a claim: the run's products must hold
	# the Nd and the Pr its credits count (a run never credits more of an element than its products
	# contain)
	cat <<JSON
{"type": "TransformationEvent", "eventID": "$LOT:ev:$1-$2", "eventTime": "$(at "$4")", "eventTimeZoneOffset": "+00:00", "bizStep": "commissioning",
 "transformationID": "$LOT:run:$1",
 "outputQuantityList": [{"epcClass": "$LOT:$2", "quantity": $3, "uom": "TNE"}], "bizLocation": {"id": "$SITE"},
 "ilmd": {"cm:commodity": "ndpr_oxide", "cm:moisture": 0,
  "cm:assay": [{"cm:analyte": "Nd", "cm:value": 66, "cm:unit": "%", "cm:basis": "dry"}, {"cm:analyte": "Pr", "cm:value": 14, "cm:unit": "%", "cm:basis": "dry"}]}}
JSON
}
dir=$(mktemp -d)
enc() { printf %s "$1" | sed 's/:/%3A/g'; }

echo "== 1. the feeds: 100 dmt Pakistani (Nd 4 %, Pr 1 %), 100 and 10 dmt Chinese concentrate"
doc "$(feed PK PAK 100 4 1 0),$(feed CN1 CHN 100 4 1 1),$(feed CN2 CHN 10 4 1 2)" >"$dir/feeds.jsonld"
capture "$dir/feeds.jsonld"

echo "== 2. declare the account: category ree, factor 0.9, periods $THIS and $NEXT, carry-forward 1"
cat >"$dir/decl.json" <<JSON
{"method": "credit", "carryForward": 1,
 "categories": [{"id": "ree", "inputs": ["ree_concentrate"], "product": "ndpr_oxide", "elements": ["Nd", "Pr"], "conversionFactor": 0.9}],
 "periods": [{"id": "$THIS", "from": "$THIS-01", "to": "$NEXT-01"}, {"id": "$NEXT", "from": "$NEXT-01", "to": "$AFTER-01"}]}
JSON
curl -s -o /dev/null -w '%{http_code}\n' -X PUT "$URL/api/v1/sites/$(enc "$SITE")/mass-balance" -H "$AUTH" -H 'Content-Type: application/json' --data-binary @"$dir/decl.json"

echo "== 3. run R1 turns the Pakistani feed into 2 t of oxide claiming Pakistan (1.6 t Nd+Pr) and 3.7 t more"
echo "   (2.96 t): credit Nd 3.6 + Pr 0.9 = 4.5 t ≤ what its products hold, Nd 3.642 t and Pr 0.918 t; claim 1.6 t: accepted"
doc "$(run R1 PK 100 O1 2 3),$(stock R1 O1B 3.7 3)" >"$dir/r1.jsonld"
capture "$dir/r1.jsonld"

echo "== 4. 5 t of oxide from 100 dmt of Chinese feed claims Pakistan: 4 t against 2.9 t: refused, nothing stored"
doc "$(run R2 CN1 100 O2 5 4)" >"$dir/r2.jsonld"
capture "$dir/r2.jsonld"
sed 's/.*"detail": *"\([^"]*\)".*/\1/' /tmp/critmin-example.out; echo

echo "== 5. 0.5 t of oxide from 10 dmt of Chinese feed claims Pakistan: 0.4 t ≤ 2.9 t: accepted"
echo "   (China is credited Nd 0.3 t, what the oxide holds, + Pr 0.09 t = 0.39 t, not 10 × 5 % × 0.9 = 0.45 t)"
doc "$(run R3 CN2 10 O3 0.5 5)" >"$dir/r3.jsonld"
capture "$dir/r3.jsonld"

echo "== 6. yet dfars-covered-countries fails for it: it reads the physical origin, China"
curl -s "$URL/api/v1/lots/$(enc "$LOT:O3")/rules" -H "$AUTH" | tr -d '\n' | grep -o '"rule": *"[a-z-]*", *"title": *"[^"]*", *"status": *"[a-z_]*"' | sed 's/"title": *"[^"]*", *//'

echo "== 7. the statements of $THIS and $NEXT (CSV)"
curl -s "$URL/api/v1/sites/$(enc "$SITE")/mass-balance/statement?period=$THIS&format=csv" -H "$AUTH"
curl -s "$URL/api/v1/sites/$(enc "$SITE")/mass-balance/statement?period=$NEXT&format=csv" -H "$AUTH"
rm -rf "$dir"
