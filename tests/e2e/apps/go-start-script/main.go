// greet: prints a greeting built from its flags. The image starts it through start.sh,
// which prepares a state file first (sample app for the e2e tests).
package main

import (
	"flag"
	"fmt"
	"os"
	"strings"
)

func main() {
	name := flag.String("name", "nobody", "who to greet")
	state := flag.String("state", "", "state file written by the start script")
	flag.Parse()
	data, err := os.ReadFile(*state)
	if err != nil {
		fmt.Fprintln(os.Stderr, "greet:", err)
		os.Exit(1)
	}
	fmt.Printf("hello, %s (state: %s)\n", *name, strings.TrimSpace(string(data)))
}
