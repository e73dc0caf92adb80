package sampleweb

import (
	"fmt"
	"strconv"
	"strings"
	"time"
)

// Faults switches the realism faults of the sample web. The zero value means no faults. Every
// random choice is seeded by the world's seed and the request URL, so a run is reproducible.
type Faults struct {
	ServerErrorRate float64       // share of requests answered 500/502/503
	SlowRate        float64       // share of requests answered after SlowDelay
	SlowDelay       time.Duration // delay of a slow answer; 0 means 2s
	DropRate        float64       // share of requests whose connection is closed without an answer
	RateLimit       float64       // requests/s above which the server answers 429 + Retry-After; 0 = off
	Malformed       bool          // some HTML pages lose closing tags and gain unclosed ones
	Hostile         bool          // some entity names are hostile strings (script tags, quotes, SQL)
	Shift           bool          // list pages shift while being paged, so an item appears on two pages
	// Latency delays every answer, as a distant real site does (benchmarks of politeness).
	Latency time.Duration
}

// Fault spec keys, typed once: ParseFaults and Faults.String share them.
const (
	faultServerError = "5xx"
	faultSlow        = "slow"
	faultSlowDelay   = "slowdelay"
	faultDrop        = "drop"
	faultRateLimit   = "ratelimit"
	faultMalformed   = "malformed"
	faultHostile     = "hostile"
	faultShift       = "shift"
	faultLatency     = "latency"
)

// ParseFaults parses a comma-separated fault spec such as
// "5xx=0.05,slow=0.01,slowdelay=500ms,drop=0.01,ratelimit=200,malformed,hostile,shift".
// The empty spec means no faults. "all" switches on every fault at moderate rates.
func ParseFaults(spec string) (Faults, error) {
	var f Faults
	spec = strings.TrimSpace(spec)
	if spec == "" || spec == "none" {
		return f, nil
	}
	for _, item := range strings.Split(spec, ",") {
		item = strings.TrimSpace(item)
		if item == "" {
			continue
		}
		key, val, hasVal := strings.Cut(item, "=")
		key = strings.ToLower(strings.TrimSpace(key))
		val = strings.TrimSpace(val)
		rate := func() (float64, error) {
			if !hasVal {
				return 0, fmt.Errorf("parsing fault %q: want %s=RATE", item, key)
			}
			x, err := strconv.ParseFloat(val, 64)
			if err != nil {
				return 0, fmt.Errorf("parsing fault %q: %w", item, err)
			}
			if x < 0 || x > 1 {
				return 0, fmt.Errorf("parsing fault %q: rate must be in [0, 1], got %v", item, x)
			}
			return x, nil
		}
		flag := func() (bool, error) {
			if !hasVal {
				return true, nil
			}
			b, err := strconv.ParseBool(val)
			if err != nil {
				return false, fmt.Errorf("parsing fault %q: %w", item, err)
			}
			return b, nil
		}
		var err error
		switch key {
		case faultServerError:
			f.ServerErrorRate, err = rate()
		case faultSlow:
			f.SlowRate, err = rate()
		case faultSlowDelay:
			if !hasVal {
				return Faults{}, fmt.Errorf("parsing fault %q: want slowdelay=DURATION", item)
			}
			f.SlowDelay, err = time.ParseDuration(val)
			if err == nil && f.SlowDelay < 0 {
				err = fmt.Errorf("parsing fault %q: negative delay", item)
			}
		case faultDrop:
			f.DropRate, err = rate()
		case faultRateLimit:
			if !hasVal {
				return Faults{}, fmt.Errorf("parsing fault %q: want ratelimit=REQUESTS_PER_SECOND", item)
			}
			f.RateLimit, err = strconv.ParseFloat(val, 64)
			if err == nil && f.RateLimit < 0 {
				err = fmt.Errorf("parsing fault %q: negative rate limit", item)
			}
		case faultMalformed:
			f.Malformed, err = flag()
		case faultHostile:
			f.Hostile, err = flag()
		case faultShift:
			f.Shift, err = flag()
		case faultLatency:
			if !hasVal {
				return Faults{}, fmt.Errorf("parsing fault %q: want latency=DURATION", item)
			}
			f.Latency, err = time.ParseDuration(val)
		case "all":
			f = Faults{ServerErrorRate: 0.05, SlowRate: 0.01, SlowDelay: 500 * time.Millisecond, DropRate: 0.01,
				RateLimit: 200, Malformed: true, Hostile: true, Shift: true}
		default:
			return Faults{}, fmt.Errorf("parsing faults: unknown fault %q (known: 5xx, slow, slowdelay, drop, ratelimit, malformed, hostile, shift, latency, all)", key)
		}
		if err != nil {
			return Faults{}, err
		}
	}
	return f, nil
}

// String formats f as a spec that ParseFaults accepts.
func (f Faults) String() string {
	var parts []string
	num := func(k string, v float64) {
		if v != 0 {
			parts = append(parts, k+"="+strconv.FormatFloat(v, 'g', -1, 64))
		}
	}
	num(faultServerError, f.ServerErrorRate)
	num(faultSlow, f.SlowRate)
	if f.SlowDelay != 0 {
		parts = append(parts, faultSlowDelay+"="+f.SlowDelay.String())
	}
	num(faultDrop, f.DropRate)
	num(faultRateLimit, f.RateLimit)
	if f.Latency != 0 {
		parts = append(parts, faultLatency+"="+f.Latency.String())
	}
	for _, b := range []struct {
		k  string
		on bool
	}{{faultMalformed, f.Malformed}, {faultHostile, f.Hostile}, {faultShift, f.Shift}} {
		if b.on {
			parts = append(parts, b.k)
		}
	}
	return strings.Join(parts, ",")
}

func (f Faults) slowDelay() time.Duration {
	if f.SlowDelay == 0 {
		return 2 * time.Second
	}
	return f.SlowDelay
}
