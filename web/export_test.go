package web

// SetTradeLotChoices sets how many lots the NSR form lists by name
// (tradeLotChoices) and returns the function that restores it.
func SetTradeLotChoices(n int) (restore func()) {
	old := tradeLotChoices
	tradeLotChoices = n
	return func() { tradeLotChoices = old }
}
