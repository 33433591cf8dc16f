package bench

import (
	"math"
	"math/bits"
	"time"
)

// histogram is a log-linear (HDR-like) latency histogram in nanoseconds:
// values below 2·subBuckets are counted exactly; above, each power of two is
// split into subBuckets equal buckets, so a bucket's midpoint is within
// 1/(2·subBuckets) ≈ 0.4% of any value in it. Recording is an index
// computation and an increment, with no allocation, and a fixed array keeps
// the memory per worker constant however long the run (a sorted sample of
// every latency would grow by 8 bytes a request).
type histogram struct {
	counts [numBuckets]uint64
	n      uint64
	sum    uint64 // nanoseconds, for the mean
	min    uint64
	max    uint64
}

const (
	subBits    = 7
	subBuckets = 1 << subBits // 128
	// maxValue clamps recordings (about 18 minutes, beyond any timeout).
	maxBits    = 40
	maxValue   = 1<<maxBits - 1
	numBuckets = (maxBits-subBits)*subBuckets + subBuckets
)

// bucketOf returns the index of v's bucket.
func bucketOf(v uint64) int {
	if v < 2*subBuckets {
		return int(v)
	}
	// shift so that v>>e lies in [subBuckets, 2·subBuckets).
	e := bits.Len64(v) - (subBits + 1)
	return (e+1)*subBuckets + int(v>>e) - subBuckets
}

// bucketRange returns the smallest and largest value of bucket i.
func bucketRange(i int) (lo, hi uint64) {
	if i < 2*subBuckets {
		return uint64(i), uint64(i)
	}
	e := i/subBuckets - 1
	m := uint64(i%subBuckets + subBuckets)
	return m << e, (m+1)<<e - 1
}

func (h *histogram) record(d time.Duration) {
	v := uint64(max(d, 0))
	v = min(v, maxValue)
	h.counts[bucketOf(v)]++
	if h.n == 0 || v < h.min {
		h.min = v
	}
	h.max = max(h.max, v)
	h.n++
	h.sum += v
}

func (h *histogram) merge(o *histogram) {
	if o.n == 0 {
		return
	}
	for i, c := range o.counts {
		h.counts[i] += c
	}
	if h.n == 0 || o.min < h.min {
		h.min = o.min
	}
	h.max = max(h.max, o.max)
	h.n += o.n
	h.sum += o.sum
}

// percentile returns the value at or below which p percent of the
// recordings lie (nearest rank), as its bucket's midpoint clamped to the
// exact minimum and maximum; zero when empty.
func (h *histogram) percentile(p float64) time.Duration {
	if h.n == 0 {
		return 0
	}
	rank := uint64(math.Ceil(p / 100 * float64(h.n)))
	rank = min(max(rank, 1), h.n)
	var seen uint64
	for i, c := range h.counts {
		seen += c
		if seen >= rank {
			lo, hi := bucketRange(i)
			mid := lo + (hi-lo)/2
			return time.Duration(min(max(mid, h.min), h.max))
		}
	}
	return time.Duration(h.max)
}

// Latency summarizes a latency distribution.
type Latency struct {
	Min, Mean, P50, P90, P99, Max time.Duration
}

func (h *histogram) summary() Latency {
	if h.n == 0 {
		return Latency{}
	}
	return Latency{
		Min:  time.Duration(h.min),
		Mean: time.Duration(h.sum / h.n),
		P50:  h.percentile(50),
		P90:  h.percentile(90),
		P99:  h.percentile(99),
		Max:  time.Duration(h.max),
	}
}

// opStats is what one worker saw of one operation.
type opStats struct {
	hist      histogram
	ok        int64
	apiErrs   map[string]int64
	transport map[string]int64
}

func newOpStats() *opStats {
	return &opStats{apiErrs: map[string]int64{}, transport: map[string]int64{}}
}

func (s *opStats) merge(o *opStats) {
	s.hist.merge(&o.hist)
	s.ok += o.ok
	for k, v := range o.apiErrs {
		s.apiErrs[k] += v
	}
	for k, v := range o.transport {
		s.transport[k] += v
	}
}

func sumCounts(m map[string]int64) int64 {
	var n int64
	for _, v := range m {
		n += v
	}
	return n
}
