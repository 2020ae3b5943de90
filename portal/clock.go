package portal

import "time"

// Now returns the portal's current time as it stores times: Config.Now, in
// UTC, at microsecond precision. Adapters use it to show states that follow
// from the time, such as an invitation's expiry, by the same clock the use
// cases decide by.
func (p *Portal) Now() time.Time {
	return p.timestamp()
}
