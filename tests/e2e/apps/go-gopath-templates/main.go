// A GOPATH-era program: it finds its template under $GOPATH/src, as many old Go web apps
// do, so the runtime needs GOPATH and the package folder, not only the binary.
package main

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
)

func main() {
	path := filepath.Join(os.Getenv("GOPATH"), "src", "example.com", "greeter", "templates", "greeting.txt")
	text, err := os.ReadFile(path)
	if err != nil {
		fmt.Fprintln(os.Stderr, "greeter:", err)
		os.Exit(1)
	}
	fmt.Println(strings.TrimSpace(string(text)))
}
