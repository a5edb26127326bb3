package main // import "example.com/greeter"

import (
	"fmt"
	"os"
	"strings"
)

// Greets with the greeting the build wrote into the folder the program runs in.
func main() {
	greeting, err := os.ReadFile("greeting.txt")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	fmt.Printf("%s, world (greeter, built by go-wrapper)\n", strings.TrimSpace(string(greeting)))
}
