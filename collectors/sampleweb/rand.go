package sampleweb

import (
	"hash/fnv"
	"math"
	"math/rand/v2"
)

// stream returns the random source for one named part of the world. Every generator draws from its
// own stream so that adding or changing one site never perturbs the entities of another.
func stream(seed int64, name string, extra ...int) *rand.Rand {
	h := fnv.New64a()
	h.Write([]byte(name))
	for _, e := range extra {
		var b [8]byte
		for i := range b {
			b[i] = byte(uint64(e) >> (8 * i))
		}
		h.Write(b[:])
	}
	return rand.New(rand.NewPCG(uint64(seed), h.Sum64()))
}

// hash64 mixes a seed and strings into one value; used for per-request fault decisions.
func hash64(seed int64, parts ...string) uint64 {
	h := fnv.New64a()
	var b [8]byte
	for i := range b {
		b[i] = byte(uint64(seed) >> (8 * i))
	}
	h.Write(b[:])
	for _, p := range parts {
		h.Write([]byte(p))
		h.Write([]byte{0})
	}
	x := h.Sum64()
	// splitmix finaliser: fnv alone is poorly distributed in its high bits for short inputs.
	x ^= x >> 30
	x *= 0xbf58476d1ce4e5b9
	x ^= x >> 27
	x *= 0x94d049bb133111eb
	x ^= x >> 31
	return x
}

// unit maps a hash to [0, 1).
func unit(x uint64) float64 { return float64(x>>11) / (1 << 53) }

// lognorm draws a log-normal value with the given median and log-sd.
func lognorm(r *rand.Rand, median, sigma float64) float64 {
	return median * math.Exp(sigma*r.NormFloat64())
}

// pick returns a random element of xs.
func pick[T any](r *rand.Rand, xs []T) T { return xs[r.IntN(len(xs))] }

// apportion splits total into len(weights) non-negative integers proportional to weights
// (largest-remainder method), so the parts sum exactly to total.
func apportion(total int, weights []float64) []int {
	out := make([]int, len(weights))
	var sum float64
	for _, w := range weights {
		sum += w
	}
	if sum <= 0 || total <= 0 {
		return out
	}
	type rem struct {
		i int
		r float64
	}
	rems := make([]rem, len(weights))
	given := 0
	for i, w := range weights {
		x := float64(total) * w / sum
		out[i] = int(math.Floor(x))
		given += out[i]
		rems[i] = rem{i, x - math.Floor(x)}
	}
	// stable selection of the largest remainders; ties go to the lower index.
	for given < total {
		best := -1
		for j := range rems {
			if rems[j].r < 0 {
				continue
			}
			if best < 0 || rems[j].r > rems[best].r {
				best = j
			}
		}
		out[rems[best].i]++
		rems[best].r = -1
		given++
	}
	return out
}
