package refinery

import "github.com/critmin/critmin"

// TwoProduct returns the mass yield (concentrate mass / feed mass) and the
// recovery (element in concentrate / element in feed) of a separation of
// a feed of grade f into a concentrate of grade c and a tailing of grade
// t, all in the same unit (%), from the two-product formula (Wills &
// Finch, "Wills' Mineral Processing Technology", 8th ed., 2016, §1.7):
//
//	yield = (f − t)/(c − t),   recovery = c(f − t)/(f(c − t)).
//
// Both are fractions. It fails with critmin.EINVALID unless c > f > t ≥ 0.
func TwoProduct(f, c, t float64) (yield, recovery float64, err error) {
	if !(c > f && f > t && t >= 0) {
		return 0, 0, critmin.Errorf(critmin.EINVALID, "two-product formula needs concentrate > feed > tailing ≥ 0, got c = %s, f = %s, t = %s", Fig(c), Fig(f), Fig(t))
	}
	yield = (f - t) / (c - t)
	return yield, c * yield / f, nil
}
