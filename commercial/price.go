package commercial

import (
	"errors"
	"fmt"
	"io"
	"sort"
	"strings"
	"time"

	"github.com/critmin/critmin"
	"github.com/shopspring/decimal"
)

// Price-series frequencies: daily exchange prices (published every
// weekday, a missing weekday must be declared a non-publication day) and
// irregular agency assessments (weekly, fortnightly or ad hoc).
const (
	Daily     = "daily"
	Irregular = "irregular"
)

// PriceSeries is one imported price series: where it comes from, its unit
// ("USD/t", "USc/lb", …, whose currency is ISO 4217) and its points by day.
type PriceSeries struct {
	ID           string       `json:"id"`
	Name         string       `json:"name,omitempty"`
	Source       string       `json:"source"`
	Unit         string       `json:"unit"`
	Currency     string       `json:"currency"`
	Frequency    string       `json:"frequency"`
	Illustrative bool         `json:"illustrative,omitempty"`
	Points       []PricePoint `json:"points"`
	// Corrections are days imported into a quotational period already
	// closed by an issued final invoice, with the import time and the
	// invoices they close (ImportPriceCorrections); views of those lots
	// name them when the current figures differ from the issued ones.
	Corrections []PriceCorrection `json:"corrections,omitempty"`

	// given names the metadata an import stated (a CSV column on its
	// rows, or a default), so that a merge into a stored series can tell
	// a value to check from one to inherit (mergeSeries); line is the
	// CSV line of the series' first row.
	given map[string]bool
	line  int
	// lines maps each day an import read to its CSV line (UnitSlips).
	lines map[string]int
}

// PriceCorrection is a price day imported after a final invoice whose
// quotational period contains it was issued, or a published day revised
// by a correction import.
type PriceCorrection struct {
	Date       string    `json:"date"`
	ImportedAt time.Time `json:"imported_at"`
	Invoices   []string  `json:"invoices"`
	// Revised marks the revision of a day the series already held (a
	// correction import, ImportPriceCorrections): Old is its value
	// before, New its value now (null: not published).
	Revised bool             `json:"revised,omitempty"`
	Old     *decimal.Decimal `json:"old_value,omitempty"`
	New     *decimal.Decimal `json:"new_value,omitempty"`
	// Series names the series on an invoice's flag (set when served).
	Series string `json:"series,omitempty"`
}

// PricePoint is the price of one day. Published false marks a day the
// source did not publish (an exchange holiday), so that a daily series
// proves it is complete over a quotational period.
type PricePoint struct {
	Date      string          `json:"date"`
	Value     decimal.Decimal `json:"value"`
	Published bool            `json:"published"`
}

// ImportPriceCSV reads price series from CSV with a header row. Columns:
// series, date (YYYY-MM-DD) and value are required; unit, currency,
// source, frequency, name and illustrative are optional and, where
// given, must be the same on every row of a series. An empty value marks
// a non-publication day. Defaults fill metadata the file does not give.
// Every row is checked: the error (EINVALID) lists every fault at once,
// each named "line N/column" (line 1 is the header), and no series is
// returned from a file with any fault — a caller stores nothing. It has
// no clock: Service.ImportPrices also refuses days after the import day.
func ImportPriceCSV(r io.Reader, defaults PriceSeries) ([]*PriceSeries, error) {
	in, errs, err := parsePriceCSV(r, defaults, "")
	if err != nil {
		return nil, err
	}
	for _, s := range in {
		errs = append(errs, s.metaFaults()...)
	}
	if len(errs) > 0 {
		return nil, fieldErrors(byLine(errs))
	}
	return in, nil
}

// byLine orders a file's faults by line (header and metadata faults,
// named at a series' first row, among the row faults), keeping the order
// of faults on one line.
func byLine(errs []critmin.FieldError) []critmin.FieldError {
	lineOf := func(ptr string) int {
		n := 0
		fmt.Sscanf(ptr, "line %d", &n)
		return n
	}
	sort.SliceStable(errs, func(i, j int) bool { return lineOf(errs[i].Pointer) < lineOf(errs[j].Pointer) })
	return errs
}

// metaFaults checks a series' metadata once its rows are read; each fault
// is named at the series' first row ("line N/column").
func (s *PriceSeries) metaFaults() []critmin.FieldError {
	err := s.validateMeta()
	if err == nil {
		return nil
	}
	var out []critmin.FieldError
	for _, f := range critmin.ErrorFields(err) {
		col := f.Pointer[strings.LastIndex(f.Pointer, "/")+1:]
		out = append(out, critmin.FieldError{Pointer: fmt.Sprintf("line %d/%s", s.line, col), Reason: fmt.Sprintf("series %s: %s", s.ID, f.Reason)})
	}
	return out
}

