module example.com/answer

go 1.19
