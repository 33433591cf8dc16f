package main

import (
	"runtime/debug"
	"testing"
)

func TestFormatVersion(t *testing.T) {
	release := &debug.BuildInfo{GoVersion: "go1.26.8", Main: debug.Module{Version: "v1.2.3"}, Settings: []debug.BuildSetting{
		{Key: "vcs.revision", Value: "0123456789abcdef0123"}, {Key: "vcs.time", Value: "2026-12-07T20:00:00Z"}, {Key: "vcs.modified", Value: "false"},
	}}
	checkout := &debug.BuildInfo{GoVersion: "go1.26.8", Main: debug.Module{Version: "(devel)"}, Settings: []debug.BuildSetting{
		{Key: "vcs.revision", Value: "fedcba9876543210"}, {Key: "vcs.modified", Value: "true"},
	}}
	for _, c := range []struct {
		ldflags string
		info    *debug.BuildInfo
		want    string
	}{
		{"", release, "cognate v1.2.3 (commit 0123456789ab, built from a commit of 2026-12-07T20:00:00Z, go1.26.8)"},
		{"v9.9.9", release, "cognate v9.9.9 (commit 0123456789ab, built from a commit of 2026-12-07T20:00:00Z, go1.26.8)"},
		{"", checkout, "cognate dev (commit fedcba987654, modified, go1.26.8)"},
		{"", nil, "cognate dev"},
	} {
		if got := formatVersion(c.ldflags, c.info); got != c.want {
			t.Errorf("formatVersion(%q, …) = %q, want %q", c.ldflags, got, c.want)
		}
	}
}
