package bench

import (
	"math/rand/v2"
	"net/http"
	"slices"
	"testing"
	"time"
)

func TestBucketsCoverEveryValue(t *testing.T) {
	// Each value falls in the bucket whose range holds it, and the buckets
	// tile the line without gaps.
	prevHi := uint64(0)
	for i := range numBuckets {
		lo, hi := bucketRange(i)
		if i > 0 && lo != prevHi+1 {
			t.Fatalf("bucket %d starts at %d, previous ended at %d", i, lo, prevHi)
		}
		for _, v := range []uint64{lo, hi, lo + (hi-lo)/2} {
			if got := bucketOf(v); got != i {
				t.Fatalf("bucketOf(%d) = %d, want %d", v, got, i)
			}
		}
		// The midpoint is within 1/256 of any value in the bucket.
		if mid := lo + (hi-lo)/2; float64(hi-mid) > float64(lo)/256+1 {
			t.Fatalf("bucket %d [%d, %d] too wide", i, lo, hi)
		}
		prevHi = hi
	}
	if prevHi != maxValue {
		t.Errorf("last bucket ends at %d, want %d", prevHi, uint64(maxValue))
	}
}

func TestPercentileExactForSmallValues(t *testing.T) {
	// Below 256ns every value has its own bucket: percentiles are exact.
	var h histogram
	for v := 1; v <= 100; v++ {
		h.record(time.Duration(v))
	}
	for p, want := range map[float64]time.Duration{50: 50, 90: 90, 99: 99, 100: 100, 0: 1, 0.5: 1, 1: 1} {
		if got := h.percentile(p); got != want {
			t.Errorf("p%v = %d, want %d", p, got, want)
		}
	}
	s := h.summary()
	if s.Min != 1 || s.Max != 100 || s.Mean != 50 {
		t.Errorf("summary = %+v", s)
	}
}

func TestPercentileAgainstSortedSample(t *testing.T) {
	// Latency-like values (log-normal around a millisecond), recorded over
	// several worker histograms and merged, agree with the exact nearest
	// rank of the sorted sample within the bucket precision.
	rng := rand.New(rand.NewPCG(1, 2))
	var parts [4]histogram
	var sample []time.Duration
	for i := range 100_000 {
		d := time.Duration(float64(time.Millisecond) * (0.2 + rng.ExpFloat64()*rng.Float64()*3))
		sample = append(sample, d)
		parts[i%4].record(d)
	}
	var h histogram
	for i := range parts {
		h.merge(&parts[i])
	}
	slices.Sort(sample)
	for _, p := range []float64{50, 90, 99, 99.9} {
		exact := sample[int(p/100*float64(len(sample))+0.999999)-1]
		got := h.percentile(p)
		if diff := float64(got-exact) / float64(exact); diff > 0.005 || diff < -0.005 {
			t.Errorf("p%v = %v, exact %v (%.2f%% off)", p, got, exact, diff*100)
		}
	}
	if time.Duration(h.max) != sample[len(sample)-1] || time.Duration(h.min) != sample[0] || h.n != uint64(len(sample)) {
		t.Errorf("min/max/n = %d/%d/%d", h.min, h.max, h.n)
	}
}

func TestPercentileEmptyAndClamped(t *testing.T) {
	var h histogram
	if h.percentile(50) != 0 || h.summary() != (Latency{}) {
		t.Error("empty histogram reports values")
	}
	h.record(-5)        // clock oddities count as zero
	h.record(time.Hour) // beyond the range: clamped, still counted
	h.record(time.Hour * 2)
	if h.n != 3 || h.min != 0 || h.max != maxValue {
		t.Errorf("n/min/max = %d/%d/%d", h.n, h.min, h.max)
	}
}

func TestErrorType(t *testing.T) {
	for _, tc := range []struct {
		header, body, want string
		status             int
	}{
		{"NotAuthorizedException:http://internal.amazon.com/coral/com.amazonaws.cognito/", `{}`, "NotAuthorizedException", 400},
		{"", `{"__type":"com.amazonaws.cognito.identity.idp.model#UserNotFoundException","message":"x"}`, "UserNotFoundException", 400},
		{"", `{"__type":"ResourceNotFoundException"}`, "ResourceNotFoundException", 400},
		{"", `<html>bad gateway</html>`, "HTTP502", 502},
	} {
		h := http.Header{}
		if tc.header != "" {
			h.Set("x-amzn-ErrorType", tc.header)
		}
		if got, _ := errorType(h, []byte(tc.body), tc.status); got != tc.want {
			t.Errorf("errorType(%q, %q) = %q, want %q", tc.header, tc.body, got, tc.want)
		}
	}
}