// parsePriceCSV is ImportPriceCSV without the metadata check: metadata a
// file omits may come from the stored series (importPrices). It returns
// the series read with the faults of their rows, so that the caller
// reports them together with the metadata faults (every fault of a file
// at once); err is a file with no usable header or no rows. A non-empty
// importDay (YYYY-MM-DD) refuses any row dated after it, named "line
// N/date": a price is imported once published, and a day not yet come
// would price a quotational period with a figure nobody has published.
func parsePriceCSV(r io.Reader, defaults PriceSeries, importDay string) ([]*PriceSeries, []critmin.FieldError, error) {
	cr := critmin.NewCSVReader(r)
	cr.FieldsPerRecord = -1
	header, err := cr.Read()
	if err != nil {
		return nil, nil, fieldErrorf("line 1", "price CSV needs a header row: %v", err)
	}
	col := map[string]int{}
	for i, h := range header {
		col[strings.ToLower(strings.TrimSpace(h))] = i
	}
	var errs []critmin.FieldError
	fail := func(ptr, format string, args ...any) {
		errs = append(errs, critmin.FieldError{Pointer: ptr, Reason: fmt.Sprintf(format, args...)})
	}
	for _, need := range []string{"date", "value"} {
		if _, ok := col[need]; !ok {
			fail("line 1/"+need, "price CSV has no %q column", need)
		}
	}
	if _, ok := col["series"]; !ok && defaults.ID == "" {
		fail("line 1/series", "price CSV has no \"series\" column and no series id was given")
	}
	if len(errs) > 0 {
		return nil, nil, fieldErrors(errs)
	}
	byID := map[string]*PriceSeries{}
	firstLine := map[string]int{} // series → line of its first row
	dayLine := map[string]int{}   // series + date → line that gave it
	var order []string
	line := 1
	for {
		rec, err := cr.Read()
		line++
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			fail(fmt.Sprintf("line %d", line), "%v", err)
			if len(errs) >= maxCSVErrors {
				break
			}
			continue
		}
		get := func(name string) string {
			if i, ok := col[name]; ok && i < len(rec) {
				return strings.TrimSpace(rec[i])
			}
			return ""
		}
		at := func(c string) string { return fmt.Sprintf("line %d/%s", line, c) }
		id := get("series")
		if id == "" {
			id = defaults.ID
		}
		if id == "" {
			fail(at("series"), "empty series id")
			continue
		}
		s := byID[id]
		if s == nil {
			s = &PriceSeries{ID: id, Name: defaults.Name, Source: defaults.Source, Unit: defaults.Unit, Currency: defaults.Currency, Frequency: defaults.Frequency, Illustrative: defaults.Illustrative, given: map[string]bool{}, line: line}
			for name, v := range map[string]string{"name": defaults.Name, "source": defaults.Source, "unit": defaults.Unit, "currency": defaults.Currency, "frequency": defaults.Frequency} {
				s.given[name] = v != ""
			}
			s.given["illustrative"] = defaults.Illustrative
			byID[id] = s
			firstLine[id] = line
			order = append(order, id)
		}
		for _, m := range []struct {
			name string
			dst  *string
		}{{"name", &s.Name}, {"source", &s.Source}, {"unit", &s.Unit}, {"currency", &s.Currency}, {"frequency", &s.Frequency}} {
			v := get(m.name)
			if v == "" {
				continue
			}
			if *m.dst != "" && *m.dst != v && firstLine[id] != line {
				fail(at(m.name), "series %s has %s %q, this row says %q", id, m.name, *m.dst, v)
				continue
			}
			*m.dst = v
			s.given[m.name] = true
		}
		switch v := strings.ToLower(get("illustrative")); v {
		case "":
		case "true", "yes", "1", "false", "no", "0":
			b := v == "true" || v == "yes" || v == "1"
			if s.given["illustrative"] && s.Illustrative != b {
				fail(at("illustrative"), "series %s is illustrative %t on an earlier row (or by default), this row says %q", id, s.Illustrative, v)
				break
			}
			s.Illustrative, s.given["illustrative"] = b, true
		default:
			fail(at("illustrative"), "%q is not true or false", get("illustrative"))
		}
		d, err := time.Parse(time.DateOnly, get("date"))
		if err != nil {
			fail(at("date"), "%q is not a date (YYYY-MM-DD)", get("date"))
		} else if prev, ok := dayLine[id+"\x00"+get("date")]; ok {
			// Named once, at this row; the row is not kept, so the
			// series check below does not report the day again.
			fail(at("date"), "series %s already has %s on line %d", id, get("date"), prev)
			continue
		} else {
			dayLine[id+"\x00"+get("date")] = line
			if s.lines == nil {
				s.lines = map[string]int{}
			}
			s.lines[d.Format(time.DateOnly)] = line
		}
		p := PricePoint{Date: d.Format(time.DateOnly)}
		if v := rawValue(rec, col["value"]); v != "" {
			if p.Value, err = parsePlainDecimal(v); err != nil {
				fail(at("value"), "%s", err)
			} else if err := checkPrice(p.Value); err != nil {
				fail(at("value"), "%s", err)
			}
			p.Published = true
		}
		if importDay != "" && !d.IsZero() && p.Date > importDay {
			fail(at("date"), "%s is after the import day %s (the server's clock, UTC): a price is imported once it is published", p.Date, importDay)
		}
		if !d.IsZero() && s.Frequency == Daily && !businessDay(d) {
			fail(at("date"), "%s is a %s; a daily series is published on weekdays (Monday to Friday) only", p.Date, d.Weekday())
		}
		s.Points = append(s.Points, p)
		if len(errs) >= maxCSVErrors {
			break
		}
	}
	out := make([]*PriceSeries, 0, len(order))
	for _, id := range order {
		out = append(out, byID[id])
	}
	if len(out) == 0 && len(errs) == 0 {
		return nil, nil, fieldErrorf("line 2", "price CSV has no rows")
	}
	return out, errs, nil
}

