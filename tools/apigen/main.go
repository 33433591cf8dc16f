package main

import (
	"flag"
	"fmt"
	"os"
)

func main() {
	if err := run(os.Args[1:]); err != nil {
		fmt.Fprintln(os.Stderr, "apigen:", err)
		os.Exit(1)
	}
}

func run(args []string) error {
	if len(args) == 0 {
		return fmt.Errorf("usage: apigen trim|gen [flags]")
	}
	fs := flag.NewFlagSet("apigen "+args[0], flag.ContinueOnError)
	switch args[0] {
	case "trim":
		in := fs.String("in", "", "botocore service-2.json or service-2.json.gz")
		out := fs.String("out", "", "trimmed model to write")
		if err := fs.Parse(args[1:]); err != nil {
			return err
		}
		if *in == "" || *out == "" {
			return fmt.Errorf("trim needs -in and -out")
		}
		return trim(*in, *out)
	case "gen":
		model := fs.String("model", "", "trimmed model (api/cognito-idp-2016-04-18.json)")
		out := fs.String("out", "", "directory of package model")
		if err := fs.Parse(args[1:]); err != nil {
			return err
		}
		if *model == "" || *out == "" {
			return fmt.Errorf("gen needs -model and -out")
		}
		return generate(*model, *out)
	}
	return fmt.Errorf("unknown command %q; want trim or gen", args[0])
}
