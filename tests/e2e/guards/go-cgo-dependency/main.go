// The program's own files do not import "C": the cgo package is made by the build, as
// `go get` fetches a dependency such as go-sqlite3.
package main

import (
	"fmt"

	"example.com/answer/cbits"
)

func main() {
	fmt.Println("answer", cbits.Answer())
}