// rawValue is the CSV field at i as written (an empty field, or only
// spaces, is a day without publication; otherwise the field is the number
// exactly, space around it dropped: parsePlainDecimal).
func rawValue(rec []string, i int) string {
	if i >= len(rec) || strings.TrimSpace(rec[i]) == "" {
		return ""
	}
	return rec[i]
}

// parsePlainDecimal is the one parser of the amounts of money people type
// into critmin (a price in a CSV, a payment's amount): digits with an
// optional point and fraction, as written, with no exponent (1e3), sign or
// thousands separator. Space around it is dropped, as around every number
// critmin reads (critmin.NumberText); otherwise a number is read as it is
// written, or refused.
func parsePlainDecimal(raw string) (decimal.Decimal, error) {
	v := strings.TrimSpace(raw)
	if !plainDecimal.MatchString(v) {
		shown := raw
		if len(shown) > 24 {
			shown = shown[:21] + "…"
		}
		return zero, fmt.Errorf("%q is not a plain decimal number (digits with an optional point, such as 1000.00; no exponent, sign, separators or spaces inside)", shown)
	}
	return decimal.NewFromString(v)
}

// maxCSVErrors bounds the faults one import reports.
const maxCSVErrors = 100

// fieldErrors is one EINVALID error listing every fault, the first as
// its message.
func fieldErrors(errs []critmin.FieldError) error {
	msg := errs[0].Pointer + ": " + errs[0].Reason
	if len(errs) > 1 {
		msg += fmt.Sprintf(" (and %d more)", len(errs)-1)
	}
	return &critmin.Error{Code: critmin.EINVALID, Message: msg, Fields: errs}
}

// Validate checks a series' metadata and sorts its points by date,
// refusing a day given twice.
func (s *PriceSeries) Validate() error {
	if err := s.validateMeta(); err != nil {
		return err
	}
	return s.checkPoints()
}

// checkPoints checks each point: a published price in range (checkPrice),
// a date, a weekday for a daily series (businessDay).
func (s *PriceSeries) checkPoints() error {
	at := "series " + s.ID
	for _, p := range s.Points {
		if p.Published {
			if err := checkPrice(p.Value); err != nil {
				return fieldErrorf(at+"/value", "%s: %s", p.Date, err)
			}
		}
		if d, err := time.Parse(time.DateOnly, p.Date); err != nil {
			return fieldErrorf(at+"/date", "%q is not a date (YYYY-MM-DD)", p.Date)
		} else if s.Frequency == Daily && !businessDay(d) {
			return fieldErrorf(at+"/date", "%s is a %s; a daily series is published on weekdays (Monday to Friday) only", p.Date, d.Weekday())
		}
	}
	return nil
}

