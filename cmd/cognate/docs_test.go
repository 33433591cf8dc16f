package main

// The README and docs/ are checked here, so that they stay true:
//
//   - every fenced code block in a language that runs (sh, go, js, python,
//     yaml…) is marked <!-- from FILE --> and its lines are found, in
//     order, in FILE, a program or script that CI runs (examples/, .ci/),
//     or is marked <!-- run by SCRIPT --> where SCRIPT, run by .ci/run,
//     takes the block from the page and runs it; blocks of syntax or output
//     are fenced as text;
//   - the README's test command is the command .ci/run ends with;
//   - the configuration reference lists exactly the flags cognate has, with
//     their environment variables and defaults;
//   - every relative link names a file that exists, and every #anchor a
//     heading of that file;
//   - the README stays a front door: at most 12 KB.

import (
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"unicode"
)

const repoRoot = "../.."

// docPages are the README and every page of docs/.
func docPages(t *testing.T) []string {
	t.Helper()
	pages, err := filepath.Glob(filepath.Join(repoRoot, "docs", "*.md"))
	if err != nil {
		t.Fatal(err)
	}
	for _, extra := range []string{"README.md", "CONTRIBUTING.md"} {
		if _, err := os.Stat(filepath.Join(repoRoot, extra)); err == nil {
			pages = append(pages, filepath.Join(repoRoot, extra))
		}
	}
	if len(pages) < 5 {
		t.Fatalf("found only %d documentation pages", len(pages))
	}
	return pages
}

func readDoc(t *testing.T, path string) string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

var (
	fenceRe  = regexp.MustCompile("^( *)```([a-z0-9]*)\\s*$")
	markerRe = regexp.MustCompile(`^\s*<!-- (from|run by) (\S+) -->\s*$`)
)

// unchecked are the fence languages of syntax and output, which do not run.
var unchecked = map[string]bool{"text": true, "console": true}

func TestDocExamplesAreRun(t *testing.T) {
	for _, page := range docPages(t) {
		lines := strings.Split(readDoc(t, page), "\n")
		for i := 0; i < len(lines); i++ {
			m := fenceRe.FindStringSubmatch(lines[i])
			if m == nil {
				continue
			}
			indent, lang := m[1], m[2]
			start := i
			var block []string
			for i++; i < len(lines) && strings.TrimSpace(lines[i]) != "```"; i++ {
				block = append(block, strings.TrimPrefix(lines[i], indent))
			}
			where := filepath.Base(page) + ":" + strconv.Itoa(start+1)
			if lang == "" {
				t.Errorf("%s: a code block without a language: fence it as text (syntax, output) or as the language it runs in", where)
				continue
			}
			if unchecked[lang] {
				continue
			}
			var kind, src string
			if start > 0 {
				if mm := markerRe.FindStringSubmatch(lines[start-1]); mm != nil {
					kind, src = mm[1], mm[2]
				} else if start > 1 {
					if mm := markerRe.FindStringSubmatch(lines[start-2]); mm != nil && strings.TrimSpace(lines[start-1]) == "" {
						kind, src = mm[1], mm[2]
					}
				}
			}
			if kind == "run by" {
				// A script that runs the block itself, taken from the page.
				script := readDoc(t, filepath.Join(repoRoot, src))
				if !strings.Contains(script, filepath.Base(page)) {
					t.Errorf("%s: <!-- run by %s -->: the script does not read %s", where, src, filepath.Base(page))
				}
				if !strings.Contains(readDoc(t, filepath.Join(repoRoot, ".ci", "run")), src) {
					t.Errorf("%s: <!-- run by %s -->: .ci/run does not run it", where, src)
				}
				continue
			}
			if src == "" {
				t.Errorf("%s: a %s example that nothing runs: put it in a program CI runs and mark the block <!-- from FILE -->", where, lang)
				continue
			}
			body, err := os.ReadFile(filepath.Join(repoRoot, src))
			if err != nil {
				t.Errorf("%s: <!-- from %s -->: %v", where, src, err)
				continue
			}
			if missing := missingLines(block, string(body)); missing != "" {
				t.Errorf("%s: the example's line %q is not in %s (in order), which CI runs", where, missing, src)
			}
		}
	}
}

// missingLines returns the first line of block (ignoring blank lines and
// leading whitespace) that is not found in src after the previous one, or
// "".
func missingLines(block []string, src string) string {
	srcLines := strings.Split(src, "\n")
	j := 0
	for _, l := range block {
		want := strings.TrimSpace(l)
		if want == "" {
			continue
		}
		for j < len(srcLines) && strings.TrimSpace(srcLines[j]) != want {
			j++
		}
		if j == len(srcLines) {
			return want
		}
		j++
	}
	return ""
}

