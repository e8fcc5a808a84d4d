package commercial

import "strings"

// minorUnits gives the minor units (decimal places) of every currency in
// ISO 4217 List One, "Current currency & funds" — the table the standard's
// maintenance agency (SIX Financial Information, on behalf of ISO)
// publishes, as amended through the 2025 change that added XCG
// (Caribbean guilder) — read as one string per minor-unit count. Codes
// whose minor unit List One gives as "N.A." (precious metals XAU, XAG,
// XPT, XPD; the SDR XDR; bond-market units XBA–XBD; the sucre XSU; the
// ADB unit XUA; the testing and "no currency" codes XTS, XXX) cannot be
// invoiced and are refused, as are withdrawn codes (List Three), except
// those List One still carries while their replacement is introduced (ANG
// beside XCG, SLL beside SLE, ZWL beside ZWG, VES beside VED). A code
// outside the table is refused naming the field.
//
// Three decimals: the dinars and rials of Bahrain, Iraq, Jordan, Kuwait,
// Libya, Oman and Tunisia; four: the Chilean Unidad de Fomento (CLF) and
// the Uruguayan Unidad Previsional (UYW); none: BIF, CLP, DJF, GNF, ISK,
// JPY, KMF, KRW, PYG, RWF, UGX, UYI, VND, VUV, XAF, XOF, XPF.
var minorUnits = func() map[string]int32 {
	m := map[string]int32{}
	for places, codes := range map[int32]string{
		0: "BIF CLP DJF GNF ISK JPY KMF KRW PYG RWF UGX UYI VND VUV XAF XOF XPF",
		2: "AED AFN ALL AMD ANG AOA ARS AUD AWG AZN BAM BBD BDT BGN BMD BND BOB BOV BRL BSD BTN BWP BYN BZD " +
			"CAD CDF CHE CHF CHW CNY COP COU CRC CUP CVE CZK DKK DOP DZD EGP ERN ETB EUR FJD FKP GBP GEL GHS GIP GMD " +
			"GTQ GYD HKD HNL HTG HUF IDR ILS INR IRR JMD KES KGS KHR KPW KYD KZT LAK LBP LKR LRD LSL MAD MDL MGA MKD " +
			"MMK MNT MOP MRU MUR MVR MWK MXN MXV MYR MZN NAD NGN NIO NOK NPR NZD PAB PEN PGK PHP PKR PLN QAR RON RSD " +
			"RUB SAR SBD SCR SDG SEK SGD SHP SLE SLL SOS SRD SSP STN SVC SYP SZL THB TJS TMT TOP TRY TTD TWD TZS UAH " +
			"USD USN UYU UZS VED VES WST XCD XCG YER ZAR ZMW ZWG ZWL",
		3: "BHD IQD JOD KWD LYD OMR TND",
		4: "CLF UYW",
	} {
		for _, code := range strings.Fields(codes) {
			m[code] = places
		}
	}
	return m
}()