// validateMeta checks a series' metadata and sorts its points by date,
// refusing a day given twice.
func (s *PriceSeries) validateMeta() error {
	at := "series " + s.ID
	// Every metadata fault at once (source, unit, currency, frequency).
	var fe []critmin.FieldError
	if s.Source == "" {
		fe = append(fe, critmin.FieldError{Pointer: at + "/source", Reason: "a price series needs its source"})
	}
	u, err := ParsePriceUnit(s.Unit, at+"/unit")
	if err != nil {
		if fs := critmin.ErrorFields(err); len(fs) > 0 {
			fe = append(fe, fs...)
		} else {
			fe = append(fe, critmin.FieldError{Pointer: at + "/unit", Reason: critmin.ErrorMessage(err)})
		}
	} else if s.Currency == "" {
		s.Currency = u.Currency
	} else if s.Currency != u.Currency {
		fe = append(fe, critmin.FieldError{Pointer: at + "/currency", Reason: fmt.Sprintf("currency %s does not match the unit %s", s.Currency, s.Unit)})
	}
	if s.Frequency != Daily && s.Frequency != Irregular {
		fe = append(fe, critmin.FieldError{Pointer: at + "/frequency", Reason: fmt.Sprintf("%q is not daily or irregular", s.Frequency)})
	}
	if len(fe) > 0 {
		return fieldErrors(fe)
	}
	sort.SliceStable(s.Points, func(i, j int) bool { return s.Points[i].Date < s.Points[j].Date })
	for i := 1; i < len(s.Points); i++ {
		if s.Points[i].Date == s.Points[i-1].Date {
			return fieldErrorf(at+"/date", "%s is given twice", s.Points[i].Date)
		}
	}
	return nil
}

// PriceFact is a price the settlement used, with how it was obtained.
type PriceFact struct {
	Element string          `json:"element"`
	Series  string          `json:"series,omitempty"`
	Unit    string          `json:"unit"`
	Price   decimal.Decimal `json:"price"`
	// Exact is the price the lines were computed with, unrounded (Price
	// is it to six places), so that VerifyInvoice re-derives them exactly.
	Exact   decimal.Decimal `json:"exact_price"`
	From    string          `json:"from,omitempty"`
	To      string          `json:"to,omitempty"`
	Days    int             `json:"days,omitempty"`
	Formula string          `json:"formula"`
	// Bound says how a floor or cap set the price ("max(72.55, floor
	// 110) = 110 USD/kg (the floor applies)"); empty when neither did.
	Bound string `json:"bound,omitempty"`
	// steps writes how the price was reached from the quoted one when a
	// share, floor or cap stepped in ("60 % × 5000 = 3000",
	// "max(72.27, floor 80) = 80"); empty when the price is the quote.
	steps string
}

// Average returns the mean of the prices published in [from, to] (dates,
// inclusive): over published days only. A daily series must account for
// every weekday of the period (a price or a declared non-publication day);
// an irregular series must have an assessment in the period and one on or
// after its end (so the period is known to be over). pointer names the
// contract field the period comes from.
func (s *PriceSeries) Average(from, to time.Time, pointer string) (decimal.Decimal, int, error) {
	f, t := from.Format(time.DateOnly), to.Format(time.DateOnly)
	byDate := make(map[string]PricePoint, len(s.Points))
	sum, n := zero, 0
	last := ""
	for _, p := range s.Points {
		byDate[p.Date] = p
		last = p.Date
		if p.Date >= f && p.Date <= t && p.Published {
			sum = sum.Add(p.Value)
			n++
		}
	}
	switch s.Frequency {
	case Daily:
		var missing []string
		for d := from; !d.After(to); d = d.AddDate(0, 0, 1) {
			if d.Weekday() == time.Saturday || d.Weekday() == time.Sunday {
				continue
			}
			if _, ok := byDate[d.Format(time.DateOnly)]; !ok {
				missing = append(missing, d.Format(time.DateOnly))
			}
		}
		if len(missing) > 0 {
			more := ""
			if len(missing) > 5 {
				more = fmt.Sprintf(" and %d more", len(missing)-5)
				missing = missing[:5]
			}
			return zero, 0, fieldErrorf(pointer, "price series %s has no price for %s%s, which the quotational period %s…%s needs", s.ID, strings.Join(missing, ", "), more, f, t)
		}
	default:
		if last < t {
			return zero, 0, fieldErrorf(pointer, "price series %s ends %s, before the quotational period %s…%s is over", s.ID, last, f, t)
		}
		if missing := s.missingAssessments(from, to); len(missing) > 0 {
			return zero, 0, fieldErrorf(pointer, "price series %s (assessed every %s) has no assessment for %s, which the quotational period %s…%s needs (a week the source did not assess is imported with an empty value)", s.ID, Count(s.cadence(), "day"), strings.Join(missing, ", "), f, t)
		}
	}
	if n == 0 {
		return zero, 0, fieldErrorf(pointer, "price series %s published no price in the quotational period %s…%s", s.ID, f, t)
	}
	return sum.Div(decimal.NewFromInt(int64(n))), n, nil
}