func TestReadmeTestCommandIsCIs(t *testing.T) {
	readme := readDoc(t, filepath.Join(repoRoot, "README.md"))
	_, after, ok := strings.Cut(readme, "## The two commands")
	if !ok {
		t.Fatal(`README.md has no "## The two commands" section`)
	}
	_, block, _ := strings.Cut(after, "```sh\n")
	block, _, _ = strings.Cut(block, "```")
	lines := strings.Split(strings.TrimSpace(block), "\n")
	if len(lines) != 2 {
		t.Fatalf("the two commands are %d lines: %q", len(lines), lines)
	}
	test, _, _ := strings.Cut(lines[1], "#")
	test = strings.TrimSpace(test)
	ci := strings.Split(strings.TrimSpace(readDoc(t, filepath.Join(repoRoot, ".ci", "run"))), "\n")
	if last := strings.TrimSpace(ci[len(ci)-1]); last != test {
		t.Errorf(".ci/run ends with %q, the README's test command is %q", last, test)
	}
}

func TestConfigurationReferenceMatchesFlags(t *testing.T) {
	doc := readDoc(t, filepath.Join(repoRoot, "docs", "configuration.md"))
	rowRe := regexp.MustCompile("(?m)^\\| `--([a-z0-9-]+)` \\| `([A-Z0-9_]+)` \\|([^|]*)\\|")
	rows := map[string][2]string{}
	for _, m := range rowRe.FindAllStringSubmatch(doc, -1) {
		rows[m[1]] = [2]string{m[2], strings.TrimSpace(m[3])}
	}
	var c config
	for _, s := range c.settings() {
		row, ok := rows[s.name]
		if !ok {
			t.Errorf("docs/configuration.md does not list --%s", s.name)
			continue
		}
		delete(rows, s.name)
		if row[0] != s.env {
			t.Errorf("--%s: the reference names %s, the flag reads %s", s.name, row[0], s.env)
		}
		if s.def != "" && !strings.Contains(row[1], "`"+s.def+"`") {
			t.Errorf("--%s: the reference's default %q does not show the flag's default %q", s.name, row[1], s.def)
		}
	}
	// The boolean flags are not settings (config.go reads their env vars
	// with envBool); parsing them proves they exist.
	for name, env := range map[string]string{"tls-self-signed": "COGNATE_TLS_SELF_SIGNED", "pprof": "COGNATE_PPROF"} {
		if _, err := parseConfig([]string{"--" + name}, func(string) string { return "" }); err != nil {
			t.Errorf("--%s: %v", name, err)
		}
		if row, ok := rows[name]; !ok || row[0] != env {
			t.Errorf("docs/configuration.md: --%s should be listed with %s (got %v)", name, env, row)
		}
		delete(rows, name)
	}
	for name := range rows {
		t.Errorf("docs/configuration.md lists --%s, which cognate does not have", name)
	}
}

var linkRe = regexp.MustCompile(`\]\(([^)\s]+)\)`)

func TestDocLinksResolve(t *testing.T) {
	for _, page := range docPages(t) {
		doc := readDoc(t, page)
		for _, m := range linkRe.FindAllStringSubmatch(stripCode(doc), -1) {
			target := m[1]
			if strings.Contains(target, "://") || strings.HasPrefix(target, "mailto:") {
				continue
			}
			file, anchor, _ := strings.Cut(target, "#")
			path := page
			if file != "" {
				path = filepath.Join(filepath.Dir(page), file)
				if _, err := os.Stat(path); err != nil {
					t.Errorf("%s: link %s: %v", filepath.Base(page), target, err)
					continue
				}
			}
			if anchor != "" && strings.HasSuffix(path, ".md") {
				if !hasAnchor(readDoc(t, path), anchor) {
					t.Errorf("%s: link %s: no heading with that anchor in %s", filepath.Base(page), target, filepath.Base(path))
				}
			}
		}
	}
}

func TestReadmeIsAFrontDoor(t *testing.T) {
	b, err := os.ReadFile(filepath.Join(repoRoot, "README.md"))
	if err != nil {
		t.Fatal(err)
	}
	if len(b) > 12<<10 {
		t.Errorf("README.md is %d bytes; keep it under 12 KB and move details to docs/", len(b))
	}
}

// stripCode removes fenced blocks and inline code, where brackets are not
// links.
func stripCode(doc string) string {
	return inlineCodeRe.ReplaceAllString(stripFences(doc), "")
}

var inlineCodeRe = regexp.MustCompile("`[^`\n]*`")

// stripFences removes fenced blocks.
func stripFences(doc string) string {
	var out []string
	in := false
	for _, l := range strings.Split(doc, "\n") {
		if fenceRe.MatchString(l) || (in && strings.TrimSpace(l) == "```") {
			in = !in
			continue
		}
		if !in {
			out = append(out, l)
		}
	}
	return strings.Join(out, "\n")
}

// hasAnchor reports whether doc has a heading whose GitHub anchor is a.
func hasAnchor(doc, a string) bool {
	for _, l := range strings.Split(stripFences(doc), "\n") {
		if strings.HasPrefix(l, "#") {
			if slug(strings.TrimLeft(l, "# ")) == a {
				return true
			}
		}
	}
	return false
}

// slug is GitHub's anchor for a heading: lower case, spaces to hyphens,
// other punctuation dropped.
func slug(h string) string {
	var b strings.Builder
	for _, r := range strings.ToLower(strings.TrimSpace(h)) {
		switch {
		case r == ' ':
			b.WriteByte('-')
		case r == '-' || r == '_' || unicode.IsLetter(r) || unicode.IsDigit(r):
			b.WriteRune(r)
		}
	}
	return b.String()
}
