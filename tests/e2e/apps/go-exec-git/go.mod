module example.com/execgit

go 1.19