// cadence is an irregular series' assessment interval in days: the most
// frequent gap between consecutive stored days (published or declared
// not published), the shortest on a tie; 0 when no gap occurs twice (ad
// hoc assessments, or too few to tell).
func (s *PriceSeries) cadence() int {
	count := map[int]int{}
	var prev time.Time
	for i, p := range s.Points {
		d, err := time.Parse(time.DateOnly, p.Date)
		if err != nil {
			continue
		}
		if i > 0 && d.After(prev) {
			count[int(d.Sub(prev).Hours()/24)]++
		}
		prev = d
	}
	best, n := 0, 1
	for gap, c := range count {
		if c > n || (c == n && n > 1 && gap < best) {
			best, n = gap, c
		}
	}
	return best
}

// missingAssessments lists the days in [from, to] on which an irregular
// series with a cadence (cadence) was due to publish and holds nothing:
// between consecutive stored days a and b more than 1.5 cadences apart
// (an assessment moved by up to half an interval, around a holiday, is
// not missing), the days a + k × cadence before b; and before the
// series' first stored day f, the days f − k × cadence in the period.
func (s *PriceSeries) missingAssessments(from, to time.Time) []string {
	c := s.cadence()
	if c == 0 {
		return nil
	}
	var missing []string
	var prev time.Time
	for i, p := range s.Points {
		d, err := time.Parse(time.DateOnly, p.Date)
		if err != nil {
			continue
		}
		if i == 0 {
			// A series that starts inside the period lacks the
			// assessments due before its first day.
			var before []string
			for e := d.AddDate(0, 0, -c); !e.Before(from); e = e.AddDate(0, 0, -c) {
				if !e.After(to) {
					before = append([]string{e.Format(time.DateOnly)}, before...)
				}
			}
			missing = append(missing, before...)
		}
		if i > 0 && d.Sub(prev).Hours()/24 > float64(c)*1.5 {
			for e := prev.AddDate(0, 0, c); e.Before(d); e = e.AddDate(0, 0, c) {
				if !e.Before(from) && !e.After(to) && d.Sub(e).Hours()/24 >= float64(c)/2 {
					missing = append(missing, e.Format(time.DateOnly))
				}
			}
		}
		prev = d
	}
	return missing
}

// LastPublished returns the latest price published on or before day.
func (s *PriceSeries) LastPublished(day time.Time, pointer string) (PricePoint, error) {
	d := day.Format(time.DateOnly)
	for i := len(s.Points) - 1; i >= 0; i-- {
		if p := s.Points[i]; p.Published && p.Date <= d {
			return p, nil
		}
	}
	return PricePoint{}, fieldErrorf(pointer, "price series %s has no price on or before %s", s.ID, d)
}

// StaleBusinessDays is how old (in weekdays) a daily series' last price
// may be and still stand for a day's price: a week of an exchange's
// calendar (5 weekdays; an exchange's longest holiday runs are shorter).
// An irregular series' limit is twice its cadence, at least
// StaleIrregularDays calendar days (one missed weekly assessment).
const (
	StaleBusinessDays  = 5
	StaleIrregularDays = 14
)

// staleLimit says, in words, how old a price of the series may be.
func (s *PriceSeries) staleLimit() string {
	if s.Frequency == Daily {
		return fmt.Sprintf("%d weekdays for a daily series", StaleBusinessDays)
	}
	return Count(s.staleDays(), "day") + " for this irregular series"
}

func (s *PriceSeries) staleDays() int {
	return max(StaleIrregularDays, 2*s.cadence())
}

