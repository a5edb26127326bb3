module example.com/netcheck

go 1.19
