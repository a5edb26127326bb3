// Reports the git it runs: the runtime must have the same git as the original image.
package main

import (
	"fmt"
	"os"
	"os/exec"
	"strings"
)

func main() {
	out, err := exec.Command("git", "--version").Output()
	if err != nil {
		fmt.Fprintln(os.Stderr, "go-exec-git: git:", err)
		os.Exit(1)
	}
	fmt.Printf("go-exec-git ok: %s\n", strings.TrimSpace(string(out)))
}
