package custody

import (
	"strings"
	"time"

	"github.com/critmin/critmin"
)

// StatementHeader are the columns of a statement as a table (CSV): one
// row per category and origin, tonnes of qualifying element, figures as
// Figure prints them. The API's CSV and the CLI's write the same table
// (StatementRows), so neither lacks a column the other has.
//
// The last two columns came later (fix9at) and are appended, so the
// columns before them keep their places: reasons, a not-covered row's
// reasons (RefusedClaim.Reasons) joined by "; ", and restated_by, an
// as_at_close row's declarations in error (Restatement.By, their events)
// joined by "|".
var StatementHeader = []string{"site", "period", "category", "elements", "conversion_factor", "origin", "opening_t", "credits_t", "claims_t", "expired_t", "expires_at_period_end_t", "closing_t", "share", "status", "lot", "event", "claimed_t", "shortfall_t", "reason", "reasons", "restated_by"}

// StatusAsAtClose is the status of a statement row that gives a restated
// line's figures as at close (Restatement; fix9at).
const StatusAsAtClose = "as_at_close"

// StatementRows are a statement's rows under StatementHeader: elements
// joined by "+" (Nd+Pr), the period's conversion factor, then the balance
// line (Closing = Opening + Credits − Claims − Expired; in a period still
// open, expires_at_period_end_t is what will expire at its end, a
// projection Closing still holds) and, for the
// rolling-average method only, share: the origin's share of the
// qualifying input over the window as a fraction (0.75 for 75 %; the
// JSON's "percent"), blank at a credit-method site and where the window
// holds no input (BalanceLine.NoWindowInput). Each category ends
// with its total row, origin "all" (CategoryStatement.Total): a category
// with nothing in the period is that row of zeros, closing = opening,
// never absent from the table; its reason names the origins in deficit,
// which its closing nets (BalanceLine.Deficit). Balance rows have status "balance"; an
// origin's row whose deficit is carried from claims of earlier periods
// (BalanceLine.CarriedDeficit) gives its deficit note as the reason. The
// period's claims not backed follow (status "refused", or "not_covered"
// for a claim accepted at capture and booked, fix9h; claims of earlier
// periods are on their own statements, fix9ah), one row each with
// its category, origin, lot, claim event, claimed and shortfall tonnes
// and the reason, and the balance columns blank: a refused claim takes
// nothing from the account (docs/origin.md, "The statement"); a
// not-covered row's reasons column lists what it is short of
// (RefusedClaim.Reasons). A period restated after its close
// (Statement.Restated) ends with one row per restated line and per
// total of its category (origin "all"), status "as_at_close": the
// balance columns are the figures as at close — the balance rows above
// are the current ones —, the reason "restated after the close of D:
// credits 0.45 → 0 t, closing 0.25 → -0.2 t" and restated_by the
// declarations in error that changed them (fix9at). Credits outside any
// declared claim period (Statement.Outside) follow, status
// "outside_any_period", the credit in credits_t and no other balance
// figure: they are in no balance row (fixKk).
func StatementRows(st *Statement) [][]string {
	var rows [][]string
	for _, c := range st.Categories {
		els := strings.Join(c.Category.Elements, "+")
		for _, l := range c.Lines {
			share := ""
			if st.Method == critmin.MassBalanceRollingAverage && !l.NoWindowInput {
				// Blank when the window holds no input: 0/0 is no share.
				share = Figure(l.Percent)
			}
			reason := ""
			if l.CarriedDeficit > 0 {
				// The deficit carried forward from claims of earlier
				// periods, which are rows of their own statements only
				// (fix9ah): said on the line.
				for _, n := range l.Notes {
					if strings.HasPrefix(n, "deficit ") {
						reason = n
					}
				}
			}
			rows = append(rows, []string{st.Site, st.Period.ID, c.Category.ID, els, Figure(c.ConversionFactor), l.Country,
				Figure(l.Opening), Figure(l.Credits), Figure(l.Claims), Figure(l.Expired), Figure(l.ExpiresAtPeriodEnd), Figure(l.Closing), share, "balance", "", "", "", "", reason, "", ""})
		}
		tl := c.Total
		rows = append(rows, []string{st.Site, st.Period.ID, c.Category.ID, els, Figure(c.ConversionFactor), "all",
			Figure(tl.Opening), Figure(tl.Credits), Figure(tl.Claims), Figure(tl.Expired), Figure(tl.ExpiresAtPeriodEnd), Figure(tl.Closing), "", "balance", "", "", "", "", totalReason(tl), "", ""})
	}
	for _, r := range st.Refused {
		els, factor := "", ""
		for _, c := range st.Categories {
			if c.Category.ID == r.Category && r.Category != "" {
				els, factor = strings.Join(c.Category.Elements, "+"), Figure(c.ConversionFactor)
			}
		}
		rows = append(rows, []string{st.Site, st.Period.ID, r.Category, els, factor, r.Country,
			"", "", "", "", "", "", "", rowStatus(r), r.Lot, r.Event, Figure(r.Claimed), Figure(r.Shortfall), r.Error, strings.Join(r.Reasons, "; "), ""})
	}
	// Credits outside any declared claim period (fixKk): status
	// "outside_any_period", the credit it would earn in credits_t, the
	// other balance columns blank — it is in no balance row — and the
	// span as the reason.
	for _, o := range st.Outside {
		els, factor := "", Figure(o.Factor)
		for _, c := range st.Categories {
			if c.Category.ID == o.Category {
				els = strings.Join(c.Category.Elements, "+")
			}
		}
		rows = append(rows, []string{st.Site, st.Period.ID, o.Category, els, factor, o.Country,
			"", Figure(o.Tonnes), "", "", "", "", "", StatusOutsideAnyPeriod, o.Lot, o.Event, "", "", "outside any declared claim period: " + o.SpanText() + "; in no balance row", "", ""})
	}
	return append(rows, restatedRows(st)...)
}