// Fresh is nil when a price published on p.Date may still stand for
// day's price (StaleBusinessDays, StaleIrregularDays), else an EINVALID
// error at pointer naming the price, its age and the limit.
func (s *PriceSeries) Fresh(p PricePoint, day time.Time, pointer string) error {
	pd, err := time.Parse(time.DateOnly, p.Date)
	if err != nil {
		return fieldErrorf(pointer, "price series %s: %q is not a date", s.ID, p.Date)
	}
	stale := false
	if s.Frequency == Daily {
		n := 0
		for d := pd.AddDate(0, 0, 1); !d.After(day); d = d.AddDate(0, 0, 1) {
			if businessDay(d) {
				n++
			}
		}
		stale = n > StaleBusinessDays
	} else {
		stale = day.Sub(pd).Hours()/24 > float64(s.staleDays())
	}
	if stale {
		return fieldErrorf(pointer, "price series %s's last price on or before %s is %s on %s, older than the %s: import the prices since (docs/trade.md, \"Stale prices\")", s.ID, day.Format(time.DateOnly), p.Value, p.Date, s.staleLimit())
	}
	return nil
}

// LastFresh is LastPublished refused when the price is stale (Fresh).
func (s *PriceSeries) LastFresh(day time.Time, pointer string) (PricePoint, error) {
	p, err := s.LastPublished(day, pointer)
	if err != nil {
		return p, err
	}
	return p, s.Fresh(p, day, pointer)
}

// monthSpan returns the first and last day of the calendar month offset
// months from t's month.
func monthSpan(t time.Time, offset int) (time.Time, time.Time) {
	first := time.Date(t.Year(), t.Month(), 1, 0, 0, 0, 0, time.UTC).AddDate(0, offset, 0)
	return first, first.AddDate(0, 1, -1)
}

// MaxPrice is the largest price critmin accepts, in any price unit: 10^9
// (a billion dollars a tonne is beyond any traded mineral; 1e400 is a
// typing error, not a price).
var MaxPrice = decimal.New(1, 9)

// checkPrice: a published price is positive and at most MaxPrice, with at
// most 6 decimal places (price-reporting agencies publish to cents or
// less). A day without a publication has an empty value, not zero.
func checkPrice(v decimal.Decimal) error {
	switch {
	case !v.IsPositive():
		return fmt.Errorf("%s is not a positive price (leave the value empty for a day without publication)", shortNum(v))
	case v.GreaterThan(MaxPrice):
		return fmt.Errorf("%s is over the largest price accepted, %s", shortNum(v), MaxPrice)
	case v.Exponent() < -6 && !v.Equal(v.Round(6)):
		return fmt.Errorf("%s has more than 6 decimal places", shortNum(v))
	}
	return nil
}

// shortNum writes a number for an error message: as it is up to 24
// characters, else in scientific notation with 6 significant digits
// (1e400 is "1e+400", not 401 digits).
func shortNum(v decimal.Decimal) string {
	if s := v.String(); len(s) <= 24 {
		return s
	}
	c := v.Coefficient()
	neg := c.Sign() < 0
	digits := c.Abs(c).String()
	exp := int(v.Exponent()) + len(digits) - 1
	m := digits[:1]
	if rest := strings.TrimRight(digits[1:min(len(digits), 6)], "0"); rest != "" {
		m += "." + rest
	}
	if neg {
		m = "-" + m
	}
	return fmt.Sprintf("%se%+d", m, exp)
}

// businessDay is the calendar of daily series: Monday to Friday. Exchange
// holidays are days of the series without a published value (an empty
// value), which averages skip (Average).
func businessDay(d time.Time) bool {
	return d.Weekday() != time.Saturday && d.Weekday() != time.Sunday
}

// Text is the price as a line's formula writes it: with its steps (a
// share of the reference price, a floor or cap that set it) so that no
// step applies silently — "price max(72.27, floor 80) = 80 USD/kg (the
// floor applies)", "price 60 % × 5000 = 3000 USD/t" — else the price and
// unit.
func (pf PriceFact) Text() string {
	if pf.steps == "" {
		return pf.Price.String() + " " + pf.Unit
	}
	t := "price " + pf.steps + " " + pf.Unit
	switch {
	case strings.HasPrefix(pf.Bound, "max("):
		t += " (the floor applies)"
	case strings.HasPrefix(pf.Bound, "min("):
		t += " (the cap applies)"
	}
	return t
}

// Short is Text without the unit, for a product (a basket's share ×
// price): "max(72.27, floor 80) = 80".
func (pf PriceFact) Short() string {
	if pf.steps == "" {
		return pf.Price.Round(4).String()
	}
	return pf.steps
}
