package custody

// RestatedChanged exposes restatedChanged to the black-box tests: what
// verify-cert reports when an issued certificate's statement differs from
// today's record.
var RestatedChanged = restatedChanged

// InputMass exposes inputMass: the dry tonnes a run's input line took.
var InputMass = inputMass