// StatusOutsideAnyPeriod is the status of a statement row that gives a
// credit outside any declared claim period (OutsideCredit; fixKk).
const StatusOutsideAnyPeriod = "outside_any_period"

// restatedRows are a restated period's as_at_close rows (StatementRows):
// each restated line and category total as at close, in the
// restatement's table order.
func restatedRows(st *Statement) [][]string {
	r := st.Restated
	if r == nil {
		return nil
	}
	var by []string
	for _, b := range r.By {
		by = append(by, b.Event)
	}
	var rows [][]string
	for _, l := range r.Table() {
		els, factor := "", ""
		for _, c := range st.Categories {
			if c.Category.ID == l.Category {
				els, factor = strings.Join(c.Category.Elements, "+"), Figure(c.ConversionFactor)
			}
		}
		origin := l.Country
		if l.Total() {
			origin = "all"
		}
		a := l.AtClose
		rows = append(rows, []string{st.Site, st.Period.ID, l.Category, els, factor, origin,
			Figure(a.Opening), Figure(a.Credits), Figure(a.Claims), Figure(a.Expired), "", Figure(a.Closing), "", StatusAsAtClose, "", "", "", "",
			"restated after the close of " + r.AtClose.UTC().Format(time.DateOnly) + ": " + l.Words(), "", strings.Join(by, "|")})
	}
	return rows
}

// rowStatus is a claim row's status: "not_covered" for a claim accepted
// at capture and booked (RefusedClaim.Booked), else "refused" (fix9h).
func rowStatus(r RefusedClaim) string {
	if r.Status != "" {
		return r.Status
	}
	if r.Booked {
		return ClaimNotCovered
	}
	return ClaimRefused
}

// totalReason is the reason column of a category's total row: its
// origins' deficits, which its closing nets and this never does, as
// "deficit 0.26 t: PAK in deficit by 0.26 t, …"; "" when none (fix9h).
func totalReason(tl BalanceLine) string {
	if tl.Deficit <= 0 {
		return ""
	}
	return "deficit " + Figure(tl.Deficit) + " t: " + strings.Join(tl.Notes, "; ")
}
