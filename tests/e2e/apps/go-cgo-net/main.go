// netcheck resolves host names through the system resolver and looks up
// accounts in the user database. Built with cgo (the default in the golang
// image), both go through glibc, so the binary is dynamically linked.
package main

import (
	"fmt"
	"net"
	"os"
	"os/user"
	"sort"
	"strings"
)

const version = "1.3.0"

// ipv4 returns the sorted IPv4 addresses that name resolves to.
func ipv4(name string) ([]string, error) {
	addrs, err := net.LookupHost(name)
	if err != nil {
		return nil, err
	}
	var v4 []string
	for _, a := range addrs {
		if ip := net.ParseIP(a); ip != nil && ip.To4() != nil {
			v4 = append(v4, a)
		}
	}
	sort.Strings(v4)
	return v4, nil
}

func main() {
	names := os.Args[1:]
	if len(names) == 0 {
		names = []string{"localhost"}
	}
	var parts []string
	for _, n := range names {
		if strings.HasPrefix(n, "user:") {
			u, err := user.Lookup(strings.TrimPrefix(n, "user:"))
			if err != nil {
				fmt.Fprintln(os.Stderr, "netcheck:", err)
				os.Exit(1)
			}
			parts = append(parts, fmt.Sprintf("%s uid=%s home=%s", n, u.Uid, u.HomeDir))
			continue
		}
		v4, err := ipv4(n)
		if err != nil {
			fmt.Fprintln(os.Stderr, "netcheck:", err)
			os.Exit(1)
		}
		parts = append(parts, fmt.Sprintf("%s=%s", n, strings.Join(v4, ",")))
	}
	fmt.Printf("netcheck %s ok: %s\n", version, strings.Join(parts, "; "))
}
