package statuspage

// What the external tests read of the package's insides.
var (
	APIMessage = apiMessage
	RetryAfter = retryAfter
	MarkerOf   = markerOf
)

// The limits and waits the tests check.
const (
	MaxName     = maxName
	MaxBody     = maxBody
	DefaultWait = defaultWait
)
