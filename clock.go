package critmin

import (
	"fmt"
	"time"
)

// MaxClockSkew is how far a time a document states may lie after the
// capture records it (the capture's clock, ledger.Service.Now): an
// event's eventTime (EPCIS 2.0 §7.3.6: when the event took place), a
// claim's, and a declaration's declarationTime (§7.4.1.2: when the
// declaration was made). The clocks of the system that wrote the
// document and of this service may differ by a little, never by days;
// it is the one allowance for clocks that differ.
const MaxClockSkew = 5 * time.Minute

// ClockSkewWords is MaxClockSkew in words for messages ("5 minutes"),
// never Go's "5m0s".
var ClockSkewWords = fmt.Sprintf("%d minutes", int(MaxClockSkew/time.Minute))
