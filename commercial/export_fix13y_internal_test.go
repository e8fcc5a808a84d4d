package commercial

import (
	"context"

	"github.com/critmin/critmin/ledger"
)

// CaptureExchangeEvent captures sub's results as the event SubmitAssays
// writes, without its checks: results stored before fix13y refused them,
// or captured directly as EPCIS events (sub.Lot is the lot's key).
func CaptureExchangeEvent(ctx context.Context, s *Service, sub *ExchangeSubmission) (string, error) {
	doc, id, err := exchangeDocument(sub, 0)
	if err != nil {
		return "", err
	}
	_, err = s.Ledger.Capture(ctx, ledger.CaptureRequest{Body: doc, Token: "trade"})
	return id, err
}
